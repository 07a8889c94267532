#include "query/planner.h"

#include "common/bson_compare.h"
#include "query/matcher.h"
#include "query/planner_internal.h"
#include "query/sort.h"

namespace mongosd::query {
namespace {

struct HintChoice {
    enum class Kind { kNone, kNatural, kIndex } kind = Kind::kNone;
    bool naturalReverse = false;
    size_t index = 0;
};

Status unknownHint() {
    return Status(ErrorCodes::BadValue, "hint provided does not correspond to an existing index");
}

StatusWith<HintChoice> hintByPattern(BsonView pattern, const std::vector<IndexInfo>& indexes) {
    bson_iter_t it;
    if (!pattern.iterInit(&it) || !bson_iter_next(&it)) return HintChoice{};
    if (iterKey(it) == "$natural") {
        HintChoice h{HintChoice::Kind::kNatural};
        h.naturalReverse = BSON_ITER_HOLDS_NUMBER(&it) && bson_iter_as_double(&it) < 0;
        return h;
    }
    for (size_t i = 0; i < indexes.size(); ++i) {
        if (compareDocuments(pattern, indexes[i].pattern.bson()) == 0)
            return HintChoice{HintChoice::Kind::kIndex, false, i};
    }
    return unknownHint();
}

StatusWith<HintChoice> resolveHint(BsonView hint, const std::vector<IndexInfo>& indexes) {
    bson_iter_t it;
    if (hint.isEmpty() || !hint.iterInit(&it) || !bson_iter_next(&it)) return HintChoice{};
    if (!iterKey(it).empty()) return hintByPattern(hint, indexes);
    // {"": value}: the command's hint element.
    if (BSON_ITER_HOLDS_DOCUMENT(&it)) return hintByPattern(subDocument(it), indexes);
    if (!BSON_ITER_HOLDS_UTF8(&it)) {
        return Status(ErrorCodes::BadValue, "hint must be a string or an object");
    }
    uint32_t len = 0;
    const char* text = bson_iter_utf8(&it, &len);  // sets len: not in one expression
    std::string_view name(text, len);
    for (size_t i = 0; i < indexes.size(); ++i) {
        if (indexes[i].name == name) return HintChoice{HintChoice::Kind::kIndex, false, i};
    }
    return unknownHint();
}

std::vector<SortField> sortFields(BsonView sort) {
    std::vector<SortField> out;
    bson_iter_t it;
    if (!sort.iterInit(&it)) return out;
    while (bson_iter_next(&it)) {
        out.push_back(SortField{std::string(iterKey(it)), bson_iter_as_double(&it) < 0});
    }
    return out;
}

IndexScanPlan planIndex(const std::vector<IndexInfo>& indexes, size_t i, ConjunctBounds& conjuncts,
                        const std::vector<SortField>& sort, size_t maxRanges, RangeShape& shape) {
    const IndexInfo& index = indexes[i];
    shape = chooseRangeShape(indexFieldBounds(index, conjuncts), maxRanges);
    IndexScanPlan plan;
    plan.index = i;
    for (size_t f = 0; f < index.pattern.size(); ++f)
        plan.multikey = plan.multikey || fieldIsMultikey(index, f);
    SortAnswer s = indexProvidesSort(index, shape, sort);
    plan.providesSort = s.provided;
    plan.reverse = s.reverse;
    buildRanges(index, shape, plan);
    return plan;
}

bool eligible(const IndexInfo& index, const IndexScanPlan& plan, const RangeShape& shape,
              const std::vector<Conjunct>& conjuncts) {
    if (plan.boundedFields == 0 && !plan.providesSort) return false;
    if (index.sparse && !sparseIndexUsable(index, shape)) return false;
    if (!index.partialFilter.isEmpty() && !filterImpliesPartial(conjuncts, index.partialFilter))
        return false;
    return true;
}

}  // namespace

StatusWith<PlannerOutput> planQuery(const PlannerInput& input) {
    static const std::vector<IndexInfo> kNoIndexes;
    const auto& indexes = input.indexes ? *input.indexes : kNoIndexes;
    auto parsed = parseFilter(input.filter, input.filterLimits);
    if (!parsed.isOK()) return parsed.getStatus();
    auto sortSpec = SortSpec::parse(input.sort);
    if (!sortSpec.isOK()) return sortSpec.getStatus();
    auto hint = resolveHint(input.hint, indexes);
    if (!hint.isOK()) return hint.getStatus();

    PlannerOutput out;
    if (hint.getValue().kind == HintChoice::Kind::kNatural) {
        out.naturalReverse = hint.getValue().naturalReverse;
        return out;
    }
    std::vector<Conjunct> conjuncts = collectConjuncts(input.filter);
    ConjunctBounds bounds(conjuncts);
    std::vector<SortField> sort = sortFields(input.sort);
    RangeShape shape;
    if (hint.getValue().kind == HintChoice::Kind::kIndex) {
        out.candidates.push_back(
            planIndex(indexes, hint.getValue().index, bounds, sort, input.maxScanRanges, shape));
        out.collectionScanAllowed = false;
        return out;
    }
    for (size_t i = 0; i < indexes.size(); ++i) {
        IndexScanPlan plan = planIndex(indexes, i, bounds, sort, input.maxScanRanges, shape);
        if (eligible(indexes[i], plan, shape, conjuncts)) out.candidates.push_back(std::move(plan));
    }
    return out;
}

}  // namespace mongosd::query
