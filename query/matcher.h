#pragma once
// The filter language: a query document such as {"level": "beginner", "meta.open": true} parsed
// once into a tree of MatchExpression nodes, then evaluated against many documents.
//
// Semantics follow MongoDB: dotted paths descend through embedded documents and arrays (an
// array field matches when the array itself or any element matches); a numeric path component
// also addresses an array position; {f: null} matches a missing f. Pure: no I/O. A parsed tree
// is immutable and may be shared by threads.
//
// Operators: $eq $ne $gt $gte $lt $lte $in $nin $and $or $nor $not $exists $type $regex $mod
// $elemMatch $all $size $expr (scope and the few exceptions: docs/query.md).
//
// $expr evaluates an aggregation expression; when it fails at run time (e.g. $add on a string)
// matches() answers false for that document, while matchesChecked() reports the error, which
// MongoDB returns to the client. Query execution uses matchesChecked().

#include <memory>
#include <optional>
#include <vector>

#include "common/bson.h"
#include "query/field_path.h"

namespace mongosd::query {

class MatchExpression {
public:
    virtual ~MatchExpression() = default;
    virtual bool matches(BsonView doc) const = 0;
    // Tests one value as MongoDB's matchesSingleElement (no path, no array expansion): what
    // $elemMatch's value form applies to each array element.
    virtual bool matchesElement(const bson_iter_t& value) const = 0;
    // Like matches(); on a match, sets *arrayPosition to the position of the matching element
    // in the first array crossed by the matching path (MongoDB's elemMatchKey, what the
    // positional '$' update operator addresses), when a path crossed one. Expressions that do
    // not track positions leave it unset.
    virtual bool matchesRecordingPosition(BsonView doc,
                                          std::optional<size_t>* arrayPosition) const {
        (void)arrayPosition;
        return matches(doc);
    }
    // matchesRecordingPosition() (when arrayPosition is given) or matches(), except that a run-time
    // error of an $expr fails the match with that error instead of answering false.
    StatusWith<bool> matchesChecked(BsonView doc,
                                    std::optional<size_t>* arrayPosition = nullptr) const;
    // The step of matchesChecked() each node implements: on an $expr error sets *error (if it
    // is still OK) and answers false. Nodes that cannot contain $expr keep this default.
    virtual bool matchesReportingError(BsonView doc, std::optional<size_t>* arrayPosition,
                                       Status* error) const {
        (void)error;
        return arrayPosition ? matchesRecordingPosition(doc, arrayPosition) : matches(doc);
    }
};

struct Variables;

struct FilterLimits {
    int maxDepth = 100;  // nested $and/$or/$nor/$not/$elemMatch levels
    // Variables $expr may reference besides $$ROOT/$$CURRENT (aggregate's `let`, $lookup's
    // `let`); the caller keeps them alive while the parsed filter is in use.
    const Variables* variables = nullptr;
};

// Parses a filter document. Unknown operators answer BadValue ("unknown operator: $foo").
StatusWith<std::unique_ptr<MatchExpression>> parseFilter(BsonView filter,
                                                         const FilterLimits& limits = {});

// When the filter pins _id to one value at its top level ({_id: v} or {_id: {$eq: v}}, other
// fields allowed beside it; not inside $and), returns a copy of that value as {"": v} so a point
// lookup can replace a scan.
std::optional<BsonObj> extractIdEquality(BsonView filter);

}  // namespace mongosd::query
