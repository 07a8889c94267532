#include "bench/ycsb/runner.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

namespace mongosd::ycsb {
namespace {

using Nanos = std::chrono::nanoseconds;

uint64_t nanosBetween(Clock::time_point from, Clock::time_point to) {
    return to > from ? static_cast<uint64_t>(std::chrono::duration_cast<Nanos>(to - from).count())
                     : 0;
}

// State the client threads share.
struct Shared {
    Shared(Workload& w, const RunOptions& o) : workload(w), options(o) {}

    Workload& workload;
    const RunOptions& options;
    Clock::time_point start;
    Clock::time_point deadline = Clock::time_point::max();
    std::atomic<uint64_t> nextLoadKey{0};
    uint64_t loadEnd = 0;

    std::mutex errorMutex;
    std::vector<std::string> errorSamples;  // under errorMutex

    void noteError(Operation op, const std::string& key, const Status& s) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (errorSamples.size() >= options.maxErrorSamples) return;
        std::string line = std::string(operationName(op)) + " " + key + ": " + s.toString();
        std::fprintf(stderr, "ycsb: error: %s\n", line.c_str());
        errorSamples.push_back(std::move(line));
    }
};

// Progress counter of one thread, on its own cache line.
struct alignas(64) Progress {
    std::atomic<uint64_t> done{0};
};

class ClientThread {
public:
    ClientThread(Shared& shared, Db& db, int index, uint64_t opLimit, Progress& progress)
        : _shared(shared),
          _db(db),
          _index(index),
          _opLimit(opLimit),
          _progress(progress),
          _state(shared.workload, shared.options.seed * 0x9E3779B97F4A7C15ULL + index) {}

    void run();
    RunResult& result() { return _result; }

private:
    // One top-level operation; false when the load has no key left.
    bool doOne(Clock::time_point intended);
    Status doLoadInsert(uint64_t keyNum, Clock::time_point intended);
    Status doTransaction(Operation op, Clock::time_point intended);

    template <typename Fn>
    Status measured(Operation op, Clock::time_point intended, const std::string& key, Fn&& fn);

    Shared& _shared;
    Db& _db;
    int _index;
    uint64_t _opLimit;
    Progress& _progress;
    WorkloadState _state;
    RunResult _result;
};

template <typename Fn>
Status ClientThread::measured(Operation op, Clock::time_point intended, const std::string& key,
                              Fn&& fn) {
    Clock::time_point begin = Clock::now();
    Status s = fn();
    Clock::time_point end = Clock::now();
    OperationStats& stats = _result.byOperation[static_cast<size_t>(op)];
    (s.isOK() ? stats.latency : stats.failedLatency).record(nanosBetween(begin, end));
    if (_result.openLoop) stats.intendedLatency.record(nanosBetween(intended, end));
    ++stats.returns[std::string(returnCode(s))];
    if (!s.isOK() && s.code() != ErrorCodes::NoSuchKey) _shared.noteError(op, key, s);
    return s;
}

Status ClientThread::doLoadInsert(uint64_t keyNum, Clock::time_point intended) {
    const Workload& w = _shared.workload;
    std::string key = w.keyName(keyNum);
    Fields values = _state.allFieldValues();
    return measured(Operation::kInsert, intended, key,
                    [&] { return _db.insert(w.props().table, key, values); });
}

Status ClientThread::doTransaction(Operation op, Clock::time_point intended) {
    Workload& w = _shared.workload;
    const std::string& table = w.props().table;
    if (op == Operation::kInsert) {
        uint64_t keyNum = w.insertSequence().next();
        std::string key = w.keyName(keyNum);
        Fields values = _state.allFieldValues();
        Status s = measured(op, intended, key, [&] { return _db.insert(table, key, values); });
        w.insertSequence().acknowledge(keyNum);  // failed or not, as YCSB
        return s;
    }
    std::string key = w.keyName(_state.nextKeyNum());
    switch (op) {
        case Operation::kRead:
            return measured(op, intended, key, [&] { return _db.read(table, key); });
        case Operation::kUpdate: {
            Fields values = _state.updateFieldValues();
            return measured(op, intended, key, [&] { return _db.update(table, key, values); });
        }
        case Operation::kScan: {
            uint64_t length = _state.nextScanLength();
            uint64_t found = 0;
            return measured(op, intended, key,
                            [&] { return _db.scan(table, key, length, &found); });
        }
        case Operation::kReadModifyWrite: {
            Fields values = _state.updateFieldValues();
            return measured(op, intended, key, [&] {
                MONGOSD_RETURN_IF_ERROR(measured(Operation::kRead, intended, key,
                                                 [&] { return _db.read(table, key); }));
                return measured(Operation::kUpdate, intended, key,
                                [&] { return _db.update(table, key, values); });
            });
        }
        case Operation::kInsert:
            break;
    }
    invariant(false);
    return Status::OK();
}

bool ClientThread::doOne(Clock::time_point intended) {
    Status s;
    if (_shared.options.load) {
        uint64_t keyNum = _shared.nextLoadKey.fetch_add(1, std::memory_order_relaxed);
        if (keyNum >= _shared.loadEnd) return false;
        s = doLoadInsert(keyNum, intended);
    } else {
        s = doTransaction(_state.nextOperation(), intended);
    }
    ++_result.operations;
    if (!s.isOK()) ++_result.errors;
    _progress.done.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void ClientThread::run() {
    const RunOptions& o = _shared.options;
    _result.openLoop = o.targetOpsPerSec > 0;
    std::optional<OpenLoopSchedule> schedule;
    if (_result.openLoop) schedule.emplace(_shared.start, o.targetOpsPerSec, o.threads, _index);
    for (uint64_t i = 0; _opLimit == 0 || i < _opLimit; ++i) {
        Clock::time_point intended = Clock::now();
        if (schedule) {
            intended = schedule->at(i);
            std::this_thread::sleep_until(intended);
        }
        if (Clock::now() >= _shared.deadline) break;
        if (!doOne(intended)) break;
    }
}

// Prints YCSB-style [STATUS] lines until stopped.
class StatusReporter {
public:
    StatusReporter(double intervalSeconds, const std::vector<Progress>& progress,
                   Clock::time_point start)
        : _interval(intervalSeconds), _progress(progress), _start(start) {
        if (_interval > 0) _thread = std::thread([this] { loop(); });
    }
    ~StatusReporter() {
        {
            std::lock_guard<std::mutex> lock(_mutex);
            _stop = true;
        }
        _cv.notify_all();
        if (_thread.joinable()) _thread.join();
    }

private:
    void loop() {
        uint64_t last = 0;
        auto interval = std::chrono::duration<double>(_interval);
        auto next = _start + std::chrono::duration_cast<Clock::duration>(interval);
        std::unique_lock<std::mutex> lock(_mutex);
        while (!_cv.wait_until(lock, next, [this] { return _stop; })) {
            uint64_t total = 0;
            for (const Progress& p : _progress) total += p.done.load(std::memory_order_relaxed);
            double elapsed = std::chrono::duration<double>(Clock::now() - _start).count();
            std::fprintf(stderr, "[STATUS] %.0f sec: %llu operations; %.1f current ops/sec\n",
                         elapsed, static_cast<unsigned long long>(total),
                         static_cast<double>(total - last) / _interval);
            last = total;
            next += std::chrono::duration_cast<Clock::duration>(interval);
        }
    }

    double _interval;
    const std::vector<Progress>& _progress;
    Clock::time_point _start;
    std::mutex _mutex;
    std::condition_variable _cv;
    bool _stop = false;
    std::thread _thread;
};

}  // namespace

OpenLoopSchedule::OpenLoopSchedule(Clock::time_point start, double totalOpsPerSec, int threads,
                                   int index)
    : _start(start), _nanosPerSlot(1e9 / totalOpsPerSec), _threads(threads), _index(index) {}

Clock::time_point OpenLoopSchedule::at(uint64_t i) const {
    double slot = static_cast<double>(i) * _threads + _index;
    return _start + std::chrono::duration_cast<Clock::duration>(
                        Nanos(static_cast<int64_t>(slot * _nanosPerSlot)));
}

void OperationStats::merge(const OperationStats& other) {
    latency.merge(other.latency);
    failedLatency.merge(other.failedLatency);
    intendedLatency.merge(other.intendedLatency);
    for (const auto& [code, n] : other.returns) returns[code] += n;
}

uint64_t OperationStats::operations() const {
    uint64_t n = 0;
    for (const auto& [code, count] : returns) n += count;
    return n;
}

std::string_view returnCode(const Status& s) {
    if (s.isOK()) return "OK";
    if (s.code() == ErrorCodes::NoSuchKey) return "NOT_FOUND";
    return "ERROR";
}

StatusWith<RunResult> runPhase(Workload& workload, const RunOptions& options,
                               const DbFactory& makeDb) {
    if (options.threads < 1) return Status(ErrorCodes::BadValue, "need at least one thread");
    const WorkloadProperties& p = workload.props();
    uint64_t opCount = options.load ? 0 : p.operationCount;
    if (!options.load && opCount == 0 && options.maxSeconds <= 0)
        return Status(ErrorCodes::BadValue, "a run needs an operation count or a time limit");

    std::vector<std::unique_ptr<Db>> dbs;
    for (int t = 0; t < options.threads; ++t) {
        auto db = makeDb();
        if (!db.isOK()) return db.getStatus();
        Status st = db.getValue()->init();
        if (!st.isOK()) return st.withContext("connection " + std::to_string(t));
        dbs.push_back(std::move(db.getValue()));
    }
    if (options.load) MONGOSD_RETURN_IF_ERROR(dbs[0]->prepareLoad(p.table));

    Shared shared(workload, options);
    shared.nextLoadKey = p.insertStart;
    shared.loadEnd = p.insertStart + p.effectiveInsertCount();
    std::vector<Progress> progress(static_cast<size_t>(options.threads));
    std::vector<std::unique_ptr<ClientThread>> clients;
    auto threads = static_cast<uint64_t>(options.threads);
    for (int t = 0; t < options.threads; ++t) {
        uint64_t share = opCount / threads + (static_cast<uint64_t>(t) < opCount % threads);
        // A thread with no share of a counted run would otherwise run unbounded.
        if (opCount && !share) continue;
        clients.push_back(std::make_unique<ClientThread>(shared, *dbs[static_cast<size_t>(t)], t,
                                                         share, progress[static_cast<size_t>(t)]));
    }

    shared.start = Clock::now();
    if (options.maxSeconds > 0)
        shared.deadline = shared.start + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(options.maxSeconds));
    {
        StatusReporter reporter(options.statusIntervalSeconds, progress, shared.start);
        std::vector<std::thread> running;
        for (auto& c : clients) running.emplace_back([&c] { c->run(); });
        for (auto& t : running) t.join();
    }
    Clock::time_point end = Clock::now();

    RunResult total;
    total.runtimeMs = std::chrono::duration<double, std::milli>(end - shared.start).count();
    total.openLoop = options.targetOpsPerSec > 0;
    for (auto& c : clients) {
        total.operations += c->result().operations;
        total.errors += c->result().errors;
        for (int k = 0; k < kOperationKinds; ++k)
            total.byOperation[static_cast<size_t>(k)].merge(
                c->result().byOperation[static_cast<size_t>(k)]);
    }
    total.errorSamples = std::move(shared.errorSamples);
    return total;
}

}  // namespace mongosd::ycsb
