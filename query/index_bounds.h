#pragma once
// Index bounds on one field (internal to query/): sorted lists of value intervals, the bounds
// one predicate puts on an index field, and MongoDB's explain text for them.
//
// Invariants the planner relies on:
//   1. Soundness: for every predicate and every value v that the predicate's test accepts (an
//      element of an array included), the key component an index stores for v lies in the
//      predicate's bounds; when the predicate matches a missing field, the null component lies
//      in them (a missing field is indexed as null).
//   2. An IntervalList is ascending by value and its intervals are disjoint and non-empty.
// Pure; any thread.

#include <optional>
#include <string>
#include <vector>

#include "common/bson.h"
#include "query/index_key.h"
#include "query/planner_conjuncts.h"

namespace mongosd::query {

// An interval end: a value and its ascending KeyString component.
struct BoundValue {
    BsonObj holder;   // {"": value}
    std::string key;  // keystring::encodeValue(value)

    static BoundValue of(BsonObj holder);
    bson_iter_t value() const;
};

struct Interval {
    BoundValue low;
    bool lowInclusive = true;
    BoundValue high;
    bool highInclusive = true;

    bool isPoint() const { return low.key == high.key; }
};

using IntervalList = std::vector<Interval>;

Interval pointInterval(const BoundValue& v);
// [MinKey, MaxKey]: every value.
Interval fullInterval();
BoundValue minKeyBound();
BoundValue maxKeyBound();

// Sorts, drops empty intervals and merges overlapping or touching ones (invariant 2).
IntervalList normalizeIntervals(IntervalList list);
IntervalList intersectIntervals(const IntervalList& a, const IntervalList& b);
bool intervalsContain(const IntervalList& list, const std::string& key);
// Every interval of `inner` lies inside an interval of `outer`.
bool intervalsWithin(const IntervalList& inner, const IntervalList& outer);
bool allPoints(const IntervalList& list);

// The bounds `c` puts on an index field of kind `kind`; nullopt when it gives none (the field
// stays unbounded for it). Hashed fields get bounds from equality and $in only.
std::optional<IntervalList> conjunctBounds(const Conjunct& c, IndexFieldKind kind);

// The ascending key component (as in intervals) of a missing field on a field of kind `kind`:
// null, or its hash.
std::string missingFieldKey(IndexFieldKind kind);

// MongoDB's explain text for a value ("5", "5.5", "inf.0", "\"abc\"", "new Date(0)", ...) and
// for an interval scanned in value order (forward) or against it ("(10, 5]").
std::string explainValue(const bson_iter_t& v);
std::string explainInterval(const Interval& interval, bool forward);

}  // namespace mongosd::query
