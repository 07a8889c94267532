#pragma once
// Query execution on one shard: turns a parsed find (filter, projection, sort, skip, limit)
// into a CursorSource over the storage engine. The plan (a point lookup, an index scan or a
// collection scan: query_plan.h) is streamed a batch at a time, resumable by its last key so
// an open cursor holds no storage snapshot; a sort the plan does not provide is a blocking
// sort over the matches (bounded by kMaxBlockingSortBytes, as MongoDB's 100 MB limit).

#include <memory>
#include <string>

#include "common/bson.h"
#include "shard/cursor_manager.h"

namespace mongosd::shard {

struct OperationContext;

constexpr size_t kMaxBlockingSortBytes = 100 * 1024 * 1024;

struct FindSpec {
    std::string ns;
    BsonObj filter;
    BsonObj projection;
    BsonObj sort;
    BsonObj hint;  // {} or as query::PlannerInput::hint
    int64_t skip = 0;
    int64_t limit = 0;  // 0: no limit
};

// Parses the spec (BadValue etc. for a bad filter, projection or sort) and builds its source.
StatusWith<std::unique_ptr<CursorSource>> makeFindSource(OperationContext& opCtx, FindSpec spec);

// Reads every document matching `filter` (raw, unprojected) and calls fn on each until it returns
// false. Used by count, distinct and the write commands to select targets.
// `hint` as FindSpec::hint.
Status forEachMatch(OperationContext& opCtx, const std::string& ns, BsonView filter,
                    const std::function<bool(BsonView doc)>& fn, BsonView hint = BsonView());

class CommandArgs;
// The command's `hint` (an index name or key pattern) as FindSpec::hint wants it; {} when absent.
StatusWith<BsonObj> parseHint(const CommandArgs& args);

// A source over results already computed (aggregation output).
std::unique_ptr<CursorSource> makeVectorSource(std::vector<BsonObj> docs);

// Appends {cursor: {firstBatch, id, ns}} filled from `source` (at most batchSize documents),
// registering a server-side cursor when results remain and !singleBatch.
Status replyWithFirstBatch(OperationContext& opCtx, const std::string& ns,
                           std::unique_ptr<CursorSource> source, int64_t batchSize,
                           bool singleBatch, BsonBuilder& reply);

}  // namespace mongosd::shard
