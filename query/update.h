#pragma once
// Updates: an update document ({$set: {...}, $inc: {...}}) or a replacement document, parsed
// once and applied to many documents. Pure: no I/O; a parsed UpdateSpec is immutable.
//
// Operator updates are held as a trie of paths (UpdateNode), so applying them is one pass over
// the document that copies untouched fields as bytes. New fields are appended in field-name
// order (MongoDB 5.0+). Conflicting paths ({$set: {a: 1}, $inc: {"a.b": 1}}) are rejected at
// parse time. Field operators: $set $unset $inc $mul $min $max $rename $currentDate
// $setOnInsert $push $addToSet $pop $pull $pullAll $bit (per-operator logic: update_modifiers.h).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/bson.h"

namespace mongosd::query {

struct ModifierArgs;  // parsed operator arguments that need more than one value
class MatchExpression;
class Pipeline;

// arrayFilters by identifier: {x: cond} matches an array element e when cond matches {x: e}.
using ArrayFilterMap = std::map<std::string, std::shared_ptr<const MatchExpression>, std::less<>>;

struct UpdateNode {
    // kRenameFrom removes the source of a $rename; kRenameTo (operand: the source path) sets
    // the destination to the source's value.
    enum class Op {
        kNone, kSet, kUnset, kInc, kMul, kMin, kMax, kRenameFrom, kRenameTo, kCurrentDate,
        kSetOnInsert, kPush, kAddToSet, kPop, kPull, kPullAll, kBit
    };
    Op op = Op::kNone;
    BsonObj operand;  // {"": value}: the operator's argument for this path
    std::shared_ptr<const ModifierArgs> args;  // $push, $addToSet, $pull, $bit
    std::map<std::string, UpdateNode, std::less<>> children;
};

class UpdateSpec {
public:
    // FailedToParse for unknown modifiers or non-document operands, ConflictingUpdateOperators
    // for overlapping paths, DollarPrefixedFieldName for '$' names in a replacement, BadValue /
    // TypeMismatch for bad operator arguments (as MongoDB).
    // Paths may hold positional components: '$' (the array position the query matched), '$[]'
    // (every element) and '$[id]' (elements matching arrayFilters' `id`). `arrayFilters` is the
    // array of filter documents: FailedToParse for a duplicate or unused identifier, BadValue
    // for a path naming an identifier that has no filter.
    static StatusWith<UpdateSpec> parse(BsonView update,
                                        std::optional<BsonView> arrayFilters = std::nullopt);

    // A pipeline-style update: `stages` is the array of $set/$addFields/$unset/$project/
    // $replaceRoot/$replaceWith stages (other stages: InvalidOptions, as MongoDB), run over the
    // document; a result without _id keeps the original's.
    static StatusWith<UpdateSpec> parsePipeline(BsonView stages);

    bool isReplacement() const { return _replacement.has_value(); }
    bool isPipeline() const { return _pipeline != nullptr; }
    // Whether a path uses '$': apply() then needs the position the filter matched.
    bool usesPositional() const { return _positional; }

    // Returns the updated document ($setOnInsert does nothing here). ImmutableField when _id
    // would change, TypeMismatch for $inc/$mul on a non-number, PathNotViable when a path runs
    // through a scalar, BadValue for an array operator on a non-array. $currentDate reads the
    // system clock.
    // `matchedPosition` is what the filter recorded (MatchExpression::matchesRecordingPosition);
    // '$' without one is BadValue.
    StatusWith<BsonObj> apply(BsonView doc,
                              std::optional<size_t> matchedPosition = std::nullopt) const;

    // The document an upsert inserts: equality fields of `filter` (top-level, non-operator, or
    // {$eq: v}) seed it, then the update applies with $setOnInsert; `newId` supplies _id when
    // neither has one.
    StatusWith<BsonObj> applyForUpsert(BsonView filter, const bson_oid_t& newId) const;

private:
    StatusWith<BsonObj> applyOperators(BsonView doc, bool upsertInsert,
                                       std::optional<size_t> matchedPosition) const;

    StatusWith<BsonObj> applyPipeline(BsonView doc) const;

    std::optional<BsonObj> _replacement;
    std::shared_ptr<const Pipeline> _pipeline;
    UpdateNode _root;
    ArrayFilterMap _arrayFilters;
    // $rename's (from, to) pairs, checked against each document before the trie applies.
    std::vector<std::pair<std::string, std::string>> _renames;
    bool _positional = false;
};

}  // namespace mongosd::query
