#pragma once
// The TTL monitor: a background thread that deletes expired documents. A document expires
// when the field of a TTL index (expireAfterSeconds) holds a date, or an array whose earliest
// date, is older than now - expireAfterSeconds, as MongoDB. Each pass deletes through the
// normal write path ({field: {$lt: cutoff}}, planned on the TTL index), one transaction and
// oplog entry per document. Passes run every `interval` (60 s by default, as MongoDB).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/status.h"

namespace mongosd::shard {

class ShardService;

class TtlMonitor {
public:
    TtlMonitor(ShardService& service, std::chrono::milliseconds interval);
    ~TtlMonitor();  // stops the thread
    TtlMonitor(const TtlMonitor&) = delete;
    TtlMonitor& operator=(const TtlMonitor&) = delete;

    void start();
    void stop();
    // One pass now, on the calling thread; returns how many documents it deleted.
    StatusWith<int64_t> runPass();

    uint64_t passes() const { return _passes.load(); }
    uint64_t deletedDocuments() const { return _deleted.load(); }

private:
    void loop();

    ShardService& _service;
    const std::chrono::milliseconds _interval;
    std::mutex _mutex;
    std::condition_variable _wake;
    bool _stopping = false;
    std::thread _thread;
    std::atomic<uint64_t> _passes{0};
    std::atomic<uint64_t> _deleted{0};
};

}  // namespace mongosd::shard
