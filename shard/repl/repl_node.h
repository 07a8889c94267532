#pragma once
// ReplNode: one replica-set member's consensus state machine (MongoDB pv1 semantics), sans IO.
//
//   Actions step(const Input& input, int64_t now);
//
// Inputs are peer messages, ticks, persistence acks and commands; Actions (node_io.h) are
// what to persist, send and report. No threads, sockets, clocks or randomness inside: `now`
// is passed in, jitter comes from NodeOptions::random. Not thread-safe: one caller at a time.
//
// Invariants kept (checked from outside by tests/sim):
//  1. At most one primary per term: a member votes once per term (vote persisted first).
//  2. A member votes only for a candidate whose log is at least as up to date as its own
//     (last term, then length), so a new primary holds every committed entry.
//  3. The commit point is the highest entry of the primary's current term that a majority of
//     voters hold durably (checked against the primary's own log by OpTime); followers adopt
//     min(primary's commit point, the prefix they verified). It never moves backwards.
//  4. Only a conflicting suffix is truncated; entries at or below the commit point never are.
//     Without a primary a member may sync from a member ahead of it: it replaces a conflicting
//     entry only at or below that member's commit point, and past it only extends its log.
//  5. A new primary accepts writes only after catch-up (fetching newer entries of older terms
//     a majority member holds) and a no-op in its own term.
//  6. Reconfigs: one voter at a time, only when the current config is committed and the
//     primary has committed an entry in its term (Raft's single-server change rule). The
//     config in force is the latest in the log; votes are counted against it.
//
// The whole log is held in memory (no compaction yet): the WiredTiger oplog is the durable
// copy and provides the DurableState on restart.

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "shard/repl/node_io.h"

namespace mongosd::repl {

class ReplNode {
public:
    ReplNode(NodeOptions options, DurableState durable, int64_t now);

    Actions step(const Input& input, int64_t now);

    MemberId self() const { return _opts.self; }
    Role role() const { return _role; }
    // A primary that finished catch-up: accepts writes.
    bool isWritablePrimary() const { return _role == Role::kPrimary && _writable; }
    int64_t term() const { return _term; }
    MemberId votedFor() const { return _votedFor; }
    MemberId primaryId() const { return _leader; }
    LogPosition lastPosition() const;
    LogPosition durablePosition() const { return _durable; }
    LogPosition commitPoint() const { return _commit; }
    const ReplSetConfig& config() const { return _config; }
    const std::vector<OplogEntry>& log() const { return _log; }
    int64_t frozenUntil() const { return _freezeUntil; }

private:
    struct Peer {
        int64_t nextIndex = 1;
        LogPosition matched;
        LogPosition durable;
        LogPosition last;
        int64_t lastResponse = 0;
        bool respondedThisTerm = false;
    };

    // repl_node.cpp: dispatch, ticks, role changes.
    void onTick();
    void onMessage(const Message& msg);
    void updateTerm(int64_t term);
    void becomeSecondary();
    void becomePrimary();
    void resetElectionDeadline();
    void send(MemberId to, MessageBody body);
    void setCommitPoint(int64_t index);

    // election.cpp
    void startElection(bool dryRun, bool takeover);
    void onRequestVote(MemberId from, const RequestVote& req);
    void onVoteResponse(MemberId from, const VoteResponse& resp);
    void onStartElection(MemberId from, const StartElection& req);
    bool electable() const;
    bool hasMajorityOfVotes() const;
    bool heardFromLivePrimary() const;
    void maybeScheduleTakeover();
    bool takeoverConditionsHold() const;

    // replication.cpp
    void broadcastAppend();
    void sendAppend(MemberId to);
    void onAppendEntries(MemberId from, const AppendEntries& req);
    void onAppendResponse(MemberId from, const AppendResponse& resp);
    void onLogDurable(const LogDurable& ack);
    void advanceCommitPoint();
    void appendLocal(OplogEntry entry);
    void truncateAfter(int64_t index);
    void recomputeConfig();
    void syncPeersWithConfig();
    void sendPositionToPrimary();
    bool holds(const LogPosition& pos) const;
    LogPosition positionAt(int64_t index) const;

    // catch_up.cpp
    void maybeFetch(MemberId from, const AppendResponse& resp);
    void onFetchRequest(MemberId from, const FetchRequest& req);
    void onFetchResponse(MemberId from, const FetchResponse& resp);
    void maybeFinishCatchUp();
    void finishCatchUp();
    void maybeSyncFrom(MemberId from, const LogPosition& theirLast);
    void syncFromPeer(MemberId from, const FetchResponse& resp);

    // commands.cpp
    void onClientWrite(const ClientWrite& write);
    void onStepDown(const StepDownRequest& req);
    void onFreeze(const FreezeRequest& req);
    void onReconfig(const ReconfigRequest& req);
    OpTime nextOpTime() const;

    NodeOptions _opts;
    ReplSetConfig _initialConfig;
    ReplSetConfig _config;
    int64_t _configIndex = 0;  // 0: the initial config

    int64_t _term = 0;
    MemberId _votedFor = kNoMember;
    std::vector<OplogEntry> _log;
    LogPosition _durable;
    LogPosition _commit;

    Role _role = Role::kSecondary;
    bool _writable = false;
    MemberId _leader = kNoMember;
    int64_t _lastHeardFromPrimary = 0;
    int64_t _electionDeadline = 0;
    int64_t _freezeUntil = 0;
    OpTime _primaryLastOpTime;
    int64_t _takeoverAt = -1;

    // Candidate state (a dry run keeps the role kSecondary).
    bool _inDryRun = false;
    bool _takeoverElection = false;
    std::set<MemberId> _votes;

    // Oplog fetch in flight (catch-up or sync without a primary).
    MemberId _fetchingFrom = kNoMember;
    int64_t _fetchSentAt = 0;

    // Primary state.
    std::map<MemberId, Peer> _peers;
    int64_t _lastBroadcast = 0;
    bool _catchingUp = false;
    int64_t _catchUpDeadline = 0;

    // The step in progress.
    int64_t _now = 0;
    Actions* _out = nullptr;
    bool _hardStateDirty = false;
};

}  // namespace mongosd::repl
