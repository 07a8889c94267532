#pragma once
// The steps of planQuery() for one index (internal to query/; see planner.h and
// docs/indexes.md "Planner: bounds, sort, hints, plan shapes"). Pure.

#include <optional>
#include <string>
#include <vector>

#include "query/index_bounds.h"
#include "query/planner.h"
#include "query/planner_conjuncts.h"

namespace mongosd::query {

using FieldBounds = std::vector<std::optional<IntervalList>>;  // per pattern field; nullopt: none

bool fieldIsMultikey(const IndexInfo& index, size_t field);

// The bounds of each conjunct, computed at most once per query and field kind (a long $in is
// planned against every index). Descending fields share the ascending intervals: intervals
// are in value order, the direction applies when ranges are built.
class ConjunctBounds {
public:
    explicit ConjunctBounds(const std::vector<Conjunct>& conjuncts);
    size_t size() const { return _conjuncts.size(); }
    const Conjunct& conjunct(size_t i) const { return _conjuncts[i]; }
    const std::optional<IntervalList>& bounds(size_t i, IndexFieldKind kind);

private:
    const std::vector<Conjunct>& _conjuncts;
    std::vector<std::optional<std::optional<IntervalList>>> _ordered;
    std::vector<std::optional<std::optional<IntervalList>>> _hashed;
};

// Per pattern field, the bounds of the conjuncts on its path: intersected when the field is
// not multikey; one predicate's (a point set first) when it is, since two predicates may then
// hold for different elements.
FieldBounds indexFieldBounds(const IndexInfo& index, ConjunctBounds& conjuncts);

// Which fields the ranges bound: the leading point fields whose cartesian product stays within
// maxRanges (the equality prefix), then at most one more field with any intervals.
struct RangeShape {
    size_t equalityPrefix = 0;
    std::optional<size_t> rangeField;
    FieldBounds used;  // bounds[f] for the bounded fields, nullopt for the others

    size_t boundedFields() const { return equalityPrefix + (rangeField ? 1 : 0); }
};
RangeShape chooseRangeShape(const FieldBounds& bounds, size_t maxRanges);

// The key ranges (ascending) and explain bounds of `shape` over `index`.
void buildRanges(const IndexInfo& index, const RangeShape& shape, IndexScanPlan& plan);

struct SortField {
    std::string path;
    bool descending;
};
// Whether scanning `index` under `shape` yields `sort`'s order, and in which direction.
struct SortAnswer {
    bool provided = false;
    bool reverse = false;
};
SortAnswer indexProvidesSort(const IndexInfo& index, const RangeShape& shape,
                             const std::vector<SortField>& sort);

// A sparse index holds every document the filter can match: some bounded field excludes the
// key of a missing field.
bool sparseIndexUsable(const IndexInfo& index, const RangeShape& shape);

// Every document matching the conjuncts matches `partialFilter` (a conservative check, one
// partial conjunct at a time).
bool filterImpliesPartial(const std::vector<Conjunct>& query, BsonView partialFilter);

}  // namespace mongosd::query
