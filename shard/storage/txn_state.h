#pragma once
// TxnState: the state behind a ReadTxn / WriteTxn, and the operations that change it.
// Internal to shard/storage. One thread at a time (the transaction's owner).

#include <wiredtiger.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/bson.h"
#include "common/optime.h"
#include "common/status.h"
#include "shard/storage/catalog.h"
#include "shard/storage/collection_gate.h"
#include "shard/storage/oplog_entry.h"
#include "shard/storage/session_pool.h"

namespace mongosd::storage {

class EngineCore;

struct TxnState {
    TxnState(EngineCore* core, SessionPool::Handle session)
        : core(core), session(std::move(session)) {}
    // Rolls back if still active, schedules removal of tables this transaction created.
    ~TxnState();
    TxnState(const TxnState&) = delete;
    TxnState& operator=(const TxnState&) = delete;

    // Begins the WT transaction (snapshot isolation; at `readAt` when given).
    Status begin(std::optional<Timestamp> readAt);
    // Rolls back the WT transaction if it is active; the state can then only be destroyed.
    void rollback();

    StatusWith<WT_CURSOR*> checkout(const std::string& uri, CursorMode mode);
    void giveBack(WT_CURSOR* cursor, CursorMode mode);

    // The collection a write to `ns` goes to; creates it (in this transaction) when
    // `autoCreate`, NamespaceNotFound otherwise.
    StatusWith<CollectionPtr> resolveForWrite(std::string_view ns, bool autoCreate);
    StatusWith<CollectionPtr> createCollection(std::string_view ns, BsonView options);
    Status dropCollection(std::string_view ns);
    Status dropDatabase(std::string_view db);
    // Replaces the catalog row of `current` by `next` (same ns, uuid and ident; a different
    // index list) and records each of `entries` as a "c" oplog entry on its database. The old index tables
    // in `droppedIdents` are removed once the change is durable.
    Status replaceCollection(const CollectionPtr& current, CollectionPtr next,
                             const std::vector<BsonObj>& entries,
                             std::vector<std::string> droppedIdents);

    // Holds `ns`'s gate shared until this transaction ends (collection_gate.h).
    void holdGate(std::string_view ns);

    Status insertDoc(std::string_view ns, BsonView doc);
    Status updateDoc(std::string_view ns, BsonView postImage);
    Status removeDoc(std::string_view ns, const bson_iter_t& id);

    // Keeps every index of `coll` in step with a document going from `before` to `after`
    // (an empty view: no document), whose KeyString(_id) is idKey. Index keys common to both
    // are left alone. index_writes.cpp.
    Status updateIndexes(const CollectionPtr& coll, BsonView before, BsonView after,
                         std::string_view idKey);
    // Rewrites the catalog row of `coll` (its multikey flags changed) in this transaction.
    Status rewriteCatalogRow(const CollectionEntry& coll);

    // Records a WT failure: the transaction can only roll back now. Returns `status`.
    Status poison(Status status);

    EngineCore* const core;
    SessionPool::Handle session;
    bool active = false;
    int openCursors = 0;

    // What commit must do (EngineCore::commit).
    std::vector<PendingOplogEntry> oplog;
    std::vector<CollectionPtr> touched;  // must still be current at commit
    std::vector<CollectionPtr> added;
    std::vector<CollectionPtr> removed;
    std::vector<std::pair<CollectionPtr, CollectionPtr>> replaced;  // (old, new)
    std::vector<std::string> identsToDrop;                          // at commit, when durable
    std::vector<std::pair<CollectionPtr, int64_t>> countDeltas;
    std::vector<std::string> createdIdents;  // removed from disk unless committed
    std::vector<std::shared_ptr<CollectionGate>> heldGates;  // shared, released at the end
    bool committed = false;
    bool userWriteDone = false;
    Status poisoned;
};

// A cursor checked out of the transaction's session for the length of one operation.
class ScopedCursor {
public:
    ScopedCursor(TxnState* txn, WT_CURSOR* cursor, CursorMode mode)
        : _txn(txn), _cursor(cursor), _mode(mode) {}
    ~ScopedCursor() { _txn->giveBack(_cursor, _mode); }
    ScopedCursor(const ScopedCursor&) = delete;
    ScopedCursor& operator=(const ScopedCursor&) = delete;
    WT_CURSOR* operator->() const { return _cursor; }
    WT_CURSOR* get() const { return _cursor; }

private:
    TxnState* _txn;
    WT_CURSOR* _cursor;
    CursorMode _mode;
};

// Formats an _id value for error messages: `{ _id: 1 }`, `{ _id: "a" }`.
std::string formatIdForMessage(const bson_iter_t& id);

}  // namespace mongosd::storage
