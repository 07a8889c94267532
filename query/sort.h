#pragma once
// Sort specifications ({rating: -1, title: 1}) and the comparator they define over documents,
// using MongoDB's comparison order; array fields sort by their smallest element ascending and
// largest descending. Pure; an instance is immutable.

#include <vector>

#include "common/bson.h"
#include "query/field_path.h"

namespace mongosd::query {

class SortSpec {
public:
    // BadValue unless every value is 1 or -1.
    static StatusWith<SortSpec> parse(BsonView spec);
    bool empty() const { return _keys.empty(); }
    // <0, 0, >0 as a sorts before, with, after b.
    int compare(BsonView a, BsonView b) const;
    // Sorts stably by this spec (each document's key is extracted once).
    void sort(std::vector<BsonObj>& docs) const;
    // The document's sort key as {"": v1, "": v2, ...}, and the order of two such keys.
    BsonObj keyFor(BsonView doc) const;
    int compareKeys(BsonView ka, BsonView kb) const;

private:
    struct Key {
        FieldPath path;
        bool descending;
    };
    std::vector<Key> _keys;
};

// Collects documents and hands them back in a SortSpec's order, ties in arrival order. With a
// limit it keeps only the best `limit` seen so far (a max-heap whose worst is replaced), so its
// memory is bounded by the limit, not the input: sort + limit is a top-k. `spec` must outlive
// the sorter.
class TopKSorter {
public:
    // limit <= 0: keep every document.
    TopKSorter(const SortSpec& spec, int64_t limit) : _spec(spec), _limit(limit) {}
    void add(BsonObj doc);
    // Bytes of the documents and sort keys held now (what memory caps are checked against).
    size_t bytes() const { return _bytes; }
    // The documents kept, sorted; the sorter is empty afterwards.
    std::vector<BsonObj> finish();

private:
    struct Item {
        BsonObj key;
        uint64_t seq;
        BsonObj doc;
    };
    bool before(const Item& a, const Item& b) const;

    const SortSpec& _spec;
    int64_t _limit;
    std::vector<Item> _items;
    uint64_t _seq = 0;
    size_t _bytes = 0;
};

}  // namespace mongosd::query
