// What the simulated world does to the replica set: faults and client writes.
#include <algorithm>
#include <string>

#include "tests/sim/sim_cluster.h"

namespace mongosd::sim {

using repl::ReplSetConfig;

void Simulation::injectFault() {
    // Weights out of 100; heal is frequent so partitions last ~10-20 s of virtual time.
    static constexpr std::pair<FaultType, int> kWeights[] = {
        {FaultType::kDropWindow, 6},      {FaultType::kDuplicateWindow, 5},
        {FaultType::kDelayWindow, 5},     {FaultType::kPartitionTwoWay, 8},
        {FaultType::kPartitionOneWay, 8}, {FaultType::kIsolatePrimary, 8},
        {FaultType::kHeal, 14},           {FaultType::kCrash, 12},
        {FaultType::kPause, 5},           {FaultType::kClockSkew, 5},
        {FaultType::kClockJump, 5},       {FaultType::kStepDown, 5},
        {FaultType::kFreeze, 3},          {FaultType::kReconfig, 7},
        {FaultType::kSlowDisk, 2},        {FaultType::kBounce, 2},
    };
    if (_opts.scenario == Scenario::kFailover) {
        crashPrimary();
        return;
    }
    int roll = int(_rng.uniform(0, 99));
    FaultType type = FaultType::kHeal;
    for (const auto& [t, w] : kWeights) {
        if (roll < w) {
            type = t;
            break;
        }
        roll -= w;
    }
    const int n = int(_members.size());
    const int victim = int(_rng.uniform(0, n - 1));
    switch (type) {
        case FaultType::kDropWindow:
            _dropUntil = _now + _rng.uniform(1000, 10000);
            _dropPermille = int(_rng.uniform(50, 500));
            break;
        case FaultType::kDuplicateWindow:
            _duplicateUntil = _now + _rng.uniform(1000, 10000);
            break;
        case FaultType::kDelayWindow:
            _delayUntil = _now + _rng.uniform(1000, 10000);
            break;
        case FaultType::kPartitionTwoWay:
            partitionTwoWay();
            break;
        case FaultType::kPartitionOneWay:
            partitionOneWay();
            break;
        case FaultType::kIsolatePrimary: {
            const int p = writablePrimary();
            if (p < 0) return;
            cutBothWays(p);
            break;
        }
        case FaultType::kHeal:
            healAll();
            break;
        case FaultType::kCrash:
            crashSomeone();
            return;
        case FaultType::kPause:
            if (!_members[victim].core || _members[victim].paused) return;
            _members[victim].paused = true;
            schedule(Event{_now + _rng.uniform(500, 15000), 0, EventKind::kResume, victim});
            break;
        case FaultType::kClockSkew: {
            SimMember& m = _members[victim];
            m.anchorLocal = localNow(victim);
            m.anchorVirtual = _now;
            m.ratePermille = _rng.uniform(950, 1050);
            break;
        }
        case FaultType::kClockJump:
            _members[victim].anchorLocal += _rng.uniform(-3000, 3000);
            break;
        case FaultType::kStepDown: {
            const int p = writablePrimary();
            if (p < 0) return;
            input(p, repl::StepDownRequest{_rng.uniform(0, 10000), _rng.chance(500)});
            break;
        }
        case FaultType::kFreeze:
            if (!_members[victim].core) return;
            input(victim, repl::FreezeRequest{_rng.uniform(0, 10000)});
            break;
        case FaultType::kReconfig:
            reconfigure();
            return;
        case FaultType::kBounce:
            if (!_members[victim].core) return;
            schedule(Event{_now, 0, EventKind::kBounce, victim});
            return;  // counted when it happens
        case FaultType::kSlowDisk:
            _slowDiskUntil = _now + _rng.uniform(1000, 10000);
            break;
        default:
            return;
    }
    countFault(type);
}

void Simulation::partitionTwoWay() {
    const int n = int(_members.size());
    std::vector<int> side(n);
    for (int i = 0; i < n; ++i) side[i] = int(_rng.uniform(0, 1));
    for (int a = 0; a < n; ++a) {
        for (int b = 0; b < n; ++b) {
            if (side[a] != side[b]) _cut[a][b] = true;
        }
    }
}

void Simulation::partitionOneWay() {
    const int n = int(_members.size());
    const int member = int(_rng.uniform(0, n - 1));
    const bool outgoing = _rng.chance(500);
    for (int other = 0; other < n; ++other) {
        if (other == member) continue;
        if (outgoing) {
            _cut[member][other] = true;
        } else {
            _cut[other][member] = true;
        }
    }
}

void Simulation::cutBothWays(int member) {
    for (int other = 0; other < int(_members.size()); ++other) {
        if (other == member) continue;
        _cut[member][other] = true;
        _cut[other][member] = true;
    }
}

void Simulation::healAll() {
    for (auto& row : _cut) std::fill(row.begin(), row.end(), false);
}

void Simulation::crashSomeone() {
    const int n = int(_members.size());
    // Half the time the primary: that is the failover being measured.
    int victim = _rng.chance(500) ? writablePrimary() : -1;
    if (victim < 0) victim = int(_rng.uniform(0, n - 1));
    if (!_members[victim].core) return;
    if (_members[victim].core->isWritablePrimary() && !_awaitElected) {
        _crashAt = _now;
        _crashTerm = _members[victim].core->term();
        _awaitElected = _awaitWritable = true;
    }
    crash(victim);
    countFault(FaultType::kCrash);
    schedule(Event{_now + _rng.uniform(1000, 30000), 0, EventKind::kRestart, victim});
}

void Simulation::crashPrimary() {
    const int p = writablePrimary();
    if (p < 0) return;
    _crashAt = _now;
    _crashTerm = _members[p].core->term();
    _awaitElected = _awaitWritable = true;
    crash(p);
    countFault(FaultType::kCrash);
    schedule(Event{_now + _rng.uniform(5000, 20000), 0, EventKind::kRestart, p});
}

// One-member changes, as an operator would make them: priority, votes on/off (through a
// non-voter), removal of a non-voter, re-adding a removed member as a non-voter.
void Simulation::reconfigure() {
    const int p = writablePrimary();
    if (p < 0) return;
    ReplSetConfig config = _members[p].core->config();
    config.version += 1;
    const int n = int(_members.size());
    const int target = int(_rng.uniform(0, n - 1));
    auto it = std::find_if(config.members.begin(), config.members.end(),
                           [&](const repl::MemberConfig& m) { return m.id == target; });
    if (it == config.members.end()) {
        config.members.push_back(repl::MemberConfig{target, 0, 0});
    } else if (target == p) {
        it->priority = int(_rng.uniform(1, 3));
    } else if (it->votes == 0) {
        if (_rng.chance(500)) {
            config.members.erase(it);
        } else {
            it->votes = 1;
            it->priority = int(_rng.uniform(0, 3));
        }
    } else if (_rng.chance(500) && config.voters().size() > 2) {
        it->votes = 0;
        it->priority = 0;
    } else {
        it->priority = int(_rng.uniform(0, 3));
    }
    int electable = 0;
    for (const auto& m : config.members) electable += config.isElectable(m.id) ? 1 : 0;
    if (electable < 2) return;
    countFault(FaultType::kReconfig);
    const repl::Actions actions =
        _members[p].core->step(repl::ReconfigRequest{config}, localNow(p));
    apply(p, actions);
    _result.reconfigsAccepted += actions.result.isOK() ? 1 : 0;
}

void Simulation::clientWrite() {
    const int n = int(_members.size());
    int target = _rng.chance(900) ? writablePrimary() : -1;
    if (target < 0) target = int(_rng.uniform(0, n - 1));
    SimMember& m = _members[target];
    if (!m.core || m.paused) return;
    const bool majority = _rng.chance(500);
    const repl::Actions actions =
        m.core->step(repl::ClientWrite{"w" + std::to_string(++_clientSeq)}, localNow(target));
    apply(target, actions);
    if (!actions.result.isOK() || !actions.written) return;
    if (majority) {
        m.majorityWaiters.push_back(PendingWrite{*actions.written});
    } else {
        ++_result.writesAckedW1;
    }
}

void Simulation::endFaults() {
    _faultsOn = false;
    healAll();
    _dropUntil = _duplicateUntil = _delayUntil = _slowDiskUntil = 0;
    for (int i = 0; i < int(_members.size()); ++i) {
        if (!_members[i].core) {
            startMember(i);
        } else if (_members[i].paused) {
            _members[i].paused = false;
            auto inbox = std::move(_members[i].inbox);
            for (const auto& in : inbox) input(i, in);
        }
    }
    _settleDeadline = _now + _opts.settleLimitMillis;
    schedule(Event{_now + 500, 0, EventKind::kLivenessCheck});
}

}  // namespace mongosd::sim
