#include "shard/storage/storage_engine.h"

#include <spdlog/spdlog.h>
#include <wiredtiger.h>

#include <cerrno>
#include <filesystem>
#include <map>

#include "shard/storage/engine_core.h"
#include "shard/storage/namespace_util.h"
#include "shard/storage/txn_state.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {
namespace {

int onWtError(WT_EVENT_HANDLER*, WT_SESSION*, int error, const char* message) {
    // EBUSY from dropping a table still in use is expected: the drop is retried later.
    if (error == EBUSY) {
        spdlog::debug("wiredtiger: {}", message);
    } else {
        spdlog::error("wiredtiger: {}", message);
    }
    return 0;
}

int onWtMessage(WT_EVENT_HANDLER*, WT_SESSION*, const char* message) {
    spdlog::info("wiredtiger: {}", message);
    return 0;
}

WT_EVENT_HANDLER gEventHandler = {onWtError, onWtMessage, nullptr, nullptr};

std::string connectionConfig(const StorageOptions& options) {
    return "create,cache_size=" + std::to_string(options.cacheSizeMB) +
           "M,session_max=2000,cache_cursors=false,statistics=(fast),"
           // The journal: commits append to the log buffer; waitForDurable flushes it.
           "log=(enabled=true,archive=true),transaction_sync=(enabled=false)";
}

int64_t tableSize(EngineCore& core, const std::string& ident) {
    auto session = core.sessions.acquire();
    if (!session.isOK()) return 0;
    WT_SESSION* s = session.getValue()->get();
    std::string uri = "statistics:table:" + ident;
    WT_CURSOR* c = nullptr;
    // statistics=(size) reads the file size without opening the table.
    if (s->open_cursor(s, uri.c_str(), nullptr, "statistics=(size)", &c) != 0) return 0;
    int64_t size = 0;
    c->set_key(c, WT_STAT_DSRC_BLOCK_SIZE);
    if (c->search(c) == 0) {
        const char* desc;
        const char* printable;
        c->get_value(c, &desc, &printable, &size);
    }
    c->close(c);
    return size;
}

}  // namespace

StatusWith<std::unique_ptr<StorageEngine>> StorageEngine::open(const StorageOptions& options) {
    std::error_code ec;
    std::filesystem::create_directories(options.dbpath, ec);
    if (ec) {
        return Status(ErrorCodes::InternalError,
                      "cannot create dbpath " + options.dbpath + ": " + ec.message());
    }
    WT_CONNECTION* conn = nullptr;
    std::string config = connectionConfig(options);
    int ret = wiredtiger_open(options.dbpath.c_str(), &gEventHandler, config.c_str(), &conn);
    if (ret != 0) return wtError(ret, "wiredtiger_open " + options.dbpath);
    auto core = std::make_unique<EngineCore>(options, conn);
    Status status = core->startUp();
    if (!status.isOK()) {
        core->shutDown();
        core.reset();
        conn->close(conn, nullptr);
        return status;
    }
    return std::unique_ptr<StorageEngine>(new StorageEngine(std::move(core)));
}

StorageEngine::StorageEngine(std::unique_ptr<EngineCore> core) : _core(std::move(core)) {}

StorageEngine::~StorageEngine() {
    WT_CONNECTION* conn = _core->conn;
    _core->shutDown();
    _core.reset();
    int ret = conn->close(conn, nullptr);
    if (ret != 0) spdlog::error("storage: close: {}", wiredtiger_strerror(ret));
}

StatusWith<WriteTxn> StorageEngine::beginWrite() {
    auto session = _core->sessions.acquire();
    if (!session.isOK()) return session.getStatus();
    auto state = std::make_unique<TxnState>(_core.get(), std::move(session.getValue()));
    MONGOSD_RETURN_IF_ERROR(state->begin(std::nullopt));
    return WriteTxn(std::move(state));
}

StatusWith<ReadTxn> StorageEngine::beginRead(std::optional<Timestamp> readAt) {
    auto session = _core->sessions.acquire();
    if (!session.isOK()) return session.getStatus();
    auto state = std::make_unique<TxnState>(_core.get(), std::move(session.getValue()));
    MONGOSD_RETURN_IF_ERROR(state->begin(readAt));
    return ReadTxn(std::move(state));
}

StatusWith<OpTime> StorageEngine::createCollection(std::string_view ns, BsonView options) {
    return retryOnWriteConflict([&]() -> StatusWith<OpTime> {
        auto txn = beginWrite();
        if (!txn.isOK()) return txn.getStatus();
        auto created = txn.getValue()._state->createCollection(ns, options);
        if (!created.isOK()) return created.getStatus();
        return txn.getValue().commit();
    });
}

StatusWith<OpTime> StorageEngine::dropCollection(std::string_view ns) {
    return retryOnWriteConflict([&]() -> StatusWith<OpTime> {
        auto txn = beginWrite();
        if (!txn.isOK()) return txn.getStatus();
        MONGOSD_RETURN_IF_ERROR(txn.getValue()._state->dropCollection(ns));
        return txn.getValue().commit();
    });
}

StatusWith<OpTime> StorageEngine::dropDatabase(std::string_view db) {
    return retryOnWriteConflict([&]() -> StatusWith<OpTime> {
        auto txn = beginWrite();
        if (!txn.isOK()) return txn.getStatus();
        MONGOSD_RETURN_IF_ERROR(txn.getValue()._state->dropDatabase(db));
        return txn.getValue().commit();
    });
}

std::vector<DatabaseInfo> StorageEngine::listDatabases() const {
    std::map<std::string, DatabaseInfo, std::less<>> byName;
    for (const auto& entry : _core->catalog.all()) {
        std::string_view db = dbOf(entry->ns);
        DatabaseInfo& info = byName[std::string(db)];
        info.name = db;
        info.sizeOnDisk += tableSize(*_core, entry->ident);
        if (entry->count.load() > 0) info.empty = false;
    }
    std::vector<DatabaseInfo> out;
    for (auto& [name, info] : byName) out.push_back(std::move(info));
    return out;
}

std::vector<CollectionInfo> StorageEngine::listCollections(std::string_view db) const {
    std::vector<CollectionInfo> out;
    for (const auto& entry : _core->catalog.inDatabase(db)) {
        out.push_back(
            CollectionInfo{entry->ns, entry->uuid.toString(), entry->ident, entry->options});
    }
    return out;
}

bool StorageEngine::collectionExists(std::string_view ns) const {
    return _core->catalog.lookup(ns) != nullptr;
}

StatusWith<CollectionStats> StorageEngine::collectionStats(std::string_view ns) const {
    CollectionPtr entry = _core->catalog.lookup(ns);
    if (!entry) {
        return Status(ErrorCodes::NamespaceNotFound, "ns not found: " + std::string(ns));
    }
    return CollectionStats{entry->count.load(), tableSize(*_core, entry->ident)};
}

Status StorageEngine::waitForDurable(const OpTime& opTime) {
    return _core->journal.waitUntilDurable(opTime.ts);
}

Status StorageEngine::checkpointNow() { return _core->checkpoint(); }

OpTime StorageEngine::lastAppliedOpTime() const { return _core->lastCommitted(); }
OpTime StorageEngine::lastDurableOpTime() const { return _core->journal.durable(); }
void StorageEngine::setTerm(int64_t term) { _core->setTerm(term); }
int64_t StorageEngine::term() const { return _core->term(); }
uint64_t StorageEngine::journalFlushCount() const { return _core->journal.flushCount(); }
uint64_t StorageEngine::commitCount() const { return _core->commitCount(); }
int64_t StorageEngine::oplogSizeBytes() const { return _core->oplogBytes(); }

RecoveryInfo StorageEngine::recoveryInfo() const {
    const RecoveryStats& r = _core->recoveryStats;
    return RecoveryInfo{r.checkpointTs, r.entriesReplayed, r.entriesSkipped, r.orphanTablesDropped,
                        r.indexesRebuilt};
}

}  // namespace mongosd::storage
