#include "shard/storage/oplog_entry.h"

#include <chrono>
#include <cstring>
#include <string>

namespace mongosd::storage {
namespace {

// Byte offsets of the values of the first two fields: int32 length, then
// 0x11 "ts\0" <8 bytes>, then 0x12 "t\0" <8 bytes>.
constexpr size_t kTsValueOffset = 4 + 1 + 3;
constexpr size_t kTermValueOffset = kTsValueOffset + 8 + 1 + 2;

int64_t wallClockMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void putLittleEndian64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}

void appendIdDoc(bson_t* parent, const char* key, const bson_iter_t& id) {
    bson_t child;
    bson_append_document_begin(parent, key, -1, &child);
    bson_append_iter(&child, "_id", 3, &id);
    bson_append_document_end(parent, &child);
}

void appendDoc(bson_t* parent, const char* key, BsonView doc) {
    bson_t view = doc.asBsonT();
    bson_append_document(parent, key, -1, &view);
}

Status badEntry(std::string_view what) {
    return Status(ErrorCodes::FailedToParse, "bad oplog entry: " + std::string(what));
}

}  // namespace

PendingOplogEntry::PendingOplogEntry(char op, std::string_view ns, const CollectionUuid* uuid)
    : _bson(bson_new()) {
    bson_t* b = _bson;
    bson_append_timestamp(b, "ts", 2, 0, 0);
    bson_append_int64(b, "t", 1, 0);
    char opStr[2] = {op, '\0'};
    bson_append_utf8(b, "op", 2, opStr, 1);
    bson_append_utf8(b, "ns", 2, ns.data(), int(ns.size()));
    if (uuid != nullptr) {
        bson_append_binary(b, "ui", 2, BSON_SUBTYPE_UUID, uuid->bytes.data(),
                           uint32_t(uuid->bytes.size()));
    }
    invariant(bson_get_data(b)[kTsValueOffset - 3] == 't');
}

PendingOplogEntry PendingOplogEntry::insert(std::string_view ns, const CollectionUuid& uuid,
                                            BsonView doc) {
    PendingOplogEntry e('i', ns, &uuid);
    appendDoc(e._bson, "o", doc);
    bson_append_date_time(e._bson, "wall", 4, wallClockMs());
    return e;
}

PendingOplogEntry PendingOplogEntry::update(std::string_view ns, const CollectionUuid& uuid,
                                            BsonView postImage, const bson_iter_t& id) {
    PendingOplogEntry e('u', ns, &uuid);
    appendDoc(e._bson, "o", postImage);
    appendIdDoc(e._bson, "o2", id);
    bson_append_date_time(e._bson, "wall", 4, wallClockMs());
    return e;
}

PendingOplogEntry PendingOplogEntry::remove(std::string_view ns, const CollectionUuid& uuid,
                                            const bson_iter_t& id) {
    PendingOplogEntry e('d', ns, &uuid);
    appendIdDoc(e._bson, "o", id);
    bson_append_date_time(e._bson, "wall", 4, wallClockMs());
    return e;
}

PendingOplogEntry PendingOplogEntry::command(std::string_view db, const CollectionUuid* uuid,
                                             BsonView o) {
    std::string ns = std::string(db) + ".$cmd";
    PendingOplogEntry e('c', ns, uuid);
    appendDoc(e._bson, "o", o);
    bson_append_date_time(e._bson, "wall", 4, wallClockMs());
    return e;
}

PendingOplogEntry::~PendingOplogEntry() {
    if (_bson != nullptr) bson_destroy(_bson);
}

void PendingOplogEntry::stamp(Timestamp ts, int64_t term) {
    // The buffer is ours (bson_new); libbson only exposes it as const.
    auto* data = const_cast<uint8_t*>(bson_get_data(_bson));
    putLittleEndian64(data + kTsValueOffset, ts.asULL());
    putLittleEndian64(data + kTermValueOffset, uint64_t(term));
}

StatusWith<OplogEntry> parseOplogEntry(BsonView view) {
    OplogEntry e;
    bson_iter_t it;
    if (!view.iterInit(&it)) return Status(ErrorCodes::InvalidBSON, "bad oplog entry bytes");
    bool haveTs = false, haveOp = false, haveNs = false, haveO = false;
    while (bson_iter_next(&it)) {
        std::string_view key = bson_iter_key(&it);
        if (key == "ts" && BSON_ITER_HOLDS_TIMESTAMP(&it)) {
            bson_iter_timestamp(&it, &e.ts.secs, &e.ts.inc);
            haveTs = true;
        } else if (key == "t" && BSON_ITER_HOLDS_INT64(&it)) {
            e.term = bson_iter_int64(&it);
        } else if (key == "op" && BSON_ITER_HOLDS_UTF8(&it)) {
            uint32_t len = 0;
            const char* s = bson_iter_utf8(&it, &len);
            if (len != 1) return badEntry("op");
            e.op = s[0];
            haveOp = true;
        } else if (key == "ns" && BSON_ITER_HOLDS_UTF8(&it)) {
            uint32_t len = 0;
            const char* s = bson_iter_utf8(&it, &len);
            e.ns = std::string_view(s, len);
            haveNs = true;
        } else if (key == "ui" && BSON_ITER_HOLDS_BINARY(&it)) {
            bson_subtype_t subtype;
            uint32_t len = 0;
            const uint8_t* data = nullptr;
            bson_iter_binary(&it, &subtype, &len, &data);
            CollectionUuid uuid;
            if (!CollectionUuid::fromBytes(data, len, &uuid)) return badEntry("ui");
            e.uuid = uuid;
        } else if ((key == "o" || key == "o2") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
            uint32_t len = 0;
            const uint8_t* data = nullptr;
            bson_iter_document(&it, &len, &data);
            if (key == "o") {
                e.o = BsonView(data, len);
                haveO = true;
            } else {
                e.o2 = BsonView(data, len);
            }
        } else if (key == "wall" && BSON_ITER_HOLDS_DATE_TIME(&it)) {
            e.wallMs = bson_iter_date_time(&it);
        }
    }
    if (!haveTs || !haveOp || !haveNs || !haveO) return badEntry("missing ts, op, ns or o");
    return e;
}

}  // namespace mongosd::storage
