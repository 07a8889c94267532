#pragma once
// The results of a phase as YCSB prints them ([OVERALL], [READ], ... lines, latencies in us)
// and as one JSON object for scripts.

#include <string>

#include "bench/ycsb/runner.h"

namespace mongosd::ycsb {

// What the run was, echoed into the JSON object.
struct RunDescription {
    std::string phase;  // load | run
    std::string db;
    std::string workload;
    std::string durability;
    int threads = 1;
    double target = 0;
    uint64_t seed = 0;
};

std::string formatSummary(const RunResult& result);
std::string formatJson(const RunDescription& description, const RunResult& result);

}  // namespace mongosd::ycsb
