// Simulated members: the storage each core's Actions are applied to, skewed clocks and the
// lossy network between them.
#include "tests/sim/sim_cluster.h"

#include <string>

namespace mongosd::sim {

using repl::Actions;
using repl::Message;
using repl::Role;

int64_t Simulation::localNow(int member) const {
    const SimMember& m = _members[member];
    return m.anchorLocal + (_now - m.anchorVirtual) * m.ratePermille / 1000;
}

repl::NodeOptions Simulation::nodeOptions(int member) {
    repl::NodeOptions o;
    o.self = member;
    o.random = [this] { return _rng.next(); };
    o.testOnlyVoteWithoutLogCheck = _opts.testOnlyVoteWithoutLogCheck;
    o.maxEntriesPerMessage = _maxEntriesPerMessage;
    return o;
}

void Simulation::startMember(int member) {
    SimMember& m = _members[member];
    m.log.resize(m.durableLength);
    repl::DurableState durable{m.hardState, _initialConfig, m.log};
    m.core =
        std::make_unique<repl::ReplNode>(nodeOptions(member), std::move(durable), localNow(member));
    m.paused = false;
    m.inbox.clear();
}

void Simulation::crash(int member) {
    SimMember& m = _members[member];
    m.core.reset();
    m.paused = false;
    m.inbox.clear();
    m.majorityWaiters.clear();
    ++m.incarnation;
    m.log.resize(m.durableLength);
    if (_opts.testOnlyForgetVoteOnCrash) m.hardState.votedFor = repl::kNoMember;
    _checker.onCrash(member, m.durableLength);
}

void Simulation::input(int member, const repl::Input& in) {
    SimMember& m = _members[member];
    if (!m.core) return;
    if (m.paused) {
        if (!std::holds_alternative<repl::Tick>(in)) m.inbox.push_back(in);
        return;
    }
    apply(member, m.core->step(in, localNow(member)));
}

void Simulation::apply(int member, const Actions& actions) {
    SimMember& m = _members[member];
    if (actions.hardState) {
        m.hardState = *actions.hardState;
        // Sometimes bounce a member right after it voted for someone else: its vote must
        // survive (a second vote in the term could elect a second primary).
        if (_faultsOn && _opts.scenario == Scenario::kChaos &&
            actions.hardState->votedFor != repl::kNoMember &&
            actions.hardState->votedFor != member && _rng.chance(50)) {
            schedule(Event{_now + _rng.uniform(1, 20), 0, EventKind::kBounce, member});
        }
    }
    if (actions.truncateAfter) {
        const int64_t after = *actions.truncateAfter;
        _checker.onTruncate(member, after, actions.rolledBack);
        ++_result.rollbacks;
        _result.rolledBackEntries += actions.rolledBack.size();
        if (after < int64_t(m.log.size())) m.log.resize(after);
        m.durableLength = std::min(m.durableLength, after);
    }
    for (const auto& entry : actions.append) {
        _checker.onAppend(member, entry);
        m.log.push_back(entry);
    }
    if (!actions.append.empty()) {
        const int64_t flushMillis = _rng.uniform(1, _now < _slowDiskUntil ? 2000 : 30);
        Event flush{_now + flushMillis, 0, EventKind::kFlush, member, m.incarnation};
        flush.position = actions.append.back().position();
        schedule(std::move(flush));
    }
    for (const auto& msg : actions.messages) send(msg);
    if (actions.commitPoint) {
        const bool byPrimary =
            m.core->role() == Role::kPrimary && actions.commitPoint->opTime.term == m.core->term();
        _checker.onCommitPoint(member, *actions.commitPoint, m.log, byPrimary);
        std::erase_if(m.majorityWaiters, [&](const PendingWrite& w) {
            if (w.position.index > actions.commitPoint->index) return false;
            const bool held = w.position.index <= int64_t(m.log.size()) &&
                              m.log[w.position.index - 1].opTime == w.position.opTime;
            if (held) {
                _checker.onMajorityAck(member, w.position);
                ++_result.writesAckedMajority;
            }
            return true;
        });
    }
    if (actions.role) {
        if (*actions.role == Role::kPrimary) {
            ++_result.elections;
            _checker.onBecamePrimary(member, m.core->term(), m.log);
            if (_awaitElected && m.core->term() > _crashTerm) {
                _result.failoverElectedMillis.push_back(_now - _crashAt);
                _awaitElected = false;
            }
        } else {
            // A primary stepping down fails its w:"majority" waiters (PrimarySteppedDown).
            m.majorityWaiters.clear();
        }
    }
    if (actions.becameWritable && _awaitWritable && m.core->term() > _crashTerm) {
        _result.failoverWritableMillis.push_back(_now - _crashAt);
        _awaitWritable = false;
    }
    const repl::LogPosition stored = m.log.empty() ? repl::LogPosition{} : m.log.back().position();
    if (!(stored == m.core->lastPosition())) {
        _checker.report("storage_mirror", "member " + std::to_string(member) +
                                              " core log ends at " +
                                              m.core->lastPosition().toString() +
                                              ", applied actions at " + stored.toString());
    }
}

void Simulation::send(const Message& msg) {
    ++_result.messagesSent;
    ++_result.messagesByType[msg.body.index()];
    if (const auto* vote = std::get_if<repl::RequestVote>(&msg.body)) {
        _result.takeoverVoteRequests += (vote->takeover && !vote->dryRun) ? 1 : 0;
    }
    if (msg.to < 0 || msg.to >= int(_members.size()) || _cut[msg.from][msg.to]) {
        ++_result.messagesDropped;
        return;
    }
    if (_now < _dropUntil && _rng.chance(_dropPermille)) {
        ++_result.messagesDropped;
        return;
    }
    const int copies = (_now < _duplicateUntil && _rng.chance(100)) ? 2 : 1;
    if (copies == 2) ++_result.messagesDuplicated;
    for (int i = 0; i < copies; ++i) {
        const int64_t delay = _now < _delayUntil ? _rng.uniform(1, 2000) : _rng.uniform(1, 10);
        Event ev{_now + delay, 0, EventKind::kDeliver, msg.to};
        ev.message = msg;
        schedule(std::move(ev));
    }
}

void Simulation::schedule(Event event) {
    event.seq = _seq++;
    _queue.push(std::move(event));
}

int Simulation::writablePrimary() const {
    int best = -1;
    for (int i = 0; i < int(_members.size()); ++i) {
        const auto& core = _members[i].core;
        if (!core || _members[i].paused || !core->isWritablePrimary()) continue;
        if (best < 0 || core->term() > _members[best].core->term()) best = i;
    }
    return best;
}

void Simulation::traceEvent(const Event& event) {
    uint64_t h = hashMix(_result.traceHash, uint64_t(event.time));
    h = hashMix(h, uint64_t(event.kind));
    h = hashMix(h, uint64_t(event.member + 1));
    const SimMember* m = event.member >= 0 ? &_members[event.member] : nullptr;
    if (m && m->core) {
        h = hashMix(h, uint64_t(m->core->role()));
        h = hashMix(h, uint64_t(m->core->term()));
        h = hashMix(h, uint64_t(m->core->lastPosition().index));
        h = hashMix(h, uint64_t(m->core->commitPoint().index));
    }
    _result.traceHash = h;
    if (!_opts.trace || event.kind == EventKind::kTick) return;
    static constexpr const char* kKinds[] = {"deliver",  "tick",    "flush",  "chaos",
                                             "client",   "restart", "resume", "endfaults",
                                             "liveness", "bounce"};
    std::string line = "t=" + std::to_string(event.time) + " " + kKinds[int(event.kind)];
    if (event.message) {
        line += std::string(" ") + repl::messageName(event.message->body) + " " +
                std::to_string(event.message->from) + "->" + std::to_string(event.message->to);
    } else if (event.member >= 0) {
        line += " m" + std::to_string(event.member);
    }
    if (m && m->core) {
        line += std::string(" | ") + repl::roleName(m->core->role()) + " t" +
                std::to_string(m->core->term()) + " last " + m->core->lastPosition().toString() +
                " commit " + std::to_string(m->core->commitPoint().index) + " " +
                m->core->config().toString();
    } else if (m) {
        line += " | down";
    }
    _result.trace += line + "\n";
}

}  // namespace mongosd::sim
