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

}  // namespace mongosd::query
