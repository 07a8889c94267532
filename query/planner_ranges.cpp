// Field bounds of one index and the key ranges they make (see planner_internal.h).
#include <algorithm>

#include "common/key_string.h"
#include "query/planner_internal.h"

namespace mongosd::query {
namespace {

// Multikey fields take one predicate: a point set first (the fewest points), else the first
// bounded one.
std::optional<IntervalList> pickOne(std::vector<IntervalList> options) {
    if (options.empty()) return std::nullopt;
    size_t best = 0;
    for (size_t i = 1; i < options.size(); ++i) {
        bool iPoints = allPoints(options[i]);
        bool bestPoints = allPoints(options[best]);
        if (iPoints && (!bestPoints || options[i].size() < options[best].size())) best = i;
    }
    return std::move(options[best]);
}

bool isDescending(const IndexInfo& index, size_t f) {
    return index.pattern.fields()[f].kind == IndexFieldKind::kDescending;
}

std::string inverted(std::string s) {
    for (char& c : s) c = static_cast<char>(~c);
    return s;
}

// One interval as a key component range, in the field's key order.
struct ComponentRange {
    std::string start;
    bool startInclusive;
    std::string end;
    bool endInclusive;
};

ComponentRange componentRange(const Interval& i, bool descending) {
    if (!descending) return {i.low.key, i.lowInclusive, i.high.key, i.highInclusive};
    return {inverted(i.high.key), i.highInclusive, inverted(i.low.key), i.lowInclusive};
}

// The field's intervals in key order (descending fields store values in reverse).
std::vector<ComponentRange> keyOrder(const IntervalList& list, bool descending) {
    std::vector<ComponentRange> out;
    for (const auto& i : list) out.push_back(componentRange(i, descending));
    if (descending) std::reverse(out.begin(), out.end());
    return out;
}

// The smallest (or largest) key bytes of the fields from `from` on.
std::string trailing(const IndexInfo& index, size_t from, bool largest) {
    keystring::Builder b;
    for (size_t f = from; f < index.pattern.size(); ++f) {
        auto dir = isDescending(index, f) ? keystring::Direction::kDescending
                                          : keystring::Direction::kAscending;
        // A descending field's smallest bytes are the inverted MaxKey.
        if (largest == isDescending(index, f)) {
            b.appendMinKey(dir);
        } else {
            b.appendMaxKey(dir);
        }
    }
    return b.release();
}

class RangeBuilder {
public:
    RangeBuilder(const IndexInfo& index, const RangeShape& shape, std::vector<KeyRange>& out)
        : _index(index), _shape(shape), _out(out) {
        for (size_t f = 0; f < shape.equalityPrefix; ++f)
            _points.push_back(keyOrder(*shape.used[f], isDescending(index, f)));
    }

    void build(const std::string& prefix, size_t f) {
        if (f < _shape.equalityPrefix) {
            for (const auto& p : _points[f]) build(prefix + p.start, f + 1);
            return;
        }
        if (!_shape.rangeField) {
            if (f == _index.pattern.size()) {
                _out.push_back(KeyRange{prefix, true, prefix, true});
            } else {
                _out.push_back(KeyRange{prefix + trailing(_index, f, false), true,
                                        prefix + trailing(_index, f, true), true});
            }
            return;
        }
        // An exclusive start skips every key with that component, so the fields after it
        // take their largest bytes there (and their smallest at an exclusive end).
        for (const auto& r : keyOrder(*_shape.used[f], isDescending(_index, f))) {
            _out.push_back(KeyRange{
                prefix + r.start + trailing(_index, f + 1, !r.startInclusive), r.startInclusive,
                prefix + r.end + trailing(_index, f + 1, r.endInclusive), r.endInclusive});
        }
    }

private:
    const IndexInfo& _index;
    const RangeShape& _shape;
    std::vector<KeyRange>& _out;
    std::vector<std::vector<ComponentRange>> _points;
};

BsonObj explainBounds(const IndexInfo& index, const RangeShape& shape, bool reverse) {
    BsonBuilder b;
    for (size_t f = 0; f < index.pattern.size(); ++f) {
        // Values are scanned in ascending order on an ascending field read forwards.
        bool forward = isDescending(index, f) == reverse;
        IntervalList list = shape.used[f] ? *shape.used[f] : IntervalList{fullInterval()};
        if (!forward) std::reverse(list.begin(), list.end());
        b.appendArray(index.pattern.fields()[f].path.dotted(), [&](BsonBuilder& arr) {
            char key[16];
            uint32_t i = 0;
            for (const auto& interval : list)
                arr.appendString(arrayIndexKey(i++, key), explainInterval(interval, forward));
        });
    }
    return b.obj();
}

}  // namespace

bool fieldIsMultikey(const IndexInfo& index, size_t field) {
    if (index.multikey.size() != index.pattern.size()) return true;
    return index.multikey[field];
}

ConjunctBounds::ConjunctBounds(const std::vector<Conjunct>& conjuncts)
    : _conjuncts(conjuncts), _ordered(conjuncts.size()), _hashed(conjuncts.size()) {}

const std::optional<IntervalList>& ConjunctBounds::bounds(size_t i, IndexFieldKind kind) {
    bool hashed = kind == IndexFieldKind::kHashed;
    auto& slot = hashed ? _hashed[i] : _ordered[i];
    if (!slot) {
        slot = conjunctBounds(_conjuncts[i],
                              hashed ? IndexFieldKind::kHashed : IndexFieldKind::kAscending);
    }
    return *slot;
}

FieldBounds indexFieldBounds(const IndexInfo& index, ConjunctBounds& conjuncts) {
    FieldBounds out;
    for (size_t f = 0; f < index.pattern.size(); ++f) {
        const IndexField& field = index.pattern.fields()[f];
        std::vector<IntervalList> options;
        for (size_t i = 0; i < conjuncts.size(); ++i) {
            if (conjuncts.conjunct(i).path != field.path.dotted()) continue;
            const auto& b = conjuncts.bounds(i, field.kind);
            if (b) options.push_back(*b);
        }
        if (fieldIsMultikey(index, f)) {
            out.push_back(pickOne(std::move(options)));
            continue;
        }
        std::optional<IntervalList> all;
        for (auto& o : options) all = all ? intersectIntervals(*all, o) : std::move(o);
        out.push_back(std::move(all));
    }
    return out;
}

RangeShape chooseRangeShape(const FieldBounds& bounds, size_t maxRanges) {
    RangeShape shape;
    shape.used.resize(bounds.size());
    size_t product = 1;
    size_t f = 0;
    for (; f < bounds.size() && bounds[f] && allPoints(*bounds[f]); ++f) {
        size_t n = bounds[f]->size();
        if (n != 0 && product > maxRanges / n) break;
        product *= n;
        shape.used[f] = bounds[f];
    }
    shape.equalityPrefix = f;
    if (f < bounds.size() && bounds[f] && !allPoints(*bounds[f])) {
        size_t n = bounds[f]->size();
        if (product <= maxRanges / n) {
            shape.rangeField = f;
            shape.used[f] = bounds[f];
        }
    }
    return shape;
}

void buildRanges(const IndexInfo& index, const RangeShape& shape, IndexScanPlan& plan) {
    plan.ranges.clear();
    RangeBuilder(index, shape, plan.ranges).build("", 0);
    plan.equalityPrefix = shape.equalityPrefix;
    plan.boundedFields = shape.boundedFields();
    plan.explainBounds = explainBounds(index, shape, plan.reverse);
}

}  // namespace mongosd::query
