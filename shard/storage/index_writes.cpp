// Index maintenance inside a write transaction: the index rows of a document follow it from
// its old version to its new one (catalog.h, IndexEntry, for the row format).
#include <algorithm>

#include "common/key_string.h"
#include "shard/storage/engine_core.h"
#include "shard/storage/index_table.h"
#include "shard/storage/txn_state.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {

Status maintainIndexes(WtSession* session, const std::string& ns,
                       const std::vector<IndexPtr>& indexes, BsonView before, BsonView after,
                       std::string_view idKey, bool* flagsChanged) {
    for (const auto& index : indexes) {
        auto oldKeys = indexKeysOf(*index, before);
        if (!oldKeys.isOK()) return oldKeys.getStatus();
        auto newKeys = indexKeysOf(*index, after);
        if (!newKeys.isOK()) return newKeys.getStatus();
        for (size_t f = 0; f < newKeys.getValue().multikey.size(); ++f) {
            // Set before this write commits: a reader that sees the write sees the flag.
            if (newKeys.getValue().multikey[f] && !index->multikey[f].exchange(true)) {
                *flagsChanged = true;
            }
        }
        const auto& from = oldKeys.getValue().keys;
        const auto& to = newKeys.getValue().keys;
        std::vector<std::string> gone, added;
        std::set_difference(from.begin(), from.end(), to.begin(), to.end(),
                            std::back_inserter(gone));
        std::set_difference(to.begin(), to.end(), from.begin(), from.end(),
                            std::back_inserter(added));
        if (gone.empty() && added.empty()) continue;

        SessionCursor c(session, CursorMode::kOverwrite);
        MONGOSD_RETURN_IF_ERROR(c.open(index->uri()));
        for (const auto& key : gone) {
            std::string row = indexRowKey(*index, key, idKey);
            WT_ITEM k = makeItem(row.data(), row.size());
            c->set_key(c.get(), &k);
            int ret = c->remove(c.get());
            if (ret != 0 && ret != WT_NOTFOUND) return wtError(ret, "remove index key");
        }
        if (added.empty()) continue;
        if (!index->unique) {
            for (const auto& key : added) {
                std::string row = indexRowKey(*index, key, idKey);
                WT_ITEM k = makeItem(row.data(), row.size());
                WT_ITEM v = makeItem(idKey.data(), idKey.size());
                c->set_key(c.get(), &k);
                c->set_value(c.get(), &v);
                MONGOSD_RETURN_IF_ERROR(wtStatus(c->insert(c.get()), "insert index key"));
            }
            continue;
        }
        // Unique: the key alone is the row key, so a second document with it collides in
        // WiredTiger (WT_DUPLICATE_KEY, or a write conflict while the first is uncommitted).
        SessionCursor u(session, CursorMode::kStrict);
        MONGOSD_RETURN_IF_ERROR(u.open(index->uri()));
        for (const auto& key : added) {
            WT_ITEM k = makeItem(key.data(), key.size());
            WT_ITEM v = makeItem(idKey.data(), idKey.size());
            u->set_key(u.get(), &k);
            u->set_value(u.get(), &v);
            int ret = u->insert(u.get());
            if (ret == WT_DUPLICATE_KEY) return duplicateKeyError(ns, *index, key);
            if (ret != 0) return wtError(ret, "insert unique index key");
        }
    }
    return Status::OK();
}

Status TxnState::updateIndexes(const CollectionPtr& coll, BsonView before, BsonView after,
                               std::string_view idKey) {
    bool flagsChanged = false;
    MONGOSD_RETURN_IF_ERROR(
        maintainIndexes(session.get(), coll->ns, coll->indexes, before, after, idKey,
                        &flagsChanged));
    if (flagsChanged) return rewriteCatalogRow(*coll);
    return Status::OK();
}

Status TxnState::rewriteCatalogRow(const CollectionEntry& coll) {
    auto cursor = checkout(kCatalogUri, CursorMode::kOverwrite);
    if (!cursor.isOK()) return cursor.getStatus();
    ScopedCursor c(this, cursor.getValue(), CursorMode::kOverwrite);
    BsonObj row = catalogRow(coll);
    WT_ITEM k = makeItem(coll.ns.data(), coll.ns.size());
    WT_ITEM v = makeItem(row.data(), row.size());
    c->set_key(c.get(), &k);
    c->set_value(c.get(), &v);
    return wtStatus(c->insert(c.get()), "rewrite catalog row");
}

}  // namespace mongosd::storage
