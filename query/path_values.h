#pragma once
// The values a dotted path reaches in a document, with MongoDB's array traversal: arrays met
// along the path are expanded into their document elements (a numeric component may also pick
// a position); arrays at the end of the path are expanded into their elements when asked
// (distinct, sort keys) or reported whole. Pure.

#include <functional>

#include "common/bson.h"
#include "query/field_path.h"

namespace mongosd::query {

// Calls fn for every value reached; returns how many values were reported.
size_t forEachPathValue(BsonView doc, const FieldPath& path, bool expandLeafArrays,
                        const std::function<void(const bson_iter_t&)>& fn);

// The sort key of `doc` for one path: the smallest value reached (ascending) or the largest
// (descending), null when the path reaches nothing, as {"": value}.
BsonObj sortKeyValue(BsonView doc, const FieldPath& path, bool descending);

}  // namespace mongosd::query
