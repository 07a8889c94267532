#pragma once
// The conjuncts of a filter, as the planner sees them (internal to query/): the predicates
// that must all hold for a document to match, one per (path, operator), from the top level,
// nested $and, single-clause $or and the sub-filter of an $elemMatch on documents. Only
// predicates the filter parser already accepted reach here (planQuery parses first), so the
// walk trusts the shape of the filter. Pure.

#include <string>
#include <vector>

#include "common/bson.h"

namespace mongosd::query {

struct Conjunct {
    // Dotted path; empty for a pathless operator ($or, $nor, $expr, ...).
    std::string path;
    // "$eq" (implicit equality included), "$lt", "$lte", "$gt", "$gte", "$in", "$regex" (a
    // regex match: implicit {f: /re/}, {$regex, $options}, $all's regex values), "$elemMatch"
    // (the operator form: `elemMatchOps` hold its operators), or any other operator name
    // ("$ne", "$exists", "$or", ...), which gives no bounds.
    std::string op;
    BsonObj operand;  // {"": value}; for "$regex" the BSON regex with the filter's options
    std::vector<Conjunct> elemMatchOps;
};

// The conjuncts of `filter` (a filter parseFilter() accepted).
std::vector<Conjunct> collectConjuncts(BsonView filter);

}  // namespace mongosd::query
