#include "shard/storage/engine_core.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <random>

#include "shard/storage/txn_state.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {
namespace {

constexpr const char* kDocumentTableConfig =
    "key_format=u,value_format=u,log=(enabled=false),exclusive=true";

}  // namespace

EngineCore::EngineCore(StorageOptions options_, WT_CONNECTION* conn_)
    : options(std::move(options_)),
      conn(conn_),
      sessions(conn_),
      journal([this] { return flushLog(); }, [this] { return lastCommitted(); }),
      _identSuffix(
          std::to_string(std::random_device{}() | (uint64_t(std::random_device{}()) << 32))) {}

EngineCore::~EngineCore() { invariant(!_flusher.joinable() && !_checkpointer.joinable()); }

Status EngineCore::startUp() {
    MONGOSD_RETURN_IF_ERROR(createOwnTables());
    MONGOSD_RETURN_IF_ERROR(recover());
    _flusher = std::thread([this] { runFlusher(); });
    _checkpointer = std::thread([this] { runCheckpointer(); });
    _started = true;
    return Status::OK();
}

void EngineCore::shutDown() {
    {
        std::lock_guard lk(_threadMutex);
        _stopping = true;
    }
    _threadWake.notify_all();
    if (_flusher.joinable()) _flusher.join();
    if (_checkpointer.joinable()) _checkpointer.join();
    invariantMsg(sessions.inUse() == 0, "StorageEngine destroyed with transactions open");
    if (_started) {
        Status status = checkpoint();
        if (!status.isOK()) spdlog::error("storage: final checkpoint: {}", status.toString());
        dropPendingTables();
    }
    sessions.closeIdle();
}

Status EngineCore::createOwnTables() {
    auto session = sessions.acquire();
    if (!session.isOK()) return session.getStatus();
    WT_SESSION* s = session.getValue()->get();
    // The catalog and the oplog are journaled; recovery trusts them up to the last flush.
    const char* logged = "key_format=u,value_format=u,log=(enabled=true)";
    MONGOSD_RETURN_IF_ERROR(wtStatus(s->create(s, kCatalogUri, logged), "create catalog"));
    MONGOSD_RETURN_IF_ERROR(wtStatus(s->create(s, kOplogUri, logged), "create oplog"));
    MONGOSD_RETURN_IF_ERROR(
        wtStatus(s->create(s, kOplogTruncationUri, logged), "create oplogTruncation"));
    // Counts as of each checkpoint's stable timestamp (invariant 4): not journaled.
    MONGOSD_RETURN_IF_ERROR(
        wtStatus(s->create(s, kSizeStorerUri, "key_format=u,value_format=u,log=(enabled=false)"),
                 "create sizeStorer"));
    return Status::OK();
}

OpTime EngineCore::lastCommitted() const {
    std::lock_guard lk(_lastCommittedMutex);
    return _lastCommitted;
}

std::shared_ptr<CollectionGate> EngineCore::gateFor(std::string_view ns) {
    std::lock_guard lk(_gateMutex);
    auto it = _gates.find(ns);
    if (it != _gates.end()) return it->second;
    auto gate = std::make_shared<CollectionGate>();
    _gates.emplace(std::string(ns), gate);
    return gate;
}

StatusWith<std::string> EngineCore::createIdent(const char* prefix) {
    auto session = sessions.acquire();
    if (!session.isOK()) return session.getStatus();
    WT_SESSION* s = session.getValue()->get();
    for (;;) {
        std::string ident =
            prefix + std::to_string(_nextIdent.fetch_add(1)) + "-" + _identSuffix;
        std::string uri = "table:" + ident;
        int ret = s->create(s, uri.c_str(), kDocumentTableConfig);
        if (ret == EEXIST) continue;  // not expected with a fresh suffix; harmless
        if (ret != 0) return wtError(ret, "create " + uri);
        return ident;
    }
}

void EngineCore::scheduleDrop(std::string ident, Timestamp droppableAt) {
    std::lock_guard lk(_dropMutex);
    _pendingDrops.push_back(PendingDrop{std::move(ident), droppableAt});
}

void EngineCore::dropPendingTables() {
    const Timestamp durable = journal.durable().ts;
    std::vector<PendingDrop> ready;
    {
        std::lock_guard lk(_dropMutex);
        auto notReady = [&](const PendingDrop& d) { return d.droppableAt > durable; };
        auto it = std::stable_partition(_pendingDrops.begin(), _pendingDrops.end(), notReady);
        ready.assign(std::make_move_iterator(it), std::make_move_iterator(_pendingDrops.end()));
        _pendingDrops.erase(it, _pendingDrops.end());
    }
    if (ready.empty()) return;
    // Our cached cursors would keep the tables busy.
    sessions.invalidateCursors();
    auto session = sessions.acquire();
    std::vector<PendingDrop> retry;
    for (auto& drop : ready) {
        int ret = EBUSY;
        if (session.isOK()) {
            WT_SESSION* s = session.getValue()->get();
            std::string uri = "table:" + drop.ident;
            ret = s->drop(s, uri.c_str(), "force=true");
        }
        // EBUSY: a transaction still has a cursor on it, or a checkpoint runs; next round.
        if (ret != 0) retry.push_back(std::move(drop));
    }
    if (!retry.empty()) {
        std::lock_guard lk(_dropMutex);
        for (auto& drop : retry) _pendingDrops.push_back(std::move(drop));
    }
}

Status EngineCore::flushLog() {
    auto session = sessions.acquire();
    if (!session.isOK()) return session.getStatus();
    WT_SESSION* s = session.getValue()->get();
    return wtStatus(s->log_flush(s, "sync=on"), "log_flush");
}

void EngineCore::runFlusher() {
    std::unique_lock lk(_threadMutex);
    while (!_stopping) {
        _threadWake.wait_for(lk, options.journalCommitInterval);
        if (_stopping) break;
        lk.unlock();
        if (journal.durable().ts < lastCommitted().ts) {
            Status status = journal.flushAll();
            if (!status.isOK()) spdlog::error("storage: journal flush: {}", status.toString());
        }
        Status advanced = advanceStableTimestamp();
        if (!advanced.isOK()) spdlog::error("storage: stable timestamp: {}", advanced.toString());
        dropPendingTables();
        lk.lock();
    }
}

void EngineCore::runCheckpointer() {
    std::unique_lock lk(_threadMutex);
    while (!_stopping) {
        _threadWake.wait_for(lk, options.checkpointInterval);
        if (_stopping) break;
        lk.unlock();
        Status status = checkpoint();
        if (!status.isOK()) spdlog::error("storage: checkpoint: {}", status.toString());
        lk.lock();
    }
}

}  // namespace mongosd::storage
