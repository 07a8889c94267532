#pragma once
// A deterministic replica-set simulator: N ReplNode cores in one thread, virtual time, one
// seeded RNG for everything (network, faults, clients, election jitter). The same SimOptions
// always give the same run, event for event (SimResult::traceHash).
//
// A run: a fault phase (clients write w:1 and w:"majority" while faults are injected), then
// faults stop (partitions heal, crashed members restart, paused ones resume) and the run ends
// once one primary holds every member's log with the commit point at its end, or reports a
// liveness violation after settleLimitMillis. The InvariantChecker sees every event.
//
// Plain object; one thread.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/sim/invariant_checker.h"

namespace mongosd::sim {

enum class FaultType : int {
    kDropWindow,       // messages lost with some probability for a while
    kDuplicateWindow,  // messages delivered twice
    kDelayWindow,      // delays up to 2 s: reordering
    kPartitionTwoWay,  // the members split in two groups
    kPartitionOneWay,  // one member's outgoing (or incoming) links cut
    kIsolatePrimary,   // the current primary cut off both ways
    kHeal,             // every partition removed
    kCrash,            // lose everything not durable; restarts later
    kRestart,
    kPause,  // stop processing (a GC pause, SIGSTOP); resumes later
    kResume,
    kClockSkew,  // clock rate changes
    kClockJump,  // clock jumps forward or back
    kStepDown,   // replSetStepDown on the primary
    kFreeze,     // replSetFreeze on a secondary
    kReconfig,   // one-member change of votes, priority or membership
    kSlowDisk,   // oplog flushes take up to 2 s: crashes lose more non-durable entries
    kBounce,     // crash and restart within 300 ms (a process bounce mid-election)
    kCount
};
inline constexpr int kFaultTypes = int(FaultType::kCount);
const char* faultName(FaultType type);

enum class Scenario : uint8_t {
    kChaos,     // every fault type at random, every 0.5-3 s of virtual time
    kFailover,  // only crashes of the primary, every 30-40 s: clean failover times
};

struct SimOptions {
    Scenario scenario = Scenario::kChaos;
    uint64_t seed = 1;
    int members = 3;
    int64_t faultPhaseMillis = 120'000;
    int64_t settleLimitMillis = 90'000;  // liveness bound after faults stop
    bool trace = false;                  // keep a readable trace in SimResult::trace
    uint64_t maxEvents = 3'000'000;      // a message storm is a failure too (~50x a normal run)
    bool testOnlyVoteWithoutLogCheck = false;
    // Test only: a crash loses the vote (breaks the hard-state contract), to show the checker
    // catches the resulting second primary in a term.
    bool testOnlyForgetVoteOnCrash = false;
};

struct SimResult {
    uint64_t seed = 0;
    uint64_t events = 0;
    uint64_t traceHash = 0;
    std::vector<Violation> violations;
    std::array<uint64_t, kFaultTypes> faults{};
    uint64_t messagesSent = 0;
    uint64_t messagesDropped = 0;  // lost to a drop window or a cut link
    uint64_t messagesDuplicated = 0;
    uint64_t writesAckedW1 = 0;
    uint64_t writesAckedMajority = 0;
    uint64_t rollbacks = 0;  // truncations, i.e. rollback actions
    uint64_t rolledBackEntries = 0;
    uint64_t reconfigsAccepted = 0;
    std::array<uint64_t, 7> messagesByType{};     // indexed like repl::MessageBody
    uint64_t takeoverVoteRequests = 0;            // RequestVote{takeover} (priority or step-up)
    uint64_t elections = 0;                       // members that became primary
    std::vector<int64_t> failoverElectedMillis;   // primary crash -> a new primary elected
    std::vector<int64_t> failoverWritableMillis;  // primary crash -> it accepts writes
    int64_t settleMillis = -1;                    // faults stopped -> converged (-1: never)
    std::string trace;
};

SimResult runSimulation(const SimOptions& options);

}  // namespace mongosd::sim
