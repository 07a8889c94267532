// Catch-up: a new primary fetches newer entries of older terms that a member holds (w:1 writes
// of the previous primary) before it writes its own no-op and accepts writes.
#include "shard/repl/repl_node.h"

namespace mongosd::repl {

void ReplNode::maybeFetch(MemberId from, const AppendResponse& resp) {
    if (!_catchingUp || !resp.success || resp.matched != lastPosition()) return;
    if (resp.last.index <= lastPosition().index) return;
    if (_fetchingFrom != kNoMember && _now - _fetchSentAt < _opts.heartbeatIntervalMillis) return;
    _fetchingFrom = from;
    _fetchSentAt = _now;
    send(from, FetchRequest{_term, lastPosition()});
}

void ReplNode::onFetchRequest(MemberId from, const FetchRequest& req) {
    if (req.term > _term) updateTerm(req.term);
    FetchResponse resp{_term, req.after, holds(req.after), {}, _commit};
    if (resp.matched) {
        const int64_t end = std::min<int64_t>(
            lastPosition().index, req.after.index + int64_t(_opts.maxEntriesPerMessage));
        for (int64_t i = req.after.index + 1; i <= end; ++i) resp.entries.push_back(_log[i - 1]);
    }
    send(from, std::move(resp));
}

void ReplNode::onFetchResponse(MemberId from, const FetchResponse& resp) {
    if (resp.term > _term) {
        updateTerm(resp.term);
        return;
    }
    if (_role != Role::kPrimary) {
        syncFromPeer(from, resp);
        return;
    }
    if (!_catchingUp || resp.term != _term || !resp.matched || resp.after != lastPosition()) {
        return;
    }
    _fetchingFrom = kNoMember;
    for (const auto& entry : resp.entries) {
        // Entries of this term exist only on this primary; anything else is malformed.
        if (entry.index != lastPosition().index + 1 || entry.opTime.term >= _term) break;
        appendLocal(entry);
    }
    if (resp.entries.empty()) return;
    broadcastAppend();
    if (resp.entries.size() == _opts.maxEntriesPerMessage) {
        _fetchingFrom = from;
        _fetchSentAt = _now;
        send(from, FetchRequest{_term, lastPosition()});
    }
}

void ReplNode::maybeFinishCatchUp() {
    if (!_catchingUp) return;
    // Done when a majority (counting this member) has answered in this term and none of them
    // holds entries past this log that this log could take.
    int answered = _config.isVoter(self()) ? 1 : 0;
    for (const auto& [id, peer] : _peers) {
        if (!_config.isVoter(id) || !peer.respondedThisTerm) continue;
        ++answered;
        if (peer.matched == lastPosition() && peer.last.index > lastPosition().index) return;
    }
    if (answered >= _config.majority()) finishCatchUp();
}

void ReplNode::finishCatchUp() {
    _catchingUp = false;
    _writable = true;
    _out->becameWritable = true;
    appendLocal(OplogEntry{lastPosition().index + 1, nextOpTime(), EntryKind::kNoop, {}, {}});
    broadcastAppend();
}

void ReplNode::maybeSyncFrom(MemberId from, const LogPosition& theirLast) {
    // Without a primary, a member behind another one fetches from it (the other may be the
    // only holder of committed entries and unable to stand, e.g. priority 0).
    if (_role == Role::kPrimary || heardFromLivePrimary()) return;
    if (!isAtLeastAsUpToDate(theirLast, lastPosition()) || theirLast == lastPosition()) return;
    if (_fetchingFrom != kNoMember && _now - _fetchSentAt < _opts.heartbeatIntervalMillis) return;
    _fetchingFrom = from;
    _fetchSentAt = _now;
    // From the commit point: a log more up to date than this one holds it, or answers
    // unmatched (harmless).
    send(from, FetchRequest{_term, _commit});
}

void ReplNode::syncFromPeer(MemberId from, const FetchResponse& resp) {
    if (!resp.matched || !holds(resp.after)) return;
    _fetchingFrom = kNoMember;
    // This log becomes a prefix of the sender's. A conflicting entry of this log is replaced
    // only at or below the sender's commit point: the sender's entry there is committed, so
    // ours is not. Past it only a pure extension is taken.
    int64_t verified = resp.after.index;
    bool appended = false;
    for (const auto& entry : resp.entries) {
        if (entry.index != verified + 1) break;
        if (entry.index <= lastPosition().index) {
            if (_log[entry.index - 1].opTime != entry.opTime) {
                if (entry.index > resp.commitPoint.index) break;
                truncateAfter(entry.index - 1);
                appendLocal(entry);
                appended = true;
            }
        } else {
            appendLocal(entry);
            appended = true;
        }
        ++verified;
    }
    setCommitPoint(std::min(resp.commitPoint.index, verified));
    // Ask for more only when this answer was new: a duplicated answer must not fork a second
    // stream of requests (seed 264 grew them exponentially).
    if (appended && resp.entries.size() == _opts.maxEntriesPerMessage) {
        _fetchingFrom = from;
        _fetchSentAt = _now;
        send(from, FetchRequest{_term, positionAt(verified)});
    }
}

}  // namespace mongosd::repl
