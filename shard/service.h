#pragma once
// ShardService: one shard member's state (a standalone server is a one-member replica set):
// the storage engine, the cursor table, counters, and the command entry point every transport
// calls. Thread-safe: transports call runCommand from many worker threads at once.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "common/bson.h"
#include "shard/cursor_manager.h"
#include "shard/query_plan.h"
#include "shard/ttl_monitor.h"

namespace mongosd::storage {
class StorageEngine;
}

namespace mongosd::shard {

struct ShardServiceOptions {
    std::string dbpath;
    std::chrono::milliseconds checkpointInterval{60000};
    std::chrono::milliseconds cursorIdleTimeout{10 * 60 * 1000};
    size_t cacheSizeMB = 256;
    std::chrono::milliseconds ttlMonitorInterval{60000};
};

// Operation counters reported by serverStatus (MongoDB's opcounters).
struct OpCounters {
    std::atomic<uint64_t> insert{0}, query{0}, update{0}, remove{0}, getmore{0}, command{0};
};

class ShardService {
public:
    // Opens (and recovers) the storage engine under options.dbpath.
    static StatusWith<std::unique_ptr<ShardService>> open(const ShardServiceOptions& options);
    ~ShardService();

    // Runs one command document; always returns a reply ({ok: 1, ...} or
    // {ok: 0, errmsg, code, codeName}). `peer` is the client's address, for logs.
    BsonObj runCommand(BsonView cmd, const std::string& peer);
    // Whether `cmd` is cheap and bounded enough to run on a network io thread: ping, hello,
    // buildInfo, and a find whose filter pins _id to one value without a hint (a point
    // lookup returning at most one document). Pure; any thread.
    static bool isPointRequest(BsonView cmd);

    storage::StorageEngine& engine() { return *_engine; }
    CursorManager& cursors() { return _cursors; }
    OpCounters& counters() { return _counters; }
    PlanCache& planCache() { return _planCache; }
    std::chrono::steady_clock::time_point startTime() const { return _start; }
    const ShardServiceOptions& options() const { return _options; }

    // After this, new operations fail with ShutdownInProgress and running ones are interrupted.
    void beginShutdown() {
        _shuttingDown.store(true);
        _ttl.stop();
    }
    TtlMonitor& ttlMonitor() { return _ttl; }
    bool shuttingDown() const { return _shuttingDown.load(); }

private:
    ShardService(ShardServiceOptions options, std::unique_ptr<storage::StorageEngine> engine);

    ShardServiceOptions _options;
    std::unique_ptr<storage::StorageEngine> _engine;
    CursorManager _cursors;
    OpCounters _counters;
    PlanCache _planCache;
    std::chrono::steady_clock::time_point _start;
    std::atomic<bool> _shuttingDown{false};
    // Last: stopped (by its destructor) before anything it uses is destroyed.
    TtlMonitor _ttl;
};

}  // namespace mongosd::shard
