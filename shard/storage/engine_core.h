#pragma once
// EngineCore: the state StorageEngine, its transactions and its background threads share.
// Internal to shard/storage; callers use StorageEngine, ReadTxn and WriteTxn.
//
// Invariants (the numbers are referred to in the .cpp files):
//  1. Timestamps are allocated, stamped into oplog entries and committed while _commitMutex
//     is held, in increasing order, and lastCommitted advances only after a successful WT
//     commit. So commits become visible in timestamp order and the oplog has no holes that a
//     reader could see and later find filled.
//  2. The catalog mirror and every collection count change only under _commitMutex, right
//     after the WT commit of the same change (catalog.h, invariant 1).
//  3. A dropped collection's table is removed from disk only once the drop's oplog entry is
//     durable, so no crash can bring back a catalog entry whose table is gone.
//  4. Checkpoints run at a stable timestamp that is durable; the sizeStorer rows written at
//     that same timestamp hold the exact counts the checkpointed tables contain.
//  5. Between checkpoints the stable and oldest timestamps follow the durable point (the
//     flusher moves them), never past it, and never while a checkpoint runs (both take
//     _checkpointMutex): WiredTiger can then discard old versions continuously instead of
//     holding every update since the last checkpoint in its cache.

#include <wiredtiger.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/optime.h"
#include "common/status.h"
#include "shard/storage/catalog.h"
#include "shard/storage/collection_gate.h"
#include "shard/storage/journal.h"
#include "shard/storage/session_pool.h"
#include "shard/storage/storage_options.h"

namespace mongosd::storage {

struct TxnState;

constexpr const char* kCatalogUri = "table:_mdb_catalog";
constexpr const char* kOplogUri = "table:oplog";
constexpr const char* kSizeStorerUri = "table:sizeStorer";
constexpr const char* kOplogTruncationUri = "table:oplogTruncation";
constexpr const char* kIdentPrefix = "collection-";
constexpr const char* kIndexIdentPrefix = "index-";
// The sizeStorer row holding the oplog's appended bytes; collection rows have 16-byte keys.
inline constexpr std::string_view kOplogSizeKey = "oplog";

// What startup recovery did, for logs and tests.
struct RecoveryStats {
    Timestamp checkpointTs;  // the stable timestamp of the checkpoint recovery started from
    uint64_t entriesReplayed = 0;
    uint64_t entriesSkipped = 0;  // for collections dropped later
    uint64_t orphanTablesDropped = 0;
    uint64_t indexesRebuilt = 0;
};

class EngineCore {
public:
    EngineCore(StorageOptions options, WT_CONNECTION* conn);
    ~EngineCore();

    // Creates the engine's own tables when missing, runs recovery, starts the threads.
    Status startUp();
    // Stops the threads, takes the final checkpoint and closes WiredTiger.
    void shutDown();

    // Commits a write transaction (commit path; invariant 1). Ends the WT transaction.
    StatusWith<OpTime> commit(TxnState& txn);

    // Creates an empty document (or index) table and returns its ident. Uses its own session:
    // WT schema operations are not transactional.
    StatusWith<std::string> createIdent(const char* prefix = kIdentPrefix);
    // The gate of a namespace (collection_gate.h); one per namespace for the process's life.
    std::shared_ptr<CollectionGate> gateFor(std::string_view ns);
    // Removes the table once `droppableAt` is durable (invariant 3); null = at once.
    void scheduleDrop(std::string ident, Timestamp droppableAt);
    void dropPendingTables();

    Status checkpoint();
    OpTime lastCommitted() const;
    int64_t term() const { return _term.load(); }
    void setTerm(int64_t term) { _term.store(term); }
    uint64_t commitCount() const { return _commits.load(); }
    // Bytes of oplog entries currently kept (appended minus truncated).
    int64_t oplogBytes() const { return _oplogAppendedBytes.load() - _oplogTruncatedBytes.load(); }

    const StorageOptions options;
    WT_CONNECTION* const conn;
    SessionPool sessions;
    Catalog catalog;
    Journal journal;
    RecoveryStats recoveryStats;

private:
    struct PendingDrop {
        std::string ident;
        Timestamp droppableAt;
    };

    Status createOwnTables();
    Status recover();
    Status loadCatalog(WtSession* session);
    Status loadCounts(WtSession* session);
    Status replayOplog(Timestamp from);
    Status loadLastOpTime(WtSession* session);
    Status dropOrphanTables(WtSession* session);
    // Rebuilds the indexes in _indexesToRebuild from their recovered collections.
    Status rebuildIndexes();
    // Writes a catalog row outside the commit path (recovery only: no oplog entry).
    Status writeCatalogRow(WtSession* session, const CollectionEntry& coll);
    Status writeSizeStorer(WtSession* session, Timestamp at);
    Status loadOplogTruncation(WtSession* session);
    Status truncateOplog(WtSession* session);
    StatusWith<int64_t> truncateOplogBatch(WtSession* session, int64_t excess);
    Status flushLog();
    Timestamp nextTimestamp(Timestamp last) const;
    Status appendOplogEntries(TxnState& txn, OpTime* last, int64_t* bytes);
    void publishCommit(TxnState& txn, OpTime opTime, int64_t oplogBytes);
    void runFlusher();
    void runCheckpointer();
    // Moves stable_timestamp and oldest_timestamp up to the durable point (invariant 5).
    Status advanceStableTimestamp();

    std::mutex _commitMutex;
    mutable std::mutex _lastCommittedMutex;
    OpTime _lastCommitted;
    std::atomic<int64_t> _term{1};
    std::atomic<uint64_t> _commits{0};
    // Oplog size accounting, exact across crashes: appended bytes are persisted with the
    // counts at each checkpoint (and replay adds the entries after it); truncated bytes are
    // persisted in the journaled oplogTruncation table in the transaction that truncates.
    std::atomic<int64_t> _oplogAppendedBytes{0};
    std::atomic<int64_t> _oplogTruncatedBytes{0};
    // Idents are "collection-<n>-<suffix>" with a random suffix per process: a name is never
    // reused, not even after its table was dropped, because WiredTiger's recovery could
    // otherwise pair a new table with an old checkpoint of the same name.
    std::atomic<uint64_t> _nextIdent{1};
    const std::string _identSuffix;

    std::mutex _checkpointMutex;
    Timestamp _lastCheckpointTs;
    Timestamp _stableTs;  // the stable (and oldest) timestamp last given to WiredTiger

    // Idents of indexes recovery rebuilds (startup only).
    std::set<std::string> _indexesToRebuild;

    std::mutex _gateMutex;
    std::map<std::string, std::shared_ptr<CollectionGate>, std::less<>> _gates;

    std::mutex _dropMutex;
    std::vector<PendingDrop> _pendingDrops;

    std::mutex _threadMutex;
    std::condition_variable _threadWake;
    bool _stopping = false;
    bool _started = false;
    std::thread _flusher;
    std::thread _checkpointer;
};

}  // namespace mongosd::storage
