#pragma once
// The collection catalog: which collections exist, and where their documents live.
//
// On disk it is the logged WiredTiger table `_mdb_catalog`, keyed by namespace "db.coll", one
// row per collection: {ns, uuid: BinData(4), ident, options, indexes: []}. Catalog rows change
// only in the same transaction as the oplog entry that records the change, so after a crash
// the table is exactly as of the last journaled oplog entry.
//
// In memory, Catalog mirrors that table. A CollectionEntry is one incarnation of a namespace:
// dropping and re-creating "db.c" yields a new entry with a new UUID and a new ident, and
// oplog entries name the incarnation they apply to by UUID.
//
// Invariants:
//  1. The mirror changes only while the engine's commit mutex is held, right after the WT
//     commit that changed the table, so it never shows an uncommitted collection.
//  2. Entries are immutable except `count`, which also changes only under the commit mutex.
// Thread safety: Catalog is thread-safe; CollectionPtr may be kept after removal (it then no
// longer isCurrent()).

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/bson.h"
#include "common/optime.h"
#include "common/status.h"
#include "query/index_key.h"
#include "query/matcher.h"

namespace mongosd::storage {

struct CollectionUuid {
    std::array<uint8_t, 16> bytes{};

    // A random (version 4) UUID.
    static CollectionUuid generate();
    // From BinData subtype 4 (or any 16 bytes); false for another length.
    static bool fromBytes(const uint8_t* data, size_t len, CollectionUuid* out);
    // 8-4-4-4-12 lowercase hex.
    std::string toString() const;

    friend bool operator==(const CollectionUuid&, const CollectionUuid&) = default;
    friend auto operator<=>(const CollectionUuid&, const CollectionUuid&) = default;
};

// One secondary index of a collection (its _id index is the collection table itself). Its
// WiredTiger table "table:<ident>" holds one row per key (index_writes.cpp):
//   non-unique: key = KeyString(index key) + KeyString(_id), value = KeyString(_id)
//   unique:     key = KeyString(index key),                  value = KeyString(_id)
// so that the key part of any row is its key minus the value's length, and a second document
// with the same unique key collides on the WiredTiger key itself (no read-then-write race).
// Immutable except `multikey`, whose flags are only ever set (before the write that needs them
// commits, so a planner that sees a key also sees the flag).
struct IndexEntry {
    IndexEntry(BsonObj spec_, query::IndexKeyPattern pattern_, std::string ident_,
               Timestamp readyAt_, const std::vector<bool>& multikey_);

    // As listIndexes shows it: {v: 2, key, name, unique?, sparse?, partialFilterExpression?,
    // expireAfterSeconds?}.
    const BsonObj spec;
    const std::string name;
    const query::IndexKeyPattern pattern;
    const std::string ident;
    const bool unique;
    const bool sparse;
    const BsonObj partialFilter;  // empty: not partial
    // Parsed partialFilter (null when not partial).
    std::shared_ptr<const query::MatchExpression> partialMatcher;
    const std::optional<int64_t> expireAfterSeconds;
    // The timestamp of the catalog change that made the index usable: recovery rebuilds an
    // index whose readyAt is after the checkpoint it starts from.
    const Timestamp readyAt;
    std::unique_ptr<std::atomic<bool>[]> multikey;

    std::string uri() const { return "table:" + ident; }
    std::vector<bool> multikeyFields() const;
    bool anyMultikey() const;
};
using IndexPtr = std::shared_ptr<IndexEntry>;

// Validates a createIndexes spec ({key, name, unique, sparse, partialFilterExpression,
// expireAfterSeconds, v, background}) and returns it normalised (v: 2, name defaulted from
// the key pattern, no `background`). CannotCreateIndex (67), InvalidIndexSpecificationOption
// (197), TypeMismatch (14), BadValue (2) as MongoDB.
StatusWith<BsonObj> normalizeIndexSpec(BsonView spec);
// An entry from a normalised spec. Fails only on a spec normalizeIndexSpec would reject.
StatusWith<IndexPtr> makeIndexEntry(BsonView normalizedSpec, std::string ident, Timestamp readyAt,
                                    const std::vector<bool>& multikey);
// Whether two normalised specs describe the same index apart from the name (MongoDB's
// IndexOptionsConflict vs IndexKeySpecsConflict distinction needs key + options compared).
bool sameIndexKey(const IndexEntry& a, BsonView normalizedSpec);
bool sameIndexOptions(const IndexEntry& a, BsonView normalizedSpec);

struct CollectionEntry {
    CollectionEntry(std::string ns_, CollectionUuid uuid_, std::string ident_, BsonObj options_,
                    std::vector<IndexPtr> indexes_ = {})
        : ns(std::move(ns_)),
          uuid(uuid_),
          ident(std::move(ident_)),
          options(std::move(options_)),
          indexes(std::move(indexes_)) {}

    const std::string ns;
    const CollectionUuid uuid;
    // The WiredTiger table holding the documents: "table:<ident>".
    const std::string ident;
    const BsonObj options;
    // Secondary indexes, in creation order. Creating or dropping one replaces the whole entry
    // (same ns, uuid and ident; the count carries over), so a transaction that resolved the
    // old entry fails its commit-time isCurrent() check and retries.
    const std::vector<IndexPtr> indexes;
    // Number of documents as of the last commit.
    std::atomic<int64_t> count{0};

    std::string uri() const { return "table:" + ident; }
    IndexPtr findIndex(std::string_view name) const;
};
using CollectionPtr = std::shared_ptr<CollectionEntry>;

// The `_mdb_catalog` row of an entry, and back. parseCatalogRow checks every field's type.
BsonObj catalogRow(const CollectionEntry& entry);
StatusWith<CollectionPtr> parseCatalogRow(BsonView row);

class Catalog {
public:
    // nullptr when absent.
    CollectionPtr lookup(std::string_view ns) const;
    CollectionPtr lookupByUuid(const CollectionUuid& uuid) const;
    // Whether `entry` is still the incarnation registered under its namespace.
    bool isCurrent(const CollectionPtr& entry) const;
    std::vector<CollectionPtr> all() const;
    std::vector<CollectionPtr> inDatabase(std::string_view db) const;

    void add(CollectionPtr entry);
    void remove(const std::string& ns);

private:
    mutable std::shared_mutex _mutex;
    std::map<std::string, CollectionPtr, std::less<>> _byNs;
};

}  // namespace mongosd::storage
