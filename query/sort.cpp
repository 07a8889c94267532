#include "query/sort.h"

#include <algorithm>

#include "common/bson_compare.h"
#include "query/path_values.h"

namespace mongosd::query {

StatusWith<SortSpec> SortSpec::parse(BsonView spec) {
    SortSpec s;
    bson_iter_t it;
    spec.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view key(bson_iter_key(&it), bson_iter_key_len(&it));
        bson_type_t t = bson_iter_type(&it);
        bool numeric = t == BSON_TYPE_INT32 || t == BSON_TYPE_INT64 || t == BSON_TYPE_DOUBLE;
        double dir = numeric ? bson_iter_as_double(&it) : 0;
        if (dir != 1 && dir != -1)
            return Status(ErrorCodes::BadValue, "$sort key ordering must be 1 (for ascending) or "
                                                "-1 (for descending); got it for '" +
                                                    std::string(key) + "'");
        auto path = FieldPath::parse(key);
        if (!path.isOK()) return path.getStatus();
        s._keys.push_back({std::move(path.getValue()), dir < 0});
    }
    return s;
}

BsonObj SortSpec::keyFor(BsonView doc) const {
    BsonBuilder b;
    for (const Key& k : _keys) {
        BsonObj v = sortKeyValue(doc, k.path, k.descending);
        b.appendAll(v.view());
    }
    return b.obj();
}

int SortSpec::compareKeys(BsonView ka, BsonView kb) const {
    bson_iter_t ia, ib;
    ka.iterInit(&ia);
    kb.iterInit(&ib);
    for (const Key& k : _keys) {
        bool more = bson_iter_next(&ia) && bson_iter_next(&ib);
        invariant(more);
        int c = compareValues(ia, ib);
        if (c != 0) return k.descending ? -c : c;
    }
    return 0;
}

int SortSpec::compare(BsonView a, BsonView b) const {
    return compareKeys(keyFor(a).view(), keyFor(b).view());
}

void SortSpec::sort(std::vector<BsonObj>& docs) const {
    if (_keys.empty()) return;
    std::vector<std::pair<BsonObj, size_t>> keyed;
    keyed.reserve(docs.size());
    for (size_t i = 0; i < docs.size(); ++i) keyed.emplace_back(keyFor(docs[i].view()), i);
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
        return compareKeys(a.first.view(), b.first.view()) < 0;
    });
    std::vector<BsonObj> out;
    out.reserve(docs.size());
    for (auto& [_, i] : keyed) out.push_back(std::move(docs[i]));
    docs = std::move(out);
}

bool TopKSorter::before(const Item& a, const Item& b) const {
    int c = _spec.compareKeys(a.key.view(), b.key.view());
    return c != 0 ? c < 0 : a.seq < b.seq;
}

void TopKSorter::add(BsonObj doc) {
    auto less = [this](const Item& a, const Item& b) { return before(a, b); };
    Item item{_spec.keyFor(doc.view()), _seq++, std::move(doc)};
    if (_limit > 0 && _items.size() >= static_cast<size_t>(_limit)) {
        // _items is a max-heap of the best `limit` so far: replace its worst.
        if (!before(item, _items.front())) return;
        std::pop_heap(_items.begin(), _items.end(), less);
        _bytes -= _items.back().doc.size() + _items.back().key.size();
        _items.pop_back();
    }
    _bytes += item.doc.size() + item.key.size();
    _items.push_back(std::move(item));
    if (_limit > 0) std::push_heap(_items.begin(), _items.end(), less);
}

std::vector<BsonObj> TopKSorter::finish() {
    std::sort(_items.begin(), _items.end(),
              [this](const Item& a, const Item& b) { return before(a, b); });
    std::vector<BsonObj> out;
    out.reserve(_items.size());
    for (auto& item : _items) out.push_back(std::move(item.doc));
    _items.clear();
    _bytes = 0;
    return out;
}

}  // namespace mongosd::query
