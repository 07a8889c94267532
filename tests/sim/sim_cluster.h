#pragma once
// Internals of runSimulation(): the simulated members (core + storage + clock), the network
// and the event queue. Only tests/sim uses this header.

#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include "shard/repl/repl_node.h"
#include "tests/sim/sim_rng.h"
#include "tests/sim/simulator.h"

namespace mongosd::sim {

enum class EventKind : uint8_t {
    kDeliver,
    kTick,
    kFlush,
    kChaos,
    kClient,
    kRestart,
    kResume,
    kEndFaults,
    kLivenessCheck,
    kBounce
};

struct Event {
    int64_t time = 0;
    uint64_t seq = 0;
    EventKind kind = EventKind::kTick;
    int member = -1;
    int incarnation = 0;
    repl::LogPosition position;            // kFlush
    std::optional<repl::Message> message;  // kDeliver

    bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

struct PendingWrite {
    repl::LogPosition position;
};

struct SimMember {
    std::unique_ptr<repl::ReplNode> core;  // null while crashed
    bool paused = false;
    int incarnation = 0;
    // Storage: what the WiredTiger oplog would hold. The prefix [0, durableLength) survives a
    // crash; so does the hard state (saved synchronously, before messages go out).
    repl::HardState hardState;
    std::vector<repl::OplogEntry> log;
    int64_t durableLength = 0;
    // Clock: local = anchorLocal + (virtual - anchorVirtual) * ratePermille / 1000.
    int64_t anchorVirtual = 0;
    int64_t anchorLocal = 0;
    int64_t ratePermille = 1000;
    std::vector<repl::Input> inbox;  // what arrived while paused
    std::vector<PendingWrite> majorityWaiters;
};

class Simulation {
public:
    explicit Simulation(const SimOptions& options);
    SimResult run();

private:
    // sim_cluster.cpp: members, storage, clocks, network.
    int64_t localNow(int member) const;
    repl::NodeOptions nodeOptions(int member);
    void startMember(int member);
    void crash(int member);
    void input(int member, const repl::Input& in);
    void apply(int member, const repl::Actions& actions);
    void send(const repl::Message& msg);
    void schedule(Event event);
    void traceEvent(const Event& event);
    int writablePrimary() const;  // the highest-term writable primary, or -1

    // sim_faults.cpp: chaos, clients.
    void injectFault();
    void partitionTwoWay();
    void partitionOneWay();
    void cutBothWays(int member);
    void healAll();
    void crashSomeone();
    void crashPrimary();
    void reconfigure();
    void clientWrite();
    void endFaults();
    void countFault(FaultType type) { ++_result.faults[int(type)]; }

    // simulator.cpp: the event loop and liveness.
    void handle(const Event& event);
    bool converged() const;

    SimOptions _opts;
    SimRng _rng;
    int64_t _now = 0;
    uint64_t _seq = 0;
    std::priority_queue<Event, std::vector<Event>, std::greater<>> _queue;
    std::vector<SimMember> _members;
    repl::ReplSetConfig _initialConfig;
    InvariantChecker _checker;
    SimResult _result;
    bool _faultsOn = true;
    int64_t _settleDeadline = 0;
    bool _done = false;

    // Network state.
    std::vector<std::vector<bool>> _cut;  // _cut[from][to]
    int64_t _dropUntil = 0, _duplicateUntil = 0, _delayUntil = 0, _slowDiskUntil = 0;
    int _dropPermille = 0;

    // Failover measurement: the time and term of the last primary crash, until a new primary.
    int64_t _crashAt = -1, _crashTerm = 0;
    bool _awaitElected = false, _awaitWritable = false;
    uint64_t _clientSeq = 0;
    size_t _maxEntriesPerMessage = 64;  // small in some seeds: lagging members, partial batches
};

}  // namespace mongosd::sim
