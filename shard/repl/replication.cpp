// Replication: pushing the oplog, accepting it, durability and the commit point.
#include "shard/repl/repl_node.h"

#include <algorithm>

namespace mongosd::repl {

void ReplNode::broadcastAppend() {
    _lastBroadcast = _now;
    for (const auto& m : _config.members) {
        if (m.id != self()) sendAppend(m.id);
    }
}

void ReplNode::sendAppend(MemberId to) {
    Peer& peer = _peers[to];
    const int64_t last = lastPosition().index;
    const int64_t next = std::clamp<int64_t>(peer.nextIndex, 1, last + 1);
    AppendEntries req;
    req.term = _term;
    req.prev = positionAt(next - 1);
    const int64_t end = std::min<int64_t>(last, next + int64_t(_opts.maxEntriesPerMessage) - 1);
    for (int64_t i = next; i <= end; ++i) req.entries.push_back(_log[i - 1]);
    req.commitPoint = _commit;
    req.primaryLastOpTime = lastPosition().opTime;
    send(to, std::move(req));
}

void ReplNode::onAppendEntries(MemberId from, const AppendEntries& req) {
    if (req.term < _term) {
        send(from, AppendResponse{_term, false, {}, lastPosition(), _durable});
        return;
    }
    if (req.term > _term) updateTerm(req.term);
    // Same term and primary: impossible while votes are one per term; the simulator's checker
    // reports it (two primaries in a term), so ignore rather than abort here.
    if (_role == Role::kPrimary) return;
    // A primary exists: an election in progress yields, except a takeover dry run, which is
    // meant to replace this very primary (its heartbeats must not cancel it).
    if (_role == Role::kCandidate || (_inDryRun && !_takeoverElection)) becomeSecondary();
    _leader = from;
    _lastHeardFromPrimary = _now;
    resetElectionDeadline();
    _primaryLastOpTime = req.primaryLastOpTime;
    if (!holds(req.prev)) {
        const LogPosition hint = positionAt(std::min(lastPosition().index, req.prev.index - 1));
        send(from, AppendResponse{_term, false, {}, hint, _durable});
        return;
    }
    int64_t matched = req.prev.index;
    for (const auto& entry : req.entries) {
        if (entry.index != matched + 1) break;  // malformed; keep the verified prefix only
        ++matched;
        if (matched <= lastPosition().index) {
            if (_log[matched - 1].opTime == entry.opTime) continue;
            // Only a conflicting suffix goes: a stale or duplicated message from this primary
            // never conflicts, so it never truncates.
            truncateAfter(matched - 1);
        }
        appendLocal(entry);
    }
    setCommitPoint(std::min(req.commitPoint.index, matched));
    send(from, AppendResponse{_term, true, positionAt(matched), lastPosition(), _durable});
    maybeScheduleTakeover();
}

void ReplNode::onAppendResponse(MemberId from, const AppendResponse& resp) {
    if (resp.term > _term) {
        updateTerm(resp.term);
        return;
    }
    if (_role != Role::kPrimary || resp.term != _term) return;
    auto it = _peers.find(from);
    if (it == _peers.end()) return;
    Peer& peer = it->second;
    peer.lastResponse = _now;
    peer.respondedThisTerm = true;
    if (resp.success) peer.last = resp.last;  // on failure `last` is only a retry hint
    // Positions count only when they are in this primary's log (same index and OpTime): by
    // log matching the member then holds this log's whole prefix.
    if (holds(resp.durable) && resp.durable.index > peer.durable.index) {
        peer.durable = resp.durable;
    }
    // Send more only when a response moves nextIndex: a duplicated or stale response must not
    // start a second stream (each would double again on the next duplicate).
    if (resp.success) {
        if (holds(resp.matched) && resp.matched.index > 0) {
            if (resp.matched.index > peer.matched.index) peer.matched = resp.matched;
            if (resp.matched.index + 1 > peer.nextIndex) {
                peer.nextIndex = resp.matched.index + 1;
                if (peer.nextIndex <= lastPosition().index) sendAppend(from);
            }
        }
    } else if (const int64_t next = std::max<int64_t>(1, resp.last.index + 1);
               next < peer.nextIndex) {
        peer.nextIndex = next;
        sendAppend(from);
    }
    advanceCommitPoint();
    maybeFetch(from, resp);
    maybeFinishCatchUp();
}

void ReplNode::onLogDurable(const LogDurable& ack) {
    if (!holds(ack.upTo) || ack.upTo.index <= _durable.index) return;
    _durable = ack.upTo;
    if (_role == Role::kPrimary) {
        advanceCommitPoint();
    } else {
        sendPositionToPrimary();
    }
}

void ReplNode::sendPositionToPrimary() {
    if (_leader == kNoMember || _leader == self()) return;
    // replSetUpdatePosition: matched index 0 means "no new verified prefix, just positions".
    send(_leader, AppendResponse{_term, true, {}, lastPosition(), _durable});
}

void ReplNode::advanceCommitPoint() {
    if (_role != Role::kPrimary) return;
    const auto voters = _config.voters();
    for (int64_t n = lastPosition().index; n > _commit.index; --n) {
        // Only an entry of this term is committed by counting (Raft's rule): an older-term
        // entry on a majority can still be overwritten by a primary that never saw it.
        if (_log[n - 1].opTime.term != _term) break;
        int count = 0;
        for (MemberId v : voters) {
            if (v == self()) {
                count += _durable.index >= n ? 1 : 0;
            } else if (auto it = _peers.find(v); it != _peers.end()) {
                count += it->second.durable.index >= n ? 1 : 0;
            }
        }
        if (count >= _config.majority()) {
            setCommitPoint(n);
            return;
        }
    }
}

void ReplNode::appendLocal(OplogEntry entry) {
    invariant(entry.index == lastPosition().index + 1);
    const bool isConfig = entry.kind == EntryKind::kConfig;
    _log.push_back(entry);
    _out->append.push_back(std::move(entry));
    if (isConfig) recomputeConfig();
}

void ReplNode::truncateAfter(int64_t index) {
    // One truncation per step, before any append: the embedder applies them in that order.
    invariant(!_out->truncateAfter && _out->append.empty());
    _out->truncateAfter = index;
    for (int64_t i = index + 1; i <= lastPosition().index; ++i) {
        _out->rolledBack.push_back(_log[i - 1]);
    }
    _log.resize(index);
    if (_durable.index > index) _durable = positionAt(index);
    if (_configIndex > index) recomputeConfig();
}

void ReplNode::recomputeConfig() {
    _config = _initialConfig;
    _configIndex = 0;
    for (auto it = _log.rbegin(); it != _log.rend(); ++it) {
        if (it->kind == EntryKind::kConfig && it->config) {
            _config = *it->config;
            _configIndex = it->index;
            break;
        }
    }
    // A member the config no longer lets stand abandons its election or primaryship (a
    // catch-up or sync can bring in such a config).
    const bool campaigning = _role != Role::kSecondary || _inDryRun;
    if (campaigning && _out && !_config.isElectable(self())) becomeSecondary();
    if (_role == Role::kPrimary) syncPeersWithConfig();
}

void ReplNode::syncPeersWithConfig() {
    for (const auto& m : _config.members) {
        if (m.id == self() || _peers.count(m.id)) continue;
        Peer peer;
        peer.nextIndex = lastPosition().index + 1;
        peer.lastResponse = _now;
        _peers[m.id] = peer;
    }
    std::erase_if(_peers, [this](const auto& kv) { return !_config.find(kv.first); });
}

}  // namespace mongosd::repl
