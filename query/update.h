#pragma once
// Updates: an update document ({$set: {...}, $inc: {...}}) or a replacement document, parsed
// once and applied to many documents. Pure: no I/O; a parsed UpdateSpec is immutable.
//
// Operator updates are held as a trie of paths (UpdateNode), so applying them is one pass over
// the document that copies untouched fields as bytes. New fields are appended in field-name
// order (MongoDB 5.0+). Conflicting paths ({$set: {a: 1}, $inc: {"a.b": 1}}) are rejected at
// parse time. The foundation covers $set, $unset and $inc; the rest builds on the same trie.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/bson.h"

namespace mongosd::query {

struct UpdateNode {
    enum class Op { kNone, kSet, kUnset, kInc };
    Op op = Op::kNone;
    BsonObj operand;  // {"": value} for kSet / kInc
    std::map<std::string, UpdateNode, std::less<>> children;
};

class UpdateSpec {
public:
    // FailedToParse for unknown modifiers or non-document operands, ConflictingUpdateOperators
    // for overlapping paths, DollarPrefixedFieldName for '$' names in a replacement.
    static StatusWith<UpdateSpec> parse(BsonView update);

    bool isReplacement() const { return _replacement.has_value(); }

    // Returns the updated document. ImmutableField when _id would change, TypeMismatch for $inc
    // on a non-number, PathNotViable when a path runs through a scalar.
    StatusWith<BsonObj> apply(BsonView doc) const;

    // The document an upsert inserts: equality fields of `filter` (top-level, non-operator, or
    // {$eq: v}) seed it, then the update applies; `newId` supplies _id when neither has one.
    StatusWith<BsonObj> applyForUpsert(BsonView filter, const bson_oid_t& newId) const;

private:
    std::optional<BsonObj> _replacement;
    UpdateNode _root;
};

}  // namespace mongosd::query
