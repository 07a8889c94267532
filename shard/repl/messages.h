#pragma once
// Messages between members. The core never sends them itself: they come out of
// ReplNode::step() as Actions::messages and go back in as Input (see node_io.h).
//
// pv1 mapping: AppendEntries is the primary's heartbeat + oplog push (MongoDB's heartbeat and
// the secondaries' oplog fetch), AppendResponse carries replSetUpdatePosition (applied and
// durable optimes), RequestVote is replSetRequestVotes (dryRun = the pre-vote), StartElection is
// replSetStepUp sent by a stepping-down primary, Fetch* is the oplog fetcher (a new primary's
// catch-up, a secondary's sync from a member ahead of it).
//
// Plain values; any thread.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "shard/repl/oplog_entry.h"

namespace mongosd::repl {

struct AppendEntries {
    int64_t term = 0;
    LogPosition prev;  // entries follow this position; the receiver must hold it
    std::vector<OplogEntry> entries;
    LogPosition commitPoint;
    OpTime primaryLastOpTime;  // for priority takeover's "caught up" test
};

struct AppendResponse {
    int64_t term = 0;
    bool success = false;
    LogPosition matched;  // success: the receiver's log equals the primary's up to here
    LogPosition last;     // receiver's last entry; on failure a hint where to retry from
    LogPosition durable;  // receiver's durable position (the primary checks it against its log)
};

struct RequestVote {
    int64_t term = 0;  // dry run: the term the candidate would stand in; not adopted by voters
    LogPosition last;
    bool dryRun = false;
    bool takeover = false;  // priority takeover or step-up: voters ignore a live primary
};

struct VoteResponse {
    int64_t term = 0;
    bool granted = false;
    bool dryRun = false;
    LogPosition last;  // the voter's last entry: a candidate behind it syncs from it
};

struct StartElection {
    int64_t term = 0;
};

// Oplog fetch from any member: a new primary's catch-up, or a secondary syncing from a member
// that is ahead of it while there is no primary (MongoDB's sync-source chaining).
struct FetchRequest {
    int64_t term = 0;
    LogPosition after;  // send entries after this position, if you hold it
};

struct FetchResponse {
    int64_t term = 0;
    LogPosition after;
    bool matched = false;  // the sender holds `after`
    std::vector<OplogEntry> entries;
    LogPosition commitPoint;  // the sender's: entries up to here are committed
};

using MessageBody = std::variant<AppendEntries, AppendResponse, RequestVote, VoteResponse,
                                 StartElection, FetchRequest, FetchResponse>;

struct Message {
    MemberId from = kNoMember;
    MemberId to = kNoMember;
    MessageBody body;
};

// "AppendEntries", "VoteResponse", ...: for traces.
const char* messageName(const MessageBody& body);

}  // namespace mongosd::repl
