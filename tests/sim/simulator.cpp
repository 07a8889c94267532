// The event loop: one queue ordered by (virtual time, insertion order), so a seed fixes the
// whole run.
#include "tests/sim/simulator.h"

#include "tests/sim/sim_cluster.h"

namespace mongosd::sim {

namespace {
constexpr int64_t kTickMillis = 100;
constexpr int64_t kEpochMillis = 1'700'000'000'000;
}  // namespace

const char* faultName(FaultType type) {
    static constexpr const char* kNames[] = {"drop_window",
                                             "duplicate_window",
                                             "delay_window",
                                             "partition_two_way",
                                             "partition_one_way",
                                             "isolate_primary",
                                             "heal",
                                             "crash",
                                             "restart",
                                             "pause",
                                             "resume",
                                             "clock_skew",
                                             "clock_jump",
                                             "step_down",
                                             "freeze",
                                             "reconfig",
                                             "slow_disk",
                                             "bounce"};
    static_assert(std::size(kNames) == kFaultTypes);
    return kNames[int(type)];
}

Simulation::Simulation(const SimOptions& options)
    : _opts(options),
      _rng(options.seed * 0x9e3779b97f4a7c15ull + 1),
      _members(options.members),
      _checker(options.members),
      _cut(options.members, std::vector<bool>(options.members, false)) {
    _result.seed = options.seed;
    _result.traceHash = kHashSeed;
    static constexpr size_t kBatchSizes[] = {1, 2, 3, 8, 64};
    _maxEntriesPerMessage = kBatchSizes[_rng.uniform(0, 4)];
    // Some seeds start with uneven priorities or a priority-0 member.
    const bool unevenPriorities = _rng.chance(400);
    const int passive = _rng.chance(200) ? int(_rng.uniform(0, options.members - 1)) : -1;
    for (int i = 0; i < options.members; ++i) {
        int priority = unevenPriorities ? int(_rng.uniform(1, 3)) : 1;
        if (i == passive) priority = 0;
        _initialConfig.members.push_back(repl::MemberConfig{i, 1, priority});
    }
    for (int i = 0; i < options.members; ++i) {
        _members[i].anchorLocal = kEpochMillis + _rng.uniform(0, 5000);
        startMember(i);
        schedule(Event{_rng.uniform(0, kTickMillis - 1), 0, EventKind::kTick, i});
    }
    schedule(Event{_rng.uniform(500, 3000), 0, EventKind::kChaos});
    schedule(Event{_rng.uniform(100, 500), 0, EventKind::kClient});
    schedule(Event{options.faultPhaseMillis, 0, EventKind::kEndFaults});
}

SimResult Simulation::run() {
    const int64_t hardStop = _opts.faultPhaseMillis + _opts.settleLimitMillis + 1000;
    while (!_queue.empty() && !_done && _now <= hardStop) {
        Event event = _queue.top();
        _queue.pop();
        _now = event.time;
        _checker.setTime(_now);
        handle(event);
        ++_result.events;
        traceEvent(event);
        if (_result.events >= _opts.maxEvents) {
            _checker.report("runaway", std::to_string(_result.events) + " events by t=" +
                                           std::to_string(_now) + " (a message storm)");
            break;
        }
    }
    _result.violations = _checker.violations();
    return std::move(_result);
}

void Simulation::handle(const Event& event) {
    SimMember* m = event.member >= 0 ? &_members[event.member] : nullptr;
    switch (event.kind) {
        case EventKind::kDeliver:
            input(event.member, *event.message);
            break;
        case EventKind::kTick:
            input(event.member, repl::Tick{});
            schedule(Event{_now + kTickMillis, 0, EventKind::kTick, event.member});
            break;
        case EventKind::kFlush: {
            if (!m->core || event.incarnation != m->incarnation) break;
            const int64_t i = event.position.index;
            if (i > int64_t(m->log.size()) || !(m->log[i - 1].opTime == event.position.opTime)) {
                break;  // truncated since: those entries never became durable
            }
            m->durableLength = std::max(m->durableLength, i);
            input(event.member, repl::LogDurable{event.position});
            break;
        }
        case EventKind::kChaos:
            if (!_faultsOn) break;
            injectFault();
            schedule(
                Event{_now + (_opts.scenario == Scenario::kFailover ? _rng.uniform(30000, 40000)
                                                                    : _rng.uniform(500, 3000)),
                      0, EventKind::kChaos});
            break;
        case EventKind::kClient:
            if (!_faultsOn) break;
            clientWrite();
            schedule(Event{_now + _rng.uniform(100, 500), 0, EventKind::kClient});
            break;
        case EventKind::kRestart:
            if (m->core) break;
            startMember(event.member);
            countFault(FaultType::kRestart);
            break;
        case EventKind::kResume: {
            if (!m->core || !m->paused) break;
            m->paused = false;
            countFault(FaultType::kResume);
            auto inbox = std::move(m->inbox);
            m->inbox.clear();
            for (const auto& in : inbox) input(event.member, in);
            break;
        }
        case EventKind::kBounce:
            if (!m->core) break;
            crash(event.member);
            countFault(FaultType::kBounce);
            schedule(Event{_now + _rng.uniform(10, 300), 0, EventKind::kRestart, event.member});
            break;
        case EventKind::kEndFaults:
            endFaults();
            break;
        case EventKind::kLivenessCheck:
            if (converged()) {
                _result.settleMillis = _now - _opts.faultPhaseMillis;
                _done = true;
            } else if (_now >= _settleDeadline) {
                _checker.report("liveness", "no converged primary " +
                                                std::to_string(_opts.settleLimitMillis) +
                                                " ms after faults stopped");
                _done = true;
            } else {
                schedule(Event{_now + 500, 0, EventKind::kLivenessCheck});
            }
            break;
    }
}

bool Simulation::converged() const {
    const int p = writablePrimary();
    if (p < 0) return false;
    const repl::ReplNode& primary = *_members[p].core;
    const repl::LogPosition last = primary.lastPosition();
    if (!(primary.commitPoint() == last)) return false;
    for (const auto& member : primary.config().members) {
        const auto& core = _members[member.id].core;
        if (!core || core->term() != primary.term() || !(core->lastPosition() == last) ||
            !(core->commitPoint() == last)) {
            return false;
        }
    }
    for (int i = 0; i < int(_members.size()); ++i) {
        if (i != p && _members[i].core && _members[i].core->role() == repl::Role::kPrimary) {
            return false;
        }
    }
    return true;
}

SimResult runSimulation(const SimOptions& options) {
    Simulation sim(options);
    return sim.run();
}

}  // namespace mongosd::sim
