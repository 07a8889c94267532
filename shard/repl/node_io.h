#pragma once
// What goes into a ReplNode (Input) and what comes out (Actions), including the persistence
// contract the WiredTiger oplog implements.
//
// Applying Actions, in this order (the embedder's contract):
//  1. hardState: make it durable (term + vote) BEFORE sending any of `messages`: a vote or a
//     term must survive a crash once anyone has seen it.
//  2. truncateAfter: remove oplog entries with index > truncateAfter (a rollback; `rolledBack`
//     holds the removed entries, oldest first, for the data layer to undo). Synchronous.
//  3. append: write these entries after the (possibly truncated) log. Not yet durable: once
//     they are on disk, step(LogDurable{last appended position}).
//  4. messages: send (delivery may be delayed, duplicated, reordered or lost).
//  5. commitPoint / role: informational (wake majority waiters, fail them on step-down).
// A restart passes the durable hard state and durable log prefix back in (DurableState).
//
// Plain values; any thread.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "shard/repl/messages.h"

namespace mongosd::repl {

enum class Role : uint8_t { kSecondary, kCandidate, kPrimary };
const char* roleName(Role role);

struct HardState {
    int64_t term = 0;
    MemberId votedFor = kNoMember;
    friend bool operator==(const HardState&, const HardState&) = default;
};

struct DurableState {
    HardState hardState;
    ReplSetConfig initialConfig;  // in force until a config entry is in the log
    std::vector<OplogEntry> log;  // the durable prefix, indexes 1..n
};

struct NodeOptions {
    MemberId self = kNoMember;
    int64_t heartbeatIntervalMillis = 2000;  // MongoDB's default
    int64_t electionTimeoutMillis = 10000;   // MongoDB's default
    int64_t catchUpTimeoutMillis = 2000;
    int64_t freshnessWindowSecs = 2;  // priority takeover: "caught up" within this many secs
    size_t maxEntriesPerMessage = 64;
    std::function<uint64_t()> random;  // election jitter; must be set
    // Test only: grant votes without the up-to-date log check, to prove the simulator's
    // checker catches the resulting lost writes.
    bool testOnlyVoteWithoutLogCheck = false;
};

// Inputs. Every step also carries `now`, the member's own (possibly skewed) clock in millis.
struct Tick {};
struct LogDurable {
    LogPosition upTo;  // everything up to this entry is on disk
};
struct ClientWrite {
    std::string payload;
};
struct StepDownRequest {
    int64_t freezeMillis = 60000;  // not electable for this long
    bool force = false;            // step down even with no caught-up electable secondary
};
struct FreezeRequest {
    int64_t millis = 0;  // replSetFreeze: 0 unfreezes
};
struct ReconfigRequest {
    ReplSetConfig config;
};
using Input = std::variant<Tick, Message, LogDurable, ClientWrite, StepDownRequest, FreezeRequest,
                           ReconfigRequest>;

struct Actions {
    std::optional<HardState> hardState;
    std::optional<int64_t> truncateAfter;
    std::vector<OplogEntry> rolledBack;
    std::vector<OplogEntry> append;
    std::vector<Message> messages;
    std::optional<LogPosition> commitPoint;  // the new commit point, when it moved
    std::optional<Role> role;                // the new role, when it changed
    bool becameWritable = false;             // a primary finished catch-up
    // Commands (ClientWrite, StepDownRequest, FreezeRequest, ReconfigRequest): the outcome,
    // and for an accepted write or reconfig the position of its oplog entry.
    Status result = Status::OK();
    std::optional<LogPosition> written;
};

}  // namespace mongosd::repl
