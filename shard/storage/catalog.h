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
#include "common/status.h"

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

struct CollectionEntry {
    CollectionEntry(std::string ns_, CollectionUuid uuid_, std::string ident_, BsonObj options_)
        : ns(std::move(ns_)), uuid(uuid_), ident(std::move(ident_)), options(std::move(options_)) {}

    const std::string ns;
    const CollectionUuid uuid;
    // The WiredTiger table holding the documents: "table:<ident>".
    const std::string ident;
    const BsonObj options;
    // Number of documents as of the last commit.
    std::atomic<int64_t> count{0};

    std::string uri() const { return "table:" + ident; }
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
