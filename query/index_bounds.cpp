#include "query/index_bounds.h"

#include <algorithm>

#include "common/key_string.h"

namespace mongosd::query {
namespace {

// a < b as interval starts: by value, an inclusive start before an exclusive one.
bool startsBefore(const Interval& a, const Interval& b) {
    if (a.low.key != b.low.key) return a.low.key < b.low.key;
    return a.lowInclusive && !b.lowInclusive;
}

bool isEmpty(const Interval& i) {
    if (i.low.key != i.high.key) return i.low.key > i.high.key;
    return !(i.lowInclusive && i.highInclusive);
}

// `next` starts at or before the end of `cur` (so their union is one interval).
bool joins(const Interval& cur, const Interval& next) {
    if (next.low.key != cur.high.key) return next.low.key < cur.high.key;
    return next.lowInclusive || cur.highInclusive;
}

// The point `key` lies at or after the start of `i` / at or before its end.
bool afterStart(const Interval& i, const std::string& key) {
    return key > i.low.key || (key == i.low.key && i.lowInclusive);
}
bool beforeEnd(const Interval& i, const std::string& key) {
    return key < i.high.key || (key == i.high.key && i.highInclusive);
}

}  // namespace

BoundValue BoundValue::of(BsonObj holder) {
    BoundValue b;
    b.holder = std::move(holder);
    b.key = keystring::encodeValue(b.value());
    return b;
}

bson_iter_t BoundValue::value() const {
    bson_iter_t it;
    bool ok = holder.view().iterInit(&it) && bson_iter_next(&it);
    invariant(ok);
    return it;
}

Interval pointInterval(const BoundValue& v) { return Interval{v, true, v, true}; }

BoundValue minKeyBound() {
    BsonBuilder b;
    bson_append_minkey(b.get(), "", 0);
    return BoundValue::of(b.obj());
}

BoundValue maxKeyBound() {
    BsonBuilder b;
    bson_append_maxkey(b.get(), "", 0);
    return BoundValue::of(b.obj());
}

Interval fullInterval() { return Interval{minKeyBound(), true, maxKeyBound(), true}; }

IntervalList normalizeIntervals(IntervalList list) {
    list.erase(std::remove_if(list.begin(), list.end(), isEmpty), list.end());
    std::sort(list.begin(), list.end(), startsBefore);
    IntervalList out;
    for (auto& i : list) {
        if (out.empty() || !joins(out.back(), i)) {
            out.push_back(std::move(i));
            continue;
        }
        Interval& cur = out.back();
        if (i.high.key > cur.high.key) {
            cur.high = std::move(i.high);
            cur.highInclusive = i.highInclusive;
        } else if (i.high.key == cur.high.key) {
            cur.highInclusive = cur.highInclusive || i.highInclusive;
        }
    }
    return out;
}

IntervalList intersectIntervals(const IntervalList& a, const IntervalList& b) {
    IntervalList out;
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const Interval& x = a[i];
        const Interval& y = b[j];
        Interval r;
        // The later start and the earlier end; at equal values, exclusive wins.
        if (x.low.key != y.low.key) {
            const Interval& s = x.low.key > y.low.key ? x : y;
            r.low = s.low;
            r.lowInclusive = s.lowInclusive;
        } else {
            r.low = x.low;
            r.lowInclusive = x.lowInclusive && y.lowInclusive;
        }
        bool xEndsFirst = x.high.key < y.high.key || (x.high.key == y.high.key && !x.highInclusive);
        const Interval& e = xEndsFirst ? x : y;
        r.high = e.high;
        r.highInclusive =
            x.high.key == y.high.key ? x.highInclusive && y.highInclusive : e.highInclusive;
        if (!isEmpty(r)) out.push_back(std::move(r));
        if (xEndsFirst) {
            ++i;
        } else {
            ++j;
        }
    }
    return out;
}

bool intervalsContain(const IntervalList& list, const std::string& key) {
    for (const auto& i : list) {
        if (afterStart(i, key) && beforeEnd(i, key)) return true;
    }
    return false;
}

bool intervalsWithin(const IntervalList& inner, const IntervalList& outer) {
    for (const auto& in : inner) {
        bool inside = false;
        for (const auto& out : outer) {
            bool startOk = in.low.key > out.low.key ||
                           (in.low.key == out.low.key && (out.lowInclusive || !in.lowInclusive));
            bool endOk = in.high.key < out.high.key ||
                         (in.high.key == out.high.key && (out.highInclusive || !in.highInclusive));
            if (startOk && endOk) {
                inside = true;
                break;
            }
        }
        if (!inside) return false;
    }
    return true;
}

bool allPoints(const IntervalList& list) {
    for (const auto& i : list) {
        if (!i.isPoint()) return false;
    }
    return true;
}

}  // namespace mongosd::query
