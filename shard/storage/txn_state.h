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

    Status insertDoc(std::string_view ns, BsonView doc);
    Status updateDoc(std::string_view ns, BsonView postImage);
    Status removeDoc(std::string_view ns, const bson_iter_t& id);

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
    std::vector<std::pair<CollectionPtr, int64_t>> countDeltas;
    std::vector<std::string> createdIdents;  // removed from disk unless committed
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
