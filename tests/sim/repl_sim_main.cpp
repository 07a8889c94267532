// repl_sim: runs the replica-set simulator over a range of seeds.
//
//   repl_sim --seeds N --start S [--nodes 3|5|7] [--trace] [--stats] [--scenario failover]
//
// Prints one line per failing seed (seed and invariant) and a summary line
// `repl_sim: N seeds, V violations, E events`; exits 1 when any seed fails. --start random
// takes the start seed from the clock and prints it (fresh seeds in CI). --trace prints each
// seed's event trace; --stats adds speed, fault counts by type and failover times;
// --scenario failover injects nothing but primary crashes (clean failover measurements).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/sim/simulator.h"

using mongosd::sim::FaultType;
using mongosd::sim::kFaultTypes;
using mongosd::sim::SimOptions;
using mongosd::sim::SimResult;

namespace {

int64_t percentile(std::vector<int64_t> v, double p) {
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

void printStats(const std::vector<SimResult>& results, double seconds) {
    std::array<uint64_t, kFaultTypes> faults{};
    std::array<uint64_t, 7> byType{};
    uint64_t sent = 0, dropped = 0, duplicated = 0, w1 = 0, majority = 0, rollbacks = 0,
             rolledBack = 0, elections = 0, reconfigs = 0, takeovers = 0;
    std::vector<int64_t> elected, writable, settle;
    for (const auto& r : results) {
        for (int i = 0; i < kFaultTypes; ++i) faults[i] += r.faults[i];
        sent += r.messagesSent;
        dropped += r.messagesDropped;
        duplicated += r.messagesDuplicated;
        w1 += r.writesAckedW1;
        majority += r.writesAckedMajority;
        rollbacks += r.rollbacks;
        rolledBack += r.rolledBackEntries;
        reconfigs += r.reconfigsAccepted;
        takeovers += r.takeoverVoteRequests;
        for (size_t i = 0; i < byType.size(); ++i) byType[i] += r.messagesByType[i];
        elections += r.elections;
        elected.insert(elected.end(), r.failoverElectedMillis.begin(),
                       r.failoverElectedMillis.end());
        writable.insert(writable.end(), r.failoverWritableMillis.begin(),
                        r.failoverWritableMillis.end());
        if (r.settleMillis >= 0) settle.push_back(r.settleMillis);
    }
    std::printf("speed: %.1f seeds/s (%.2f s wall)\n", double(results.size()) / seconds, seconds);
    std::printf("faults:");
    for (int i = 0; i < kFaultTypes; ++i) {
        std::printf(" %s=%llu", mongosd::sim::faultName(FaultType(i)),
                    (unsigned long long)faults[i]);
    }
    std::printf("\nmessages: sent=%llu dropped=%llu duplicated=%llu\n", (unsigned long long)sent,
                (unsigned long long)dropped, (unsigned long long)duplicated);
    std::printf("by type:");
    for (size_t i = 0; i < byType.size(); ++i) {
        static const char* kNames[] = {"AppendEntries", "AppendResponse", "RequestVote",
                                       "VoteResponse",  "StartElection",  "FetchRequest",
                                       "FetchResponse"};
        std::printf(" %s=%llu", kNames[i], (unsigned long long)byType[i]);
    }
    std::printf(
        "\nwrites acked: w1=%llu majority=%llu; rollbacks=%llu (%llu entries); "
        "elections=%llu; takeover/step-up vote requests=%llu; reconfigs accepted=%llu\n",
        (unsigned long long)w1, (unsigned long long)majority, (unsigned long long)rollbacks,
        (unsigned long long)rolledBack, (unsigned long long)elections,
        (unsigned long long)takeovers, (unsigned long long)reconfigs);
    std::printf(
        "failover after primary crash (virtual ms, n=%zu): elected median %lld p99 %lld;"
        " writable (n=%zu) median %lld p99 %lld\n",
        elected.size(), (long long)percentile(elected, 0.5), (long long)percentile(elected, 0.99),
        writable.size(), (long long)percentile(writable, 0.5),
        (long long)percentile(writable, 0.99));
    std::printf("settle after faults stop (virtual ms): median %lld p99 %lld max %lld\n",
                (long long)percentile(settle, 0.5), (long long)percentile(settle, 0.99),
                (long long)percentile(settle, 1.0));
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"deterministic replica-set simulator"};
    uint64_t seeds = 100;
    std::string start = "1";
    int nodes = 3;
    bool trace = false, stats = false;
    std::string scenario = "chaos";
    app.add_option("--seeds", seeds, "how many seeds to run")->check(CLI::PositiveNumber);
    app.add_option("--start", start, "first seed, or 'random' (from the clock, printed)");
    app.add_option("--nodes", nodes, "members")->check(CLI::IsMember({3, 5, 7}));
    app.add_flag("--trace", trace, "print each seed's event trace");
    app.add_flag("--stats", stats, "print speed, fault counts and failover times");
    app.add_option("--scenario", scenario, "chaos (every fault) or failover (primary crashes)")
        ->check(CLI::IsMember({"chaos", "failover"}));
    CLI11_PARSE(app, argc, argv);

    uint64_t first = 0;
    if (start == "random") {
        first = uint64_t(std::chrono::system_clock::now().time_since_epoch().count()) % 1000000007;
        std::printf("repl_sim: fresh seeds from --start %llu\n", (unsigned long long)first);
    } else {
        first = std::stoull(start);
    }
    const auto began = std::chrono::steady_clock::now();
    std::vector<SimResult> results;
    uint64_t violations = 0, events = 0;
    for (uint64_t s = first; s < first + seeds; ++s) {
        SimOptions options;
        options.seed = s;
        options.members = nodes;
        options.trace = trace;
        options.scenario = scenario == "failover" ? mongosd::sim::Scenario::kFailover
                                                  : mongosd::sim::Scenario::kChaos;
        SimResult r = mongosd::sim::runSimulation(options);
        if (trace) std::fputs(r.trace.c_str(), stdout);
        for (const auto& v : r.violations) {
            std::printf("seed %llu (--nodes %d): %s at t=%lld: %s\n", (unsigned long long)s, nodes,
                        v.invariant.c_str(), (long long)v.time, v.detail.c_str());
        }
        violations += r.violations.size();
        events += r.events;
        r.trace.clear();
        results.push_back(std::move(r));
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    if (stats) printStats(results, seconds);
    std::printf("repl_sim: %llu seeds, %llu violations, %llu events\n", (unsigned long long)seeds,
                (unsigned long long)violations, (unsigned long long)events);
    return violations == 0 ? 0 : 1;
}
