// The bounds of one predicate on one index field. Every rule here must keep invariant 1 of
// index_bounds.h: the bounds hold the key of every value the predicate accepts.
#include <cmath>
#include <cstring>
#include <limits>

#include "common/bson_compare.h"
#include "common/key_string.h"
#include "query/index_bounds.h"
#include "query/value_predicates.h"

namespace mongosd::query {
namespace {

template <typename Fill>
BoundValue bound(Fill fill) {
    BsonBuilder b;
    fill(b.get());
    return BoundValue::of(b.obj());
}

BoundValue nullBound() {
    return bound([](bson_t* b) { bson_append_null(b, "", 0); });
}
BoundValue undefinedBound() {
    return bound([](bson_t* b) { bson_append_undefined(b, "", 0); });
}

// A value's type bracket: the smallest value of its canonical type and the bound just past
// the largest (exclusive when it is the next type's first value), as MongoDB's bounds builder.
struct Bracket {
    BoundValue min;
    BoundValue max;
    bool maxInclusive;
};

std::optional<Bracket> typeBracket(int rank) {
    const double inf = std::numeric_limits<double>::infinity();
    bson_oid_t zero, ones;
    std::memset(zero.bytes, 0, sizeof zero.bytes);
    std::memset(ones.bytes, 0xFF, sizeof ones.bytes);
    switch (rank) {
        case 10:  // numbers; NaN sits below -inf and only a NaN operand reaches it
            return Bracket{bound([&](bson_t* b) { bson_append_double(b, "", 0, -inf); }),
                           bound([&](bson_t* b) { bson_append_double(b, "", 0, inf); }), true};
        case 15:
            return Bracket{bound([](bson_t* b) { bson_append_utf8(b, "", 0, "", 0); }),
                           bound([](bson_t* b) {
                               bson_t empty = BSON_INITIALIZER;
                               bson_append_document(b, "", 0, &empty);
                           }),
                           false};
        case 20:
            return Bracket{bound([](bson_t* b) {
                               bson_t empty = BSON_INITIALIZER;
                               bson_append_document(b, "", 0, &empty);
                           }),
                           bound([](bson_t* b) {
                               bson_t empty = BSON_INITIALIZER;
                               bson_append_array(b, "", 0, &empty);
                           }),
                           false};
        case 30:
            return Bracket{bound([](bson_t* b) {
                               bson_append_binary(b, "", 0, BSON_SUBTYPE_BINARY, nullptr, 0);
                           }),
                           bound([&](bson_t* b) { bson_append_oid(b, "", 0, &zero); }), false};
        case 35:
            return Bracket{bound([&](bson_t* b) { bson_append_oid(b, "", 0, &zero); }),
                           bound([&](bson_t* b) { bson_append_oid(b, "", 0, &ones); }), true};
        case 40:
            return Bracket{bound([](bson_t* b) { bson_append_bool(b, "", 0, false); }),
                           bound([](bson_t* b) { bson_append_bool(b, "", 0, true); }), true};
        case 45:
            return Bracket{bound([](bson_t* b) {
                               bson_append_date_time(b, "", 0, std::numeric_limits<int64_t>::min());
                           }),
                           bound([](bson_t* b) {
                               bson_append_date_time(b, "", 0, std::numeric_limits<int64_t>::max());
                           }),
                           true};
        case 47:
            return Bracket{
                bound([](bson_t* b) { bson_append_timestamp(b, "", 0, 0, 0); }),
                bound([](bson_t* b) { bson_append_timestamp(b, "", 0, UINT32_MAX, UINT32_MAX); }),
                true};
        default:  // regex, dbPointer, code, code with scope: left to MinKey/MaxKey
            return std::nullopt;
    }
}

// The values equal to `v` as the matcher sees them: v itself; for an array also its first
// element (an array field is indexed by element, and equality to an array matches a field
// holding that array) or undefined for []; null also matches undefined and missing.
void addEqualityPoints(const bson_iter_t& v, IntervalList& out) {
    if (BSON_ITER_HOLDS_NULL(&v)) {
        out.push_back(pointInterval(nullBound()));
        out.push_back(pointInterval(undefinedBound()));
        return;
    }
    out.push_back(pointInterval(BoundValue::of(copyValue(v))));
    if (!BSON_ITER_HOLDS_ARRAY(&v)) return;
    bson_iter_t first;
    if (bson_iter_recurse(&v, &first) && bson_iter_next(&first)) {
        out.push_back(pointInterval(BoundValue::of(copyValue(first))));
    } else {
        out.push_back(pointInterval(undefinedBound()));
    }
}

std::optional<IntervalList> rangeBounds(const std::string& op, const bson_iter_t& v) {
    bool lower = op == "$gt" || op == "$gte";
    bool inclusive = op == "$gte" || op == "$lte";
    if (BSON_ITER_HOLDS_ARRAY(&v)) return std::nullopt;  // compares whole arrays: not indexed
    if (BSON_ITER_HOLDS_MINKEY(&v) || BSON_ITER_HOLDS_MAXKEY(&v)) {
        // $gt MinKey and $lt MaxKey match every other value, an array holding only MinKey
        // (indexed as MinKey) included; the other side matches only the operand.
        Interval i = fullInterval();
        if (BSON_ITER_HOLDS_MINKEY(&v) != lower) {
            i = pointInterval(BoundValue::of(copyValue(v)));
            i.lowInclusive = i.highInclusive = inclusive;
        }
        return normalizeIntervals({i});
    }
    if (BSON_ITER_HOLDS_NULL(&v) || isNaN(v)) {
        // Only equal values: null (with undefined and missing) or NaN, for $gte/$lte.
        IntervalList points;
        if (inclusive) addEqualityPoints(v, points);
        return normalizeIntervals(std::move(points));
    }
    auto bracket = typeBracket(canonicalTypeRank(bson_iter_type(&v)));
    BoundValue operand = BoundValue::of(copyValue(v));
    Interval i;
    if (lower) {
        i = Interval{operand, inclusive, bracket ? bracket->max : maxKeyBound(),
                     bracket ? bracket->maxInclusive : true};
    } else {
        i = Interval{bracket ? bracket->min : minKeyBound(), true, operand, inclusive};
    }
    return normalizeIntervals({i});
}

// The strings an anchored regex without flags can match start with its literal prefix: the
// characters after '^' up to the first metacharacter (a quantifier drops the character
// before it). '|' anywhere can undo the anchor, and non-ASCII bytes are left out rather than
// cut inside a character.
std::string regexPrefix(std::string_view pattern, std::string_view options) {
    if (!options.empty() || pattern.empty() || pattern[0] != '^') return "";
    if (pattern.find('|') != std::string_view::npos) return "";
    std::string prefix;
    for (size_t i = 1; i < pattern.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(pattern[i]);
        if (c == '*' || c == '?' || c == '{') {
            if (!prefix.empty()) prefix.pop_back();
            break;
        }
        if (c >= 0x80 || c < 0x20 || std::strchr("\\.^$+()[]", c)) break;
        prefix += static_cast<char>(c);
    }
    return prefix;
}

BoundValue stringBound(const std::string& s) {
    return bound(
        [&](bson_t* b) { bson_append_utf8(b, "", 0, s.data(), static_cast<int>(s.size())); });
}

IntervalList regexBounds(const bson_iter_t& v) {
    const char* options = nullptr;
    const char* pattern = bson_iter_regex(&v, &options);
    std::string prefix = regexPrefix(pattern, options ? options : "");
    auto strings = typeBracket(15);
    IntervalList out{pointInterval(BoundValue::of(copyValue(v)))};  // a stored equal regex
    Interval range{stringBound(prefix), true, strings->max, false};
    // The first string after every string starting with the prefix: the prefix with its last
    // non-0xFF byte incremented.
    std::string next = prefix;
    while (!next.empty() && static_cast<unsigned char>(next.back()) == 0xFF) next.pop_back();
    if (!next.empty()) {
        next.back() = static_cast<char>(static_cast<unsigned char>(next.back()) + 1);
        range.high = stringBound(next);
    }
    out.push_back(range);
    return normalizeIntervals(std::move(out));
}

BoundValue hashBound(const bson_iter_t& v) {
    int64_t h = hashIndexValue(v);
    return bound([&](bson_t* b) { bson_append_int64(b, "", 0, h); });
}

// The hashes of the values equal to `v`; false for an array (a hashed field never holds one,
// and an element of a nested array would need its own hash).
bool addHashedPoints(const bson_iter_t& v, IntervalList& out) {
    if (BSON_ITER_HOLDS_ARRAY(&v)) return false;
    IntervalList values;
    addEqualityPoints(v, values);
    for (const auto& p : values) out.push_back(pointInterval(hashBound(p.low.value())));
    return true;
}

// Hashed fields keep no order: only equality and $in (without regexes) give bounds.
std::optional<IntervalList> hashedBounds(const Conjunct& c, const bson_iter_t& v) {
    IntervalList out;
    if (c.op == "$eq") {
        if (!addHashedPoints(v, out)) return std::nullopt;
        return normalizeIntervals(std::move(out));
    }
    if (c.op != "$in") return std::nullopt;
    bson_iter_t elem;
    bson_iter_recurse(&v, &elem);
    while (bson_iter_next(&elem)) {
        if (BSON_ITER_HOLDS_REGEX(&elem) || !addHashedPoints(elem, out)) return std::nullopt;
    }
    return normalizeIntervals(std::move(out));
}

}  // namespace

std::optional<IntervalList> conjunctBounds(const Conjunct& c, IndexFieldKind kind) {
    bson_iter_t v;
    bool ok = c.operand.view().iterInit(&v) && bson_iter_next(&v);
    invariant(ok);
    if (kind == IndexFieldKind::kHashed) return hashedBounds(c, v);
    if (c.op == "$eq") {
        IntervalList out;
        addEqualityPoints(v, out);
        return normalizeIntervals(std::move(out));
    }
    if (c.op == "$gt" || c.op == "$gte" || c.op == "$lt" || c.op == "$lte") {
        return rangeBounds(c.op, v);
    }
    if (c.op == "$regex") return regexBounds(v);
    if (c.op == "$in") {
        IntervalList out;
        bson_iter_t elem;
        bson_iter_recurse(&v, &elem);
        while (bson_iter_next(&elem)) {
            if (BSON_ITER_HOLDS_REGEX(&elem)) {
                for (auto& i : regexBounds(elem)) out.push_back(std::move(i));
            } else {
                addEqualityPoints(elem, out);
            }
        }
        return normalizeIntervals(std::move(out));
    }
    if (c.op == "$elemMatch") {
        // One element satisfies every operator: their bounds intersect.
        std::optional<IntervalList> all;
        for (const auto& sub : c.elemMatchOps) {
            // A nested $elemMatch looks inside the element, and the document form's
            // predicates are on sub-paths: neither bounds the element itself.
            if (sub.path != c.path || sub.op == "$elemMatch") continue;
            auto b = conjunctBounds(sub, kind);
            if (!b) continue;
            all = all ? intersectIntervals(*all, *b) : std::move(*b);
        }
        return all;
    }
    return std::nullopt;
}

std::string missingFieldKey(IndexFieldKind kind) {
    bson_t b = BSON_INITIALIZER;
    bson_append_null(&b, "", 0);
    bson_iter_t it;
    bson_iter_init(&it, &b);
    bson_iter_next(&it);
    keystring::Builder kb;
    // Intervals hold ascending components: a descending field's direction applies later.
    IndexFieldKind asStored = kind == IndexFieldKind::kHashed ? kind : IndexFieldKind::kAscending;
    appendIndexComponent(kb, IndexField{FieldPath::parse("x").getValue(), asStored}, it);
    bson_destroy(&b);
    return kb.release();
}

}  // namespace mongosd::query
