#include "shard/storage/catalog.h"

#include <cstring>
#include <mutex>
#include <random>

#include "shard/storage/namespace_util.h"

namespace mongosd::storage {
namespace {

bool stringField(BsonView row, std::string_view name, std::string* out) {
    bson_iter_t it;
    if (!row.find(name, &it) || !BSON_ITER_HOLDS_UTF8(&it)) return false;
    uint32_t len = 0;
    const char* s = bson_iter_utf8(&it, &len);
    out->assign(s, len);
    return true;
}

Status corrupt(std::string_view what) {
    return Status(ErrorCodes::InternalError, "corrupt catalog row: " + std::string(what));
}

StatusWith<IndexPtr> parseIndexRow(const bson_iter_t& elem) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&elem)) return corrupt("not a document");
    BsonView row = subDocument(elem);
    bson_iter_t it;
    if (!row.find("spec", &it) || !BSON_ITER_HOLDS_DOCUMENT(&it)) return corrupt("spec");
    BsonView spec = subDocument(it);
    std::string ident;
    if (!stringField(row, "ident", &ident)) return corrupt("ident");
    Timestamp readyAt;
    if (!row.find("readyAt", &it) || !BSON_ITER_HOLDS_TIMESTAMP(&it)) return corrupt("readyAt");
    bson_iter_timestamp(&it, &readyAt.secs, &readyAt.inc);
    std::vector<bool> multikey;
    if (row.find("multikey", &it) && BSON_ITER_HOLDS_ARRAY(&it)) {
        bson_iter_t m;
        bson_iter_recurse(&it, &m);
        while (bson_iter_next(&m)) multikey.push_back(bson_iter_as_bool(&m));
    }
    return makeIndexEntry(spec, std::move(ident), readyAt, multikey);
}

}  // namespace

CollectionUuid CollectionUuid::generate() {
    // Straight from the OS, not from a seeded generator: a forked process would inherit the
    // generator's state and repeat its UUIDs, and recovery tells incarnations apart by UUID.
    std::random_device os;
    CollectionUuid uuid;
    for (size_t i = 0; i < uuid.bytes.size(); i += 4) {
        uint32_t r = os();
        std::memcpy(uuid.bytes.data() + i, &r, 4);
    }
    uuid.bytes[6] = (uuid.bytes[6] & 0x0f) | 0x40;  // version 4
    uuid.bytes[8] = (uuid.bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant
    return uuid;
}

bool CollectionUuid::fromBytes(const uint8_t* data, size_t len, CollectionUuid* out) {
    if (len != out->bytes.size()) return false;
    std::memcpy(out->bytes.data(), data, len);
    return true;
}

std::string CollectionUuid::toString() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
        s += kHex[bytes[i] >> 4];
        s += kHex[bytes[i] & 0xf];
    }
    return s;
}

BsonObj catalogRow(const CollectionEntry& entry) {
    BsonBuilder b;
    b.appendString("ns", entry.ns);
    bson_append_binary(b.get(), "uuid", 4, BSON_SUBTYPE_UUID, entry.uuid.bytes.data(),
                       uint32_t(entry.uuid.bytes.size()));
    b.appendString("ident", entry.ident);
    b.appendDocument("options", entry.options.view());
    b.appendArray("indexes", [&](BsonBuilder& arr) {
        char buf[16];
        uint32_t i = 0;
        for (const auto& index : entry.indexes) {
            arr.appendDocument(arrayIndexKey(i++, buf), [&](BsonBuilder& d) {
                d.appendDocument("spec", index->spec.view());
                d.appendString("ident", index->ident);
                bson_append_timestamp(d.get(), "readyAt", 7, index->readyAt.secs,
                                      index->readyAt.inc);
                d.appendArray("multikey", [&](BsonBuilder& m) {
                    char mbuf[16];
                    std::vector<bool> flags = index->multikeyFields();
                    for (uint32_t f = 0; f < flags.size(); ++f)
                        m.appendBool(arrayIndexKey(f, mbuf), flags[f]);
                });
            });
        }
    });
    return b.obj();
}

StatusWith<CollectionPtr> parseCatalogRow(BsonView row) {
    std::string ns, ident;
    if (!stringField(row, "ns", &ns)) return corrupt("ns");
    if (!stringField(row, "ident", &ident)) return corrupt("ident of " + ns);
    bson_iter_t it;
    CollectionUuid uuid;
    if (!row.find("uuid", &it) || !BSON_ITER_HOLDS_BINARY(&it)) return corrupt("uuid of " + ns);
    bson_subtype_t subtype;
    uint32_t len = 0;
    const uint8_t* data = nullptr;
    bson_iter_binary(&it, &subtype, &len, &data);
    if (!CollectionUuid::fromBytes(data, len, &uuid)) return corrupt("uuid of " + ns);
    BsonObj options;
    if (row.find("options", &it)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&it)) return corrupt("options of " + ns);
        uint32_t docLen = 0;
        const uint8_t* doc = nullptr;
        bson_iter_document(&it, &docLen, &doc);
        options = BsonObj::copyOf(BsonView(doc, docLen));
    }
    std::vector<IndexPtr> indexes;
    if (row.find("indexes", &it)) {
        if (!BSON_ITER_HOLDS_ARRAY(&it)) return corrupt("indexes of " + ns);
        bson_iter_t elem;
        bson_iter_recurse(&it, &elem);
        while (bson_iter_next(&elem)) {
            auto index = parseIndexRow(elem);
            if (!index.isOK()) return corrupt("index of " + ns + ": " + index.getStatus().reason());
            indexes.push_back(std::move(index.getValue()));
        }
    }
    return std::make_shared<CollectionEntry>(std::move(ns), uuid, std::move(ident),
                                             std::move(options), std::move(indexes));
}

CollectionPtr Catalog::lookup(std::string_view ns) const {
    std::shared_lock lk(_mutex);
    auto it = _byNs.find(ns);
    return it == _byNs.end() ? nullptr : it->second;
}

CollectionPtr Catalog::lookupByUuid(const CollectionUuid& uuid) const {
    std::shared_lock lk(_mutex);
    for (const auto& [ns, entry] : _byNs) {
        if (entry->uuid == uuid) return entry;
    }
    return nullptr;
}

bool Catalog::isCurrent(const CollectionPtr& entry) const {
    std::shared_lock lk(_mutex);
    auto it = _byNs.find(entry->ns);
    return it != _byNs.end() && it->second == entry;
}

std::vector<CollectionPtr> Catalog::all() const {
    std::shared_lock lk(_mutex);
    std::vector<CollectionPtr> out;
    out.reserve(_byNs.size());
    for (const auto& [ns, entry] : _byNs) out.push_back(entry);
    return out;
}

std::vector<CollectionPtr> Catalog::inDatabase(std::string_view db) const {
    std::shared_lock lk(_mutex);
    std::vector<CollectionPtr> out;
    for (const auto& [ns, entry] : _byNs) {
        if (dbOf(ns) == db) out.push_back(entry);
    }
    return out;
}

void Catalog::add(CollectionPtr entry) {
    std::unique_lock lk(_mutex);
    std::string ns = entry->ns;
    _byNs[ns] = std::move(entry);
}

void Catalog::remove(const std::string& ns) {
    std::unique_lock lk(_mutex);
    _byNs.erase(ns);
}

}  // namespace mongosd::storage
