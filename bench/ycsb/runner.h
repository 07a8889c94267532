#pragma once
// Runs a load or transaction phase: N client threads, one Db connection each, closed loop (each
// thread sends its next operation when the previous one answered) or open loop at a fixed total
// rate (--target). In open loop every operation has a scheduled send time; its "intended"
// latency runs from that time, so a stall is charged to every operation it delayed
// (coordinated omission corrected), while the plain latency is the service time alone.
//
// Measurements as YCSB's DBWrapper: successful operations in their histogram, failed ones
// (NOT_FOUND included) in <OP>-FAILED, every outcome counted by return code. A
// read-modify-write is measured as a whole and as its READ and UPDATE.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/ycsb/db.h"
#include "bench/ycsb/histogram.h"
#include "bench/ycsb/workload.h"
#include "common/status.h"

namespace mongosd::ycsb {

using Clock = std::chrono::steady_clock;

// The send times of one thread's operations in open loop: the threads interleave evenly, so
// together they send at `totalOpsPerSec`.
class OpenLoopSchedule {
public:
    OpenLoopSchedule(Clock::time_point start, double totalOpsPerSec, int threads, int index);
    // When the thread's i-th operation (from 0) is due.
    Clock::time_point at(uint64_t i) const;

private:
    Clock::time_point _start;
    double _nanosPerSlot;  // between consecutive operations of all threads
    int _threads;
    int _index;
};

struct OperationStats {
    Histogram latency;          // successful operations, ns of service time
    Histogram failedLatency;    // failed operations
    Histogram intendedLatency;  // open loop: from the scheduled send time (all outcomes)
    std::map<std::string, uint64_t> returns;  // OK / NOT_FOUND / ERROR -> count

    void merge(const OperationStats& other);
    uint64_t operations() const;  // all outcomes
};

struct RunOptions {
    bool load = false;  // load phase: insert the records; else the transaction phase
    int threads = 1;
    double targetOpsPerSec = 0;  // 0: closed loop
    double maxSeconds = 0;       // 0: no time limit
    uint64_t seed = 1;
    double statusIntervalSeconds = 0;  // 0: no progress lines on stderr
    size_t maxErrorSamples = 10;       // error messages kept (and printed to stderr)
};

struct RunResult {
    double runtimeMs = 0;
    uint64_t operations = 0;  // top-level operations, all outcomes
    uint64_t errors = 0;      // top-level operations that did not return OK
    bool openLoop = false;
    std::array<OperationStats, kOperationKinds> byOperation;
    std::vector<std::string> errorSamples;

    double throughput() const { return runtimeMs > 0 ? operations * 1000.0 / runtimeMs : 0; }
    const OperationStats& stats(Operation op) const { return byOperation[static_cast<size_t>(op)]; }
};

// "OK", "NOT_FOUND" (NoSuchKey) or "ERROR".
std::string_view returnCode(const Status& s);

using DbFactory = std::function<StatusWith<std::unique_ptr<Db>>()>;

// Connects `threads` Dbs (failing fast when one cannot), prepares the load, runs the phase.
StatusWith<RunResult> runPhase(Workload& workload, const RunOptions& options,
                               const DbFactory& makeDb);

}  // namespace mongosd::ycsb
