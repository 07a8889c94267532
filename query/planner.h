#pragma once
// The query planner: which indexes can answer a find's filter and sort, and the key ranges
// each would scan (DESIGN.md §6). Pure: it sees index descriptions, never storage. The shard
// (shard/query_plan*.cpp) picks among the candidates, runs the scan, fetches each document and
// always applies the whole filter to it, so bounds only need to be a superset of the matches.
//
// Bounds come from the predicates of the filter's top-level conjunction (and nested $and):
// equality, $in, $gt/$gte/$lt/$lte (type-bracketed, as MongoDB), anchored regex prefixes and
// $elemMatch; see docs/indexes.md for the exact rules and what is left to the residual filter.
// Any thread; immutable inputs.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/bson.h"
#include "common/status.h"
#include "query/index_key.h"
#include "query/matcher.h"

namespace mongosd::query {

// What the planner knows of one index.
struct IndexInfo {
    std::string name;
    IndexKeyPattern pattern;
    bool unique = false;
    bool sparse = false;
    BsonObj partialFilter;  // empty: not a partial index
    // Per pattern field: some document had an array there. A vector of another size (e.g.
    // empty) is taken as "every field multikey", the safe assumption.
    std::vector<bool> multikey;
};

// A contiguous range of index keys: KeyString key parts as generateIndexKeys() makes them
// (without the _id storage appends), compared as byte strings; start <= end.
struct KeyRange {
    std::string start;
    bool startInclusive = true;
    std::string end;
    bool endInclusive = true;
};

struct IndexScanPlan {
    size_t index = 0;              // position in PlannerInput::indexes
    std::vector<KeyRange> ranges;  // ascending, non-overlapping
    bool reverse = false;          // scan the ranges last to first, each from end to start
    bool providesSort = false;     // results come out in the requested sort order
    bool multikey = false;         // a document may have several keys in the ranges: dedupe
    // Fields with bounds from the filter (0 for a scan chosen only for its sort order).
    size_t boundedFields = 0;
    size_t equalityPrefix = 0;  // leading fields pinned to points (eq / $in)
    // MongoDB's explain form of the ranges: {field: ["[5, 10)", ...], ...} in pattern order,
    // each field's intervals in scan order.
    BsonObj explainBounds;
};

// The most ranges one plan scans: when the cartesian product of a compound index's point
// fields would exceed it, the planner bounds a shorter prefix of the fields.
constexpr size_t kMaxScanRanges = 200000;

struct PlannerInput {
    BsonView filter;
    BsonView sort;
    // Empty ({}): none. A key pattern document ({a: 1, b: -1}), {$natural: 1 | -1}, or the
    // command's hint element wrapped as copyValue() makes it: {"": "indexName"} or
    // {"": {a: 1}}.
    BsonView hint;
    const std::vector<IndexInfo>* indexes = nullptr;  // null: no indexes
    size_t maxScanRanges = kMaxScanRanges;            // tests lower it
    // How the filter is parsed (the variables $expr may use, e.g. find's `let`), as the
    // executor parses it, so that the planner accepts the same filters.
    FilterLimits filterLimits;
};

struct PlannerOutput {
    // Every index that can serve the query, by its bounds or its order; a hinted index is
    // the only candidate (scanned over its whole range when the filter gives no bounds).
    std::vector<IndexScanPlan> candidates;
    // A collection scan is also a valid plan (false when a hint names an index).
    bool collectionScanAllowed = true;
    // {$natural: -1}: scan the collection backwards.
    bool naturalReverse = false;
};

// BadValue (2) "hint provided does not correspond to an existing index" for an unknown hint;
// errors from parsing the filter or sort pass through.
StatusWith<PlannerOutput> planQuery(const PlannerInput& input);

// The plan cache key of a query: the filter with values replaced by their canonical type
// (so {a: 5} and {a: 7} share a shape, {a: "x"} does not), plus sort and projection.
std::string queryShape(BsonView filter, BsonView sort, BsonView projection);

}  // namespace mongosd::query
