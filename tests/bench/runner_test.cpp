#include "bench/ycsb/runner.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "bench/ycsb/http_connection.h"
#include "bench/ycsb/report.h"

namespace mongosd::ycsb {
namespace {

using namespace std::chrono_literals;

// An in-memory Db shared by all connections; optionally fails or stalls chosen operations.
struct FakeStore {
    std::mutex mutex;
    std::map<std::string, Fields> records;
    int failEveryNthRead = 0;
    int reads = 0;
    std::chrono::milliseconds stallOnce{0};
    bool stalled = false;
};

class FakeDb final : public Db {
public:
    explicit FakeDb(FakeStore& store) : _store(store) {}
    Status init() override { return Status::OK(); }
    Status read(const std::string&, const std::string& key) override {
        std::chrono::milliseconds stall{0};
        {
            std::lock_guard<std::mutex> lock(_store.mutex);
            ++_store.reads;
            if (_store.failEveryNthRead && _store.reads % _store.failEveryNthRead == 0)
                return Status(ErrorCodes::OperationFailed, "injected");
            if (!_store.records.count(key)) return Status(ErrorCodes::NoSuchKey, key);
            if (!_store.stalled && _store.stallOnce.count()) {
                _store.stalled = true;
                stall = _store.stallOnce;
            }
        }
        std::this_thread::sleep_for(stall);
        return Status::OK();
    }
    Status scan(const std::string&, const std::string& start, uint64_t count,
                uint64_t* found) override {
        std::lock_guard<std::mutex> lock(_store.mutex);
        *found = 0;
        for (auto it = _store.records.lower_bound(start);
             it != _store.records.end() && *found < count; ++it)
            ++*found;
        return Status::OK();
    }
    Status update(const std::string&, const std::string& key, const Fields& values) override {
        std::lock_guard<std::mutex> lock(_store.mutex);
        auto it = _store.records.find(key);
        if (it == _store.records.end()) return Status(ErrorCodes::NoSuchKey, key);
        return Status::OK();
    }
    Status insert(const std::string&, const std::string& key, const Fields& values) override {
        std::lock_guard<std::mutex> lock(_store.mutex);
        if (!_store.records.emplace(key, values).second)
            return Status(ErrorCodes::DuplicateKey, key);
        return Status::OK();
    }

private:
    FakeStore& _store;
};

DbFactory factoryFor(FakeStore& store) {
    return [&store]() -> StatusWith<std::unique_ptr<Db>> {
        return std::unique_ptr<Db>(std::make_unique<FakeDb>(store));
    };
}

WorkloadProperties props(const char* letter, uint64_t records, uint64_t ops) {
    auto p = presetWorkload(letter).getValue();
    p.recordCount = records;
    p.operationCount = ops;
    return p;
}

RunResult mustRun(Workload& w, const RunOptions& o, FakeStore& store) {
    auto r = runPhase(w, o, factoryFor(store));
    EXPECT_TRUE(r.isOK()) << r.getStatus().toString();
    return r.getValue();
}

uint64_t ops(const RunResult& r, Operation op) { return r.stats(op).operations(); }

TEST(OpenLoopSchedule, ThreadsInterleaveAtTheTargetRate) {
    Clock::time_point start{};
    // 4 threads at 1000 ops/s together: one slot per ms, thread 1 owns slots 1, 5, 9, ...
    OpenLoopSchedule s(start, 1000, 4, 1);
    EXPECT_EQ(s.at(0) - start, 1ms);
    EXPECT_EQ(s.at(1) - start, 5ms);
    EXPECT_EQ(s.at(250) - start, 1001ms);
    OpenLoopSchedule single(start, 3, 1, 0);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::microseconds>(single.at(3) - start), 1s);
}

TEST(Runner, LoadThenRunCountsAddUp) {
    FakeStore store;
    Workload load(props("a", 500, 0));
    RunOptions o;
    o.load = true;
    o.threads = 4;
    RunResult l = mustRun(load, o, store);
    EXPECT_EQ(l.operations, 500u);
    EXPECT_EQ(l.errors, 0u);
    EXPECT_EQ(store.records.size(), 500u);
    EXPECT_EQ(l.stats(Operation::kInsert).returns.at("OK"), 500u);

    Workload a(props("a", 500, 1001));
    o.load = false;
    RunResult r = mustRun(a, o, store);
    EXPECT_EQ(r.operations, 1001u);
    EXPECT_EQ(r.errors, 0u);
    EXPECT_EQ(ops(r, Operation::kRead) + ops(r, Operation::kUpdate), 1001u);
    EXPECT_GT(ops(r, Operation::kRead), 400u);
    EXPECT_EQ(r.stats(Operation::kRead).latency.count(), ops(r, Operation::kRead));

    // F: a read-modify-write is also measured as its READ and its UPDATE.
    Workload f(props("f", 500, 1000));
    RunResult rf = mustRun(f, o, store);
    uint64_t rmw = ops(rf, Operation::kReadModifyWrite);
    EXPECT_GT(rmw, 400u);
    EXPECT_EQ(ops(rf, Operation::kUpdate), rmw);
    EXPECT_EQ(ops(rf, Operation::kRead), 1000u);  // plain reads + one per read-modify-write

    // E: inserts extend the key space, scans find records.
    Workload e(props("e", 500, 2000));
    RunResult re = mustRun(e, o, store);
    EXPECT_EQ(re.errors, 0u);
    EXPECT_EQ(store.records.size(), 500u + ops(re, Operation::kInsert));
    EXPECT_EQ(ops(re, Operation::kScan) + ops(re, Operation::kInsert), 2000u);
}

TEST(Runner, ErrorsAreCountedAndSampled) {
    FakeStore store;
    RunOptions o;
    o.load = true;
    Workload load(props("c", 100, 0));
    mustRun(load, o, store);
    store.failEveryNthRead = 10;
    o.load = false;
    o.threads = 2;
    o.maxErrorSamples = 3;
    Workload c(props("c", 100, 500));
    RunResult r = mustRun(c, o, store);
    EXPECT_EQ(r.errors, 50u);
    EXPECT_EQ(r.stats(Operation::kRead).returns.at("ERROR"), 50u);
    EXPECT_EQ(r.stats(Operation::kRead).returns.at("OK"), 450u);
    EXPECT_EQ(r.stats(Operation::kRead).failedLatency.count(), 50u);
    EXPECT_EQ(r.errorSamples.size(), 3u);
    std::string summary = formatSummary(r);
    EXPECT_NE(summary.find("[READ], Return=ERROR, 50"), std::string::npos) << summary;
    EXPECT_NE(summary.find("[READ-FAILED], Operations, 50"), std::string::npos) << summary;
    EXPECT_NE(formatJson({"run", "fake", "c", "durable", 2, 0, 1}, r).find("\"ERROR\":50"),
              std::string::npos);
}

TEST(Runner, MissingRecordsAreNotFound) {
    FakeStore store;  // nothing loaded
    RunOptions o;
    Workload c(props("c", 100, 20));
    RunResult r = mustRun(c, o, store);
    EXPECT_EQ(r.stats(Operation::kRead).returns.at("NOT_FOUND"), 20u);
    EXPECT_EQ(r.errors, 20u);
}

TEST(Runner, OpenLoopHoldsTheRateAndChargesStallsToLaterOperations) {
    FakeStore store;
    RunOptions o;
    o.load = true;
    Workload load(props("c", 100, 0));
    mustRun(load, o, store);
    store.stallOnce = 100ms;
    o.load = false;
    o.threads = 1;
    o.targetOpsPerSec = 1000;
    Workload c(props("c", 100, 300));
    RunResult r = mustRun(c, o, store);
    EXPECT_TRUE(r.openLoop);
    EXPECT_EQ(r.operations, 300u);
    EXPECT_GE(r.runtimeMs, 299.0);  // the last operation is due at 299 ms
    EXPECT_LT(r.runtimeMs, 2000.0);
    const OperationStats& s = r.stats(Operation::kRead);
    // One operation took 100 ms; the ~100 due during the stall waited for it. Service times do
    // not show that, the intended latencies do.
    EXPECT_GE(s.latency.max(), 100'000'000u);
    EXPECT_LT(s.latency.percentile(50), 10'000'000u);
    EXPECT_GE(s.intendedLatency.percentile(75), 10'000'000u);
    EXPECT_EQ(s.intendedLatency.count(), 300u);
}

TEST(Runner, TimeLimitStopsAnUncountedRun) {
    FakeStore store;
    RunOptions o;
    o.load = true;
    Workload load(props("c", 10, 0));
    mustRun(load, o, store);
    o.load = false;
    o.maxSeconds = 0.2;
    o.threads = 2;
    Workload c(props("c", 10, 0));
    RunResult r = mustRun(c, o, store);
    EXPECT_GT(r.operations, 0u);
    EXPECT_GE(r.runtimeMs, 199.0);
    EXPECT_LT(r.runtimeMs, 1500.0);
    o.maxSeconds = 0;
    EXPECT_FALSE(runPhase(c, o, factoryFor(store)).isOK());
}

TEST(HttpConnection, ParsesUrlsAndResponseHeads) {
    auto e = parseHttpUrl("http://127.0.0.1:8080/api");
    ASSERT_TRUE(e.isOK());
    EXPECT_EQ(e.getValue().host, "127.0.0.1");
    EXPECT_EQ(e.getValue().port, 8080);
    EXPECT_FALSE(parseHttpUrl("https://x:1").isOK());
    EXPECT_FALSE(parseHttpUrl("http://x:0").isOK());
    EXPECT_FALSE(parseHttpUrl("http://x:12a").isOK());

    int status = 0;
    size_t length = 0;
    bool keepAlive = false;
    std::string head =
        "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\n"
        "content-length: 17\r\nConnection: keep-alive\r\n\r\n";
    auto n = parseHttpResponseHead(head + "{}", &status, &length, &keepAlive);
    ASSERT_TRUE(n.isOK());
    EXPECT_EQ(n.getValue(), head.size());
    EXPECT_EQ(status, 409);
    EXPECT_EQ(length, 17u);
    EXPECT_TRUE(keepAlive);
    EXPECT_EQ(parseHttpResponseHead("HTTP/1.1 200 OK\r\nContent-Le", &status, &length, &keepAlive)
                  .getValue(),
              0u);
    EXPECT_TRUE(parseHttpResponseHead("HTTP/1.1 200 OK\r\nConnection: close\r\n"
                                      "Content-Length: 0\r\n\r\n",
                                      &status, &length, &keepAlive)
                    .isOK());
    EXPECT_FALSE(keepAlive);
    EXPECT_FALSE(
        parseHttpResponseHead("HTTP/1.1 200 OK\r\n\r\n", &status, &length, &keepAlive).isOK());
    EXPECT_FALSE(parseHttpResponseHead("SMTP 200\r\n\r\n", &status, &length, &keepAlive).isOK());
}

}  // namespace
}  // namespace mongosd::ycsb
