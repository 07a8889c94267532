// The simulator itself: determinism, that it finds a deliberately broken core, and that a
// healthy core passes a few seeds at every size.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/sim/simulator.h"

namespace mongosd::sim {
namespace {

SimOptions options(uint64_t seed, int members) {
    SimOptions o;
    o.seed = seed;
    o.members = members;
    return o;
}

TEST(Simulator, SameSeedSameTrace) {
    for (int members : {3, 5, 7}) {
        SimOptions o = options(42, members);
        o.trace = true;
        const SimResult a = runSimulation(o);
        const SimResult b = runSimulation(o);
        EXPECT_EQ(a.traceHash, b.traceHash);
        EXPECT_EQ(a.events, b.events);
        EXPECT_EQ(a.trace, b.trace);
        EXPECT_GT(a.events, 1000u);
        EXPECT_NE(runSimulation(options(43, members)).traceHash, a.traceHash);
    }
}

TEST(Simulator, RunsReallyInjectFaultsAndWrite) {
    const SimResult r = runSimulation(options(7, 5));
    EXPECT_TRUE(r.violations.empty());
    EXPECT_GT(r.writesAckedMajority, 10u);
    EXPECT_GT(r.elections, 0u);
    EXPECT_GT(r.faults[int(FaultType::kCrash)] + r.faults[int(FaultType::kPartitionTwoWay)], 0u);
    EXPECT_GE(r.settleMillis, 0);
}

// A core that votes without the up-to-date log check elects primaries that lack committed
// entries; the checker must say so.
TEST(Simulator, CatchesVotesWithoutLogCheck) {
    int failing = 0;
    std::set<std::string> seen;
    for (uint64_t seed = 1; seed <= 40; ++seed) {
        SimOptions o = options(seed, 3);
        o.testOnlyVoteWithoutLogCheck = true;
        const SimResult r = runSimulation(o);
        failing += r.violations.empty() ? 0 : 1;
        for (const auto& v : r.violations) seen.insert(v.invariant);
    }
    EXPECT_GE(failing, 5);  // 9 of these 40 seeds at the time of writing
    EXPECT_TRUE(seen.count("leader_completeness")) << seen.size();
    EXPECT_TRUE(seen.count("majority_write_lost"));
}

TEST(Simulator, HealthySeedsAtEverySize) {
    for (int members : {3, 5, 7}) {
        for (uint64_t seed = 100; seed < 110; ++seed) {
            const SimResult r = runSimulation(options(seed, members));
            for (const auto& v : r.violations) {
                ADD_FAILURE() << "seed " << seed << " members " << members << ": " << v.invariant
                              << ": " << v.detail;
            }
        }
    }
}

}  // namespace
}  // namespace mongosd::sim
