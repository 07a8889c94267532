// Elections: pre-vote (dry run), votes, priority takeover, step-up.
#include "shard/repl/repl_node.h"

namespace mongosd::repl {

bool ReplNode::electable() const { return _config.isElectable(self()) && _now >= _freezeUntil; }

bool ReplNode::heardFromLivePrimary() const {
    return _role == Role::kSecondary && _leader != kNoMember && _leader != self() &&
           _now - _lastHeardFromPrimary < _opts.electionTimeoutMillis;
}

void ReplNode::startElection(bool dryRun, bool takeover) {
    _takeoverAt = -1;
    _votes.clear();
    _takeoverElection = takeover;
    if (dryRun) {
        // A dry run changes nothing durable: an isolated member that keeps failing it never
        // raises its term, so it cannot depose a healthy primary when it rejoins.
        if (_role == Role::kCandidate) {
            _role = Role::kSecondary;
            _out->role = Role::kSecondary;
        }
        _inDryRun = true;
    } else {
        _inDryRun = false;
        ++_term;
        _votedFor = self();
        _hardStateDirty = true;
        _leader = kNoMember;
        _role = Role::kCandidate;
        _out->role = Role::kCandidate;
    }
    resetElectionDeadline();
    _votes.insert(self());
    const RequestVote req{dryRun ? _term + 1 : _term, lastPosition(), dryRun, takeover};
    for (MemberId v : _config.voters()) {
        if (v != self()) send(v, req);
    }
    if (hasMajorityOfVotes()) {
        if (dryRun) {
            startElection(false, takeover);
        } else {
            becomePrimary();
        }
    }
}

void ReplNode::onRequestVote(MemberId from, const RequestVote& req) {
    const bool logOk =
        _opts.testOnlyVoteWithoutLogCheck || isAtLeastAsUpToDate(req.last, lastPosition());
    // Like Raft, a member answers whoever asks: the candidate counts only the voters of its
    // own config. Refusing on this member's view of the config instead can deadlock elections
    // when that view is stale (the candidate was made electable by a config it has not seen).
    if (req.dryRun) {
        bool grant = req.term > _term && logOk;
        // Leader stickiness: a member that hears a live primary refuses a dry run unless it is
        // a takeover (priority or step-up), which is meant to replace that primary.
        if (!req.takeover && (heardFromLivePrimary() || _role == Role::kPrimary)) grant = false;
        send(from, VoteResponse{grant ? req.term : _term, grant, true, lastPosition()});
        return;
    }
    if (req.term > _term) updateTerm(req.term);
    const bool grant = req.term == _term && logOk && (_votedFor == kNoMember || _votedFor == from);
    if (grant) {
        // Persisted (Actions::hardState) before the response is sent.
        _votedFor = from;
        _hardStateDirty = true;
        resetElectionDeadline();
    }
    send(from, VoteResponse{_term, grant, false, lastPosition()});
}

void ReplNode::onVoteResponse(MemberId from, const VoteResponse& resp) {
    if (resp.term > _term && !(resp.dryRun && resp.granted)) {
        updateTerm(resp.term);
        return;
    }
    if (!resp.granted) {
        maybeSyncFrom(from, resp.last);
        return;
    }
    if (resp.dryRun) {
        if (!_inDryRun || resp.term != _term + 1) return;
    } else if (_role != Role::kCandidate || resp.term != _term) {
        return;
    }
    _votes.insert(from);
    if (!hasMajorityOfVotes()) return;
    if (resp.dryRun) {
        startElection(false, _takeoverElection);
    } else {
        becomePrimary();
    }
}

bool ReplNode::hasMajorityOfVotes() const {
    // Counted against the config in force now: the log (and so the config) may have changed
    // since the election started (seed 1401 counted a vote of its own after a sync had made
    // it a non-voter).
    int granted = 0;
    for (MemberId v : _votes) granted += _config.isVoter(v) ? 1 : 0;
    return granted >= _config.majority();
}

void ReplNode::onStartElection(MemberId from, const StartElection& req) {
    // replSetStepUp from the primary that just stepped down: skip the dry run.
    if (req.term == _term && from == _leader && _role == Role::kSecondary && electable()) {
        startElection(false, true);
    }
}

bool ReplNode::takeoverConditionsHold() const {
    if (!heardFromLivePrimary() || !electable()) return false;
    if (_config.priorityOf(self()) <= _config.priorityOf(_leader)) return false;
    const OpTime mine = lastPosition().opTime;
    return mine.term == _term && _primaryLastOpTime.term == _term &&
           int64_t(_primaryLastOpTime.ts.secs) <= int64_t(mine.ts.secs) + _opts.freshnessWindowSecs;
}

void ReplNode::maybeScheduleTakeover() {
    if (!takeoverConditionsHold()) {
        _takeoverAt = -1;
        return;
    }
    if (_takeoverAt >= 0) return;
    // Higher priorities go first: wait one heartbeat interval per electable member that
    // outranks this one.
    int rank = 0;
    for (const auto& m : _config.members) {
        if (_config.isElectable(m.id) && m.priority > _config.priorityOf(self())) ++rank;
    }
    _takeoverAt = _now + _opts.heartbeatIntervalMillis * (rank + 1);
}

}  // namespace mongosd::repl
