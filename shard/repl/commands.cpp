// Commands: writes, replSetStepDown, replSetFreeze, replSetReconfig.
#include "shard/repl/repl_node.h"

#include <algorithm>

namespace mongosd::repl {

OpTime ReplNode::nextOpTime() const {
    const Timestamp last = lastPosition().opTime.ts;
    const uint32_t secs = std::max(uint32_t(std::max<int64_t>(_now, 0) / 1000), last.secs);
    return OpTime{Timestamp{secs, secs == last.secs ? last.inc + 1 : 1}, _term};
}

void ReplNode::onClientWrite(const ClientWrite& write) {
    if (!isWritablePrimary()) {
        _out->result = Status(ErrorCodes::NotWritablePrimary, "not primary");
        return;
    }
    OplogEntry entry{lastPosition().index + 1, nextOpTime(), EntryKind::kWrite, write.payload, {}};
    _out->written = entry.position();
    appendLocal(std::move(entry));
    broadcastAppend();
}

void ReplNode::onStepDown(const StepDownRequest& req) {
    if (_role != Role::kPrimary) {
        _out->result = Status(ErrorCodes::NotWritablePrimary, "not primary so can't step down");
        return;
    }
    // The most caught-up electable secondary is asked to stand at once (replSetStepUp).
    MemberId target = kNoMember;
    int64_t best = -1;
    for (const auto& [id, peer] : _peers) {
        if (_config.isElectable(id) && peer.matched.index > best) {
            best = peer.matched.index;
            target = id;
        }
    }
    if (!req.force && best < lastPosition().index) {
        _out->result = Status(ErrorCodes::ExceededTimeLimit,
                              "no electable secondaries caught up as of the step down");
        return;
    }
    const int64_t term = _term;
    becomeSecondary();
    _freezeUntil = _now + req.freezeMillis;
    if (target != kNoMember) send(target, StartElection{term});
}

void ReplNode::onFreeze(const FreezeRequest& req) {
    if (_role == Role::kPrimary) {
        _out->result = Status(ErrorCodes::IllegalOperation, "cannot freeze node when primary");
        return;
    }
    _freezeUntil = req.millis == 0 ? 0 : _now + req.millis;
}

void ReplNode::onReconfig(const ReconfigRequest& req) {
    if (!isWritablePrimary()) {
        _out->result = Status(ErrorCodes::NotWritablePrimary, "replSetReconfig needs a primary");
        return;
    }
    // Raft's single-server rule: the previous change is committed, and so is an entry of this
    // term (else a primary of an older config could still overwrite it).
    if (_configIndex > _commit.index || _commit.opTime.term != _term) {
        _out->result = Status(ErrorCodes::ConflictingOperationInProgress,
                              "the current config is not committed in this term yet");
        return;
    }
    if (Status st = validateReconfig(_config, req.config); !st.isOK()) {
        _out->result = st;
        return;
    }
    if (!req.config.isElectable(self())) {
        _out->result = Status(ErrorCodes::InvalidReplicaSetConfig,
                              "the primary must stay an electable member; step down first");
        return;
    }
    OplogEntry entry{lastPosition().index + 1, nextOpTime(), EntryKind::kConfig, {}, req.config};
    _out->written = entry.position();
    appendLocal(std::move(entry));
    broadcastAppend();
}

}  // namespace mongosd::repl
