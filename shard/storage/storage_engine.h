#pragma once
// StorageEngine: the WiredTiger-backed store of one shard member (DESIGN.md §5).
//
// One WiredTiger database per dbpath holding: the catalog (journaled), one unjournaled table
// per collection keyed by KeyString(_id) with the BSON document as value, the oplog
// (journaled, keyed by timestamp) and the sizeStorer (document counts as of each checkpoint).
// Every write commits in one WiredTiger transaction together with its oplog entry, stamped
// with that entry's timestamp. Durability comes from the journaled oplog plus checkpoints;
// recovery replays the oplog written after the last checkpoint. See docs/storage.md.
//
// A standalone server is a one-member replica set: writes carry term 1 unless setTerm() says
// otherwise, and "durable" is also "majority committed".
//
// Thread safety: every method may be called from many threads at once. Transactions belong
// to the thread using them, and all of them must be finished before the engine is destroyed.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bson.h"
#include "common/optime.h"
#include "common/status.h"
#include "shard/storage/storage_options.h"
#include "shard/storage/txn.h"

namespace mongosd::storage {

class EngineCore;

struct CollectionInfo {
    std::string ns;
    std::string uuid;  // 8-4-4-4-12 hex
    std::string ident;
    BsonObj options;
};

struct CollectionStats {
    int64_t count = 0;
    int64_t sizeOnDisk = 0;  // bytes of the collection's table file
};

struct DatabaseInfo {
    std::string name;
    int64_t sizeOnDisk = 0;
    bool empty = true;  // no documents in any of its collections
};

struct CreateIndexesResult {
    int numIndexesBefore = 0;  // counting _id
    int numIndexesAfter = 0;
    bool createdCollectionAutomatically = false;
    bool allExisted = false;  // every spec named an existing, identical index
    OpTime opTime;            // of the last change made (the last applied optime if none)
};

struct DropIndexesResult {
    int nIndexesWas = 0;  // counting _id
    OpTime opTime;
};

struct ValidateResult {
    int64_t nrecords = 0;
    int64_t countBefore = 0;  // the collection's document count as the engine keeps it
    std::vector<std::pair<std::string, int64_t>> keysPerIndex;  // _id_ first
    std::vector<std::string> errors;                             // empty: valid
};

// What startup recovery found and did.
struct RecoveryInfo {
    Timestamp checkpointTs;
    uint64_t entriesReplayed = 0;
    uint64_t entriesSkipped = 0;
    uint64_t orphanTablesDropped = 0;
    uint64_t indexesRebuilt = 0;
};

class StorageEngine {
public:
    // Opens (creating when needed) the database in options.dbpath, runs startup recovery and
    // starts the journal flusher and checkpoint threads.
    static StatusWith<std::unique_ptr<StorageEngine>> open(const StorageOptions& options);
    // Clean shutdown: stops the threads, flushes the journal, takes a final checkpoint and
    // closes WiredTiger.
    ~StorageEngine();
    StorageEngine(const StorageEngine&) = delete;
    StorageEngine& operator=(const StorageEngine&) = delete;

    // A write transaction on the latest data (txn.h).
    StatusWith<WriteTxn> beginWrite();
    // A read snapshot of the latest committed data, or as of `readAt` (which must not be older
    // than the last checkpoint's stable timestamp).
    StatusWith<ReadTxn> beginRead(std::optional<Timestamp> readAt = std::nullopt);

    // Catalog. Each change commits with its "c" oplog entry and returns that entry's optime
    // (pass it to waitForDurable for j:true).
    // NamespaceExists, InvalidNamespace.
    StatusWith<OpTime> createCollection(std::string_view ns, BsonView options = BsonView());
    // NamespaceNotFound.
    StatusWith<OpTime> dropCollection(std::string_view ns);
    // Drops every collection of `db`; without any it changes nothing and returns the last
    // applied optime.
    StatusWith<OpTime> dropDatabase(std::string_view db);
    // Builds the indexes of `specs` (createIndexes' format, validated here) on `ns`, creating
    // the collection when needed. Writers to `ns` wait while the indexes are built; readers do
    // not. The build is crash-safe: a crash before the catalog change leaves no index (its
    // table is dropped at startup), one after it is rebuilt by recovery (docs/indexes.md).
    // CannotCreateIndex, IndexOptionsConflict (85), IndexKeySpecsConflict (86), DuplicateKey
    // (unique over existing duplicates), CannotIndexParallelArrays, IndexBuildAborted (the
    // collection was dropped meanwhile).
    StatusWith<CreateIndexesResult> createIndexes(std::string_view ns,
                                                  const std::vector<BsonObj>& specs);
    // Drops indexes by name ("*": all but _id) or, when keyPattern is not empty, the one with
    // that key pattern. NamespaceNotFound, IndexNotFound (27), InvalidOptions (72) for _id_.
    StatusWith<DropIndexesResult> dropIndexes(std::string_view ns,
                                              const std::vector<std::string>& names,
                                              BsonView keyPattern = BsonView());
    // Checks, in one snapshot, that every index of `ns` holds exactly the rows its documents
    // call for (no missing, extra or misdirected row) and that the kept document count is
    // right. NamespaceNotFound.
    StatusWith<ValidateResult> validate(std::string_view ns);
    // The specs of every index of `ns`, _id first. NamespaceNotFound.
    StatusWith<std::vector<BsonObj>> listIndexes(std::string_view ns) const;

    std::vector<DatabaseInfo> listDatabases() const;
    std::vector<CollectionInfo> listCollections(std::string_view db) const;
    bool collectionExists(std::string_view ns) const;
    // NamespaceNotFound.
    StatusWith<CollectionStats> collectionStats(std::string_view ns) const;

    // Blocks until the journal holds every write up to `opTime` (group commit: concurrent
    // callers share flushes). BadValue for an optime not yet committed.
    Status waitForDurable(const OpTime& opTime);
    // Takes a checkpoint at the durable timestamp now (tests; the thread does it periodically).
    Status checkpointNow();

    OpTime lastAppliedOpTime() const;
    OpTime lastDurableOpTime() const;
    // The term stamped on new oplog entries (1 for a standalone server).
    void setTerm(int64_t term);
    int64_t term() const;

    // Counters for tests and serverStatus.
    uint64_t journalFlushCount() const;
    uint64_t commitCount() const;
    // Bytes of oplog entries kept (StorageOptions::oplogMaxBytes bounds it at checkpoints).
    int64_t oplogSizeBytes() const;
    RecoveryInfo recoveryInfo() const;

private:
    explicit StorageEngine(std::unique_ptr<EngineCore> core);
    std::unique_ptr<EngineCore> _core;
};

}  // namespace mongosd::storage
