#pragma once
// Write concern on a shard member: {w: 1 | "majority" | n, j: bool, wtimeout: ms}.
// On a one-member replica set (a standalone server) "majority" and j:true both mean the write
// is in the flushed journal; w > 1 can never be satisfied and answers a writeConcernError
// (UnsatisfiableWriteConcern), as MongoDB does.

#include <optional>

#include "common/bson.h"
#include "common/optime.h"
#include "shard/commands/command_args.h"

namespace mongosd::shard {

struct OperationContext;

struct WriteConcern {
    int64_t w = 1;          // acknowledgements wanted (0: unacknowledged)
    bool majority = false;  // w: "majority"
    std::optional<bool> j;  // journal
    int64_t wtimeoutMs = 0;

    bool needsJournal() const { return majority || j.value_or(false); }
};

// Parses the command's writeConcern field (absent: {w: 1}). FailedToParse / BadValue on bad shapes.
StatusWith<WriteConcern> parseWriteConcern(const CommandArgs& args);

// Waits until `lastWrite` satisfies the concern; appends writeConcernError to `reply` when it
// cannot be satisfied. The writes themselves stay applied either way.
void waitForWriteConcern(OperationContext& opCtx, const WriteConcern& wc,
                         const std::optional<OpTime>& lastWrite, BsonBuilder& reply);

}  // namespace mongosd::shard
