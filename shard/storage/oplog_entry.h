#pragma once
// Oplog entries: how a write is recorded, built before its timestamp is known and parsed back.
//
// Format (MongoDB's): {ts: Timestamp, t: term (int64), op, ns, ui: UUID, o, o2?, wall: Date}
//   op "i": o = the full document               (replay: upsert o)
//   op "u": o = the full post-image, o2 = {_id} (replay: put o)
//   op "d": o = {_id}                           (replay: remove if present)
//   op "c": ns = "<db>.$cmd", o = {create: coll, ...options} | {drop: coll} | {dropDatabase: 1}
//   op "n": no-op, o = a message
// Every entry is idempotent: applying it twice gives the state of applying it once.
//
// `ts` and `t` are always the first two fields, at fixed byte offsets, so the commit path can
// stamp them in place while it holds the commit mutex, without rebuilding or copying `o`.

#include <bson/bson.h>

#include <memory>
#include <optional>
#include <string_view>

#include "common/bson.h"
#include "common/optime.h"
#include "common/status.h"
#include "shard/storage/catalog.h"

namespace mongosd::storage {

class PendingOplogEntry {
public:
    static PendingOplogEntry insert(std::string_view ns, const CollectionUuid& uuid, BsonView doc);
    static PendingOplogEntry update(std::string_view ns, const CollectionUuid& uuid,
                                    BsonView postImage, const bson_iter_t& id);
    static PendingOplogEntry remove(std::string_view ns, const CollectionUuid& uuid,
                                    const bson_iter_t& id);
    // A command entry on "<db>.$cmd"; `uuid` is the collection it concerns, if any.
    static PendingOplogEntry command(std::string_view db, const CollectionUuid* uuid, BsonView o);

    PendingOplogEntry(PendingOplogEntry&& other) noexcept : _bson(other._bson) {
        other._bson = nullptr;
    }
    PendingOplogEntry& operator=(PendingOplogEntry&&) = delete;
    ~PendingOplogEntry();

    // Sets ts and t in place.
    void stamp(Timestamp ts, int64_t term);
    BsonView view() const { return BsonView(bson_get_data(_bson), _bson->len); }

private:
    PendingOplogEntry(char op, std::string_view ns, const CollectionUuid* uuid);
    bson_t* _bson;  // owned (bson_new)
};

// A parsed entry; views point into the entry's bytes.
struct OplogEntry {
    Timestamp ts;
    int64_t term = 0;
    char op = 0;
    std::string_view ns;
    std::optional<CollectionUuid> uuid;
    BsonView o;
    std::optional<BsonView> o2;
    int64_t wallMs = 0;
};

// Checks the types of every field it reads; InvalidBSON / FailedToParse on a bad entry.
StatusWith<OplogEntry> parseOplogEntry(BsonView entry);

}  // namespace mongosd::storage
