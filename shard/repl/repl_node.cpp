#include "shard/repl/repl_node.h"

#include <utility>

namespace mongosd::repl {

const char* roleName(Role role) {
    switch (role) {
        case Role::kSecondary:
            return "SECONDARY";
        case Role::kCandidate:
            return "CANDIDATE";
        case Role::kPrimary:
            return "PRIMARY";
    }
    return "?";
}

std::string LogPosition::toString() const {
    return std::to_string(index) + "@" + std::to_string(opTime.term) + ":" +
           std::to_string(opTime.ts.secs) + "." + std::to_string(opTime.ts.inc);
}

bool isAtLeastAsUpToDate(const LogPosition& a, const LogPosition& b) {
    if (a.opTime.term != b.opTime.term) return a.opTime.term > b.opTime.term;
    return a.index >= b.index;
}

ReplNode::ReplNode(NodeOptions options, DurableState durable, int64_t now)
    : _opts(std::move(options)),
      _initialConfig(std::move(durable.initialConfig)),
      _term(durable.hardState.term),
      _votedFor(durable.hardState.votedFor),
      _log(std::move(durable.log)),
      _now(now) {
    invariant(bool(_opts.random));
    for (size_t i = 0; i < _log.size(); ++i) invariant(_log[i].index == int64_t(i + 1));
    // Everything handed back on restart was durable.
    _durable = lastPosition();
    recomputeConfig();
    _lastHeardFromPrimary = now;
    resetElectionDeadline();
}

LogPosition ReplNode::lastPosition() const {
    return _log.empty() ? LogPosition{} : _log.back().position();
}

LogPosition ReplNode::positionAt(int64_t index) const {
    if (index <= 0 || index > int64_t(_log.size())) return {};
    return _log[index - 1].position();
}

bool ReplNode::holds(const LogPosition& pos) const {
    if (pos.index == 0) return true;
    return pos.index <= int64_t(_log.size()) && _log[pos.index - 1].opTime == pos.opTime;
}

Actions ReplNode::step(const Input& input, int64_t now) {
    Actions out;
    _out = &out;
    _now = now;
    _hardStateDirty = false;
    std::visit(
        [this](const auto& in) {
            using T = std::decay_t<decltype(in)>;
            if constexpr (std::is_same_v<T, Tick>) {
                onTick();
            } else if constexpr (std::is_same_v<T, Message>) {
                onMessage(in);
            } else if constexpr (std::is_same_v<T, LogDurable>) {
                onLogDurable(in);
            } else if constexpr (std::is_same_v<T, ClientWrite>) {
                onClientWrite(in);
            } else if constexpr (std::is_same_v<T, StepDownRequest>) {
                onStepDown(in);
            } else if constexpr (std::is_same_v<T, FreezeRequest>) {
                onFreeze(in);
            } else {
                onReconfig(in);
            }
        },
        input);
    if (_hardStateDirty) out.hardState = HardState{_term, _votedFor};
    _out = nullptr;
    return out;
}

void ReplNode::onTick() {
    if (_role == Role::kPrimary) {
        // Step down when a majority of voters has not answered for an election timeout: the
        // others may have elected someone else (MongoDB does the same).
        int live = _config.isVoter(self()) ? 1 : 0;
        for (const auto& [id, peer] : _peers) {
            if (_config.isVoter(id) && _now - peer.lastResponse < _opts.electionTimeoutMillis) {
                ++live;
            }
        }
        if (live < _config.majority()) {
            becomeSecondary();
            return;
        }
        if (_catchingUp && _now >= _catchUpDeadline) finishCatchUp();
        if (_now - _lastBroadcast >= _opts.heartbeatIntervalMillis || _now < _lastBroadcast) {
            broadcastAppend();
        }
        return;
    }
    if (_takeoverAt >= 0 && _now >= _takeoverAt) {
        _takeoverAt = -1;
        if (takeoverConditionsHold()) {
            startElection(/*dryRun=*/true, /*takeover=*/true);
            return;
        }
    }
    if (_now >= _electionDeadline) {
        if (electable()) {
            startElection(/*dryRun=*/true, /*takeover=*/false);
        } else {
            if (_role == Role::kCandidate) becomeSecondary();
            resetElectionDeadline();
        }
    }
}

void ReplNode::onMessage(const Message& msg) {
    if (msg.to != self()) return;
    std::visit(
        [this, &msg](const auto& body) {
            using T = std::decay_t<decltype(body)>;
            if constexpr (std::is_same_v<T, AppendEntries>) {
                onAppendEntries(msg.from, body);
            } else if constexpr (std::is_same_v<T, AppendResponse>) {
                onAppendResponse(msg.from, body);
            } else if constexpr (std::is_same_v<T, RequestVote>) {
                onRequestVote(msg.from, body);
            } else if constexpr (std::is_same_v<T, VoteResponse>) {
                onVoteResponse(msg.from, body);
            } else if constexpr (std::is_same_v<T, StartElection>) {
                onStartElection(msg.from, body);
            } else if constexpr (std::is_same_v<T, FetchRequest>) {
                onFetchRequest(msg.from, body);
            } else {
                onFetchResponse(msg.from, body);
            }
        },
        msg.body);
}

void ReplNode::updateTerm(int64_t term) {
    invariant(term > _term);
    _term = term;
    _votedFor = kNoMember;
    _hardStateDirty = true;
    _leader = kNoMember;
    if (_role != Role::kSecondary || _inDryRun) becomeSecondary();
}

void ReplNode::becomeSecondary() {
    const bool changed = _role != Role::kSecondary;
    _role = Role::kSecondary;
    _writable = false;
    _catchingUp = false;
    _inDryRun = false;
    _takeoverElection = false;
    _votes.clear();
    _peers.clear();
    _fetchingFrom = kNoMember;
    if (_leader == self()) _leader = kNoMember;
    if (changed) _out->role = Role::kSecondary;
    resetElectionDeadline();
}

void ReplNode::becomePrimary() {
    _role = Role::kPrimary;
    _out->role = Role::kPrimary;
    _leader = self();
    _inDryRun = false;
    _votes.clear();
    _takeoverAt = -1;
    _writable = false;
    _catchingUp = true;
    _catchUpDeadline = _now + _opts.catchUpTimeoutMillis;
    _fetchingFrom = kNoMember;
    _peers.clear();
    syncPeersWithConfig();
    broadcastAppend();
    maybeFinishCatchUp();
}

void ReplNode::resetElectionDeadline() {
    // MongoDB: electionTimeoutMillis plus a random offset of up to 15% of it.
    const uint64_t span = uint64_t(_opts.electionTimeoutMillis) * 15 / 100 + 1;
    _electionDeadline = _now + _opts.electionTimeoutMillis + int64_t(_opts.random() % span);
}

void ReplNode::send(MemberId to, MessageBody body) {
    _out->messages.push_back(Message{self(), to, std::move(body)});
}

void ReplNode::setCommitPoint(int64_t index) {
    if (index <= _commit.index) return;
    _commit = positionAt(index);
    _out->commitPoint = _commit;
}

}  // namespace mongosd::repl
