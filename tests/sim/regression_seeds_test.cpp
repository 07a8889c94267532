// Every seed that ever failed, by name, with what it found. `repl_sim --seeds 1 --start S
// --nodes N --trace` replays one.
#include <gtest/gtest.h>

#include "tests/sim/simulator.h"

namespace mongosd::sim {
namespace {

void expectClean(uint64_t seed, int members) {
    SimOptions o;
    o.seed = seed;
    o.members = members;
    const SimResult r = runSimulation(o);
    for (const auto& v : r.violations) {
        ADD_FAILURE() << "seed " << seed << ": " << v.invariant << " at t=" << v.time << ": "
                      << v.detail;
    }
    EXPECT_GE(r.settleMillis, 0);
}

// Liveness: members refused votes to a candidate that their stale config did not list as
// electable; the one member with the longest log could never win. Votes now ignore the
// voter's view of the config (the candidate counts its own config's voters).
TEST(RegressionSeeds, Seed1734Nodes3StaleConfigBlocksVotes) { expectClean(1734, 3); }

// Checker false positives: a candidate of an old term that gathered its votes before the
// voters moved on may still become that term's primary late; it may lack entries committed in
// later terms. Leader completeness now applies to entries committed in earlier terms only.
TEST(RegressionSeeds, Seed1937Nodes5LateStalePrimary) { expectClean(1937, 5); }
TEST(RegressionSeeds, Seed1273Nodes7LateStalePrimary) { expectClean(1273, 7); }
TEST(RegressionSeeds, Seed1276Nodes7LateStalePrimary) { expectClean(1276, 7); }
TEST(RegressionSeeds, Seed1728Nodes7LateStalePrimary) { expectClean(1728, 7); }

// Liveness: after reconfigs the only electable members lacked committed entries that only
// priority-0 members held, so no candidate could win. Members now sync from a member ahead of
// them while there is no primary (entries it knows committed may replace a conflicting
// suffix; past its commit point only a pure extension is taken).
TEST(RegressionSeeds, Seed26418Nodes5OnlyPassiveMembersHoldCommittedEntries) {
    expectClean(26418, 5);
}
TEST(RegressionSeeds, Seed26494Nodes5OnlyPassiveMembersHoldCommittedEntries) {
    expectClean(26494, 5);
}

// Safety (found once members could sync without a primary): a candidate's sync brought in a
// config that made it a non-voter mid-election; it still counted its own vote and won with a
// minority, lacking committed entries. Votes are now counted against the config in force and
// a member the config no longer lets stand abandons its election.
TEST(RegressionSeeds, Seed1401Nodes5ElectedByAVoteItNoLongerHad) { expectClean(1401, 5); }

// Liveness: duplicated FetchResponses each asked for the next batch, doubling the request
// streams until the run drowned (3M events). Only an answer that appended something asks on.
TEST(RegressionSeeds, Seed264Nodes3FetchStorm) { expectClean(264, 3); }
TEST(RegressionSeeds, Seed331Nodes3FetchStorm) { expectClean(331, 3); }

// Checker false positive: a secondary's commit point sat on an older-term entry (term 4) that
// a term-6 primary committed; a term-5 primary elected earlier (its grants sat in its inbox
// through a pause) lacked it. The committed-in term is now the committing primary's.
TEST(RegressionSeeds, Seed117704Nodes5CommitTermFromSecondary) { expectClean(117704, 5); }

}  // namespace
}  // namespace mongosd::sim
