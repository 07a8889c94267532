#pragma once
// An oplog entry as the consensus core sees it, and a position in the oplog.
//
// Entries are numbered 1, 2, 3, ... (index 0 is the empty prefix). An OpTime (term, Timestamp)
// is unique to one entry: the term's one primary stamps increasing Timestamps. Log matching:
// two logs holding an entry with the same index and OpTime are identical up to that index.
//
// Plain values; any thread.

#include <cstdint>
#include <optional>
#include <string>

#include "common/optime.h"
#include "shard/repl/repl_config.h"

namespace mongosd::repl {

struct LogPosition {
    int64_t index = 0;
    OpTime opTime;

    std::string toString() const;
    friend bool operator==(const LogPosition&, const LogPosition&) = default;
};

// "At least as up to date" (the vote rule): last entry's term first, then log length.
bool isAtLeastAsUpToDate(const LogPosition& a, const LogPosition& b);

enum class EntryKind : uint8_t {
    kNoop,    // written by a new primary when it starts accepting writes
    kWrite,   // a client write; payload is opaque to the core
    kConfig,  // a replica-set config; takes effect when appended, not when committed
};

struct OplogEntry {
    int64_t index = 0;
    OpTime opTime;
    EntryKind kind = EntryKind::kNoop;
    std::string payload;
    std::optional<ReplSetConfig> config;  // set iff kind == kConfig

    LogPosition position() const { return {index, opTime}; }
};

}  // namespace mongosd::repl
