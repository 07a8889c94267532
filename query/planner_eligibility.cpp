// When an index may answer a query at all: sort order, sparse and partial indexes.
#include "common/bson_compare.h"
#include "query/planner_internal.h"
#include "query/value_predicates.h"

namespace mongosd::query {
namespace {

bool isSinglePoint(const RangeShape& shape, size_t f) {
    return f < shape.equalityPrefix && shape.used[f]->size() == 1;
}

// Types whose bounds are exactly the values a comparison accepts (typeBracket in
// index_bounds_predicates.cpp), so bounds containment means predicate implication.
bool exactOperand(const bson_iter_t& v) {
    switch (canonicalTypeRank(bson_iter_type(&v))) {
        case 10:
            return !isNaN(v);
        case 15:
        case 20:
        case 30:
        case 35:
        case 40:
        case 45:
        case 47:
            return true;
        default:
            return false;
    }
}

bson_iter_t operandOf(const Conjunct& c) {
    bson_iter_t v;
    bool ok = c.operand.view().iterInit(&v) && bson_iter_next(&v);
    invariant(ok);
    return v;
}

// A partial-filter predicate whose bounds hold exactly the values it accepts.
bool exactComparison(const Conjunct& p) {
    bson_iter_t v = operandOf(p);
    if (p.op == "$eq" || p.op == "$gt" || p.op == "$gte" || p.op == "$lt" || p.op == "$lte")
        return exactOperand(v);
    if (p.op != "$in") return false;
    bson_iter_t elem;
    bson_iter_recurse(&v, &elem);
    while (bson_iter_next(&elem)) {
        if (!exactOperand(elem)) return false;
    }
    return true;
}

bool truthyExists(const Conjunct& p) {
    if (p.op != "$exists") return false;
    bson_iter_t v = operandOf(p);
    return bson_iter_as_bool(&v) && !BSON_ITER_HOLDS_NULL(&v) && !BSON_ITER_HOLDS_UNDEFINED(&v);
}

// q (a conjunct of the query) implies p (one of the partial filter) for every document.
bool implies(const Conjunct& q, const Conjunct& p) {
    if (q.path != p.path) return false;
    if (q.op == p.op && q.operand.view().binaryEqual(p.operand.view())) return true;
    if (p.path.empty()) return false;
    // A matching document then has a value v on the path with v in q's bounds (not the
    // missing field: its null key is outside them), and p accepts every value in those
    // bounds.
    auto qBounds = conjunctBounds(q, IndexFieldKind::kAscending);
    if (!qBounds || intervalsContain(*qBounds, missingFieldKey(IndexFieldKind::kAscending)))
        return false;
    if (truthyExists(p)) return true;
    if (!exactComparison(p)) return false;
    auto pBounds = conjunctBounds(p, IndexFieldKind::kAscending);
    return pBounds && intervalsWithin(*qBounds, *pBounds);
}

}  // namespace

SortAnswer indexProvidesSort(const IndexInfo& index, const RangeShape& shape,
                             const std::vector<SortField>& sort) {
    if (sort.empty()) return {};
    const auto& fields = index.pattern.fields();
    // Fields pinned to one value do not change the order: skip them on both sides.
    std::vector<size_t> order;
    for (size_t f = 0; f < fields.size(); ++f) {
        if (!isSinglePoint(shape, f)) order.push_back(f);
    }
    std::vector<const SortField*> wanted;
    for (const auto& s : sort) {
        bool pinned = false;
        // An array's sort key is its smallest or largest element, not the pinned one: only a
        // pinned field that is not multikey drops out of the sort.
        for (size_t f = 0; f < fields.size(); ++f) {
            pinned = pinned || (isSinglePoint(shape, f) && !fieldIsMultikey(index, f) &&
                                fields[f].path.dotted() == s.path);
        }
        if (!pinned) wanted.push_back(&s);
    }
    if (wanted.size() > order.size()) return {};
    std::optional<bool> reverse;
    for (size_t i = 0; i < wanted.size(); ++i) {
        size_t f = order[i];
        if (fields[f].path.dotted() != wanted[i]->path) return {};
        if (fields[f].kind == IndexFieldKind::kHashed || fieldIsMultikey(index, f)) return {};
        bool flip = wanted[i]->descending != (fields[f].kind == IndexFieldKind::kDescending);
        if (reverse && *reverse != flip) return {};
        reverse = flip;
    }
    return SortAnswer{true, reverse.value_or(false)};
}

bool sparseIndexUsable(const IndexInfo& index, const RangeShape& shape) {
    for (size_t f = 0; f < index.pattern.size(); ++f) {
        if (!shape.used[f]) continue;
        if (!intervalsContain(*shape.used[f], missingFieldKey(index.pattern.fields()[f].kind)))
            return true;
    }
    return false;
}

bool filterImpliesPartial(const std::vector<Conjunct>& query, BsonView partialFilter) {
    for (const auto& p : collectConjuncts(partialFilter)) {
        bool implied = false;
        for (const auto& q : query) {
            if (implies(q, p)) {
                implied = true;
                break;
            }
        }
        if (!implied) return false;
    }
    return true;
}

}  // namespace mongosd::query
