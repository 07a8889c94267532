#pragma once
// Parsing of filter documents into match trees (internal to query/). matcher.cpp holds the
// document level (fields, $and/$or/$nor); filter_operators.cpp the operators of one field
// ({a: {$gt: 1, $lt: 5}}). Every function checks its input: wrong types, arities and values
// answer BadValue (or MongoDB's code) and nothing is trusted before it is checked.

#include <memory>

#include "query/match_tree.h"

namespace mongosd::query {

struct FilterParseContext {
    const FilterLimits& limits;
    int depth;  // nesting of $and/$or/$nor/$not/$elemMatch so far
    // Inside $elemMatch the documents are array elements, where $expr is not allowed.
    bool inElemMatch = false;

    FilterParseContext nested() const { return FilterParseContext{limits, depth + 1, inElemMatch}; }
    FilterParseContext elemMatch() const { return FilterParseContext{limits, depth + 1, true}; }
    Status checkDepth() const;
};

// Parses a filter document's fields into `out` (each field's matches are ANDed).
Status parseDocument(BsonView filter, ListMatch& out, const FilterParseContext& ctx);

// Parses the operator object `ops` ({$gt: 1, $lt: 5}) for `path` into `out`.
Status parseFieldOperators(const FieldPath& path, const bson_iter_t& ops, ListMatch& out,
                           const FilterParseContext& ctx);

// Implicit equality {path: value}: a regex value means a regex match.
StatusWith<std::unique_ptr<MatchExpression>> parseImplicitEquality(const FieldPath& path,
                                                                   const bson_iter_t& value);

// MongoDB's isExpressionDocument: a non-empty document whose first field starts with '$' and
// that is not a DBRef ({$ref, $id}; any of $ref/$id/$db when allowIncompleteDBRef).
bool isOperatorObject(const bson_iter_t& it, bool allowIncompleteDBRef);

// {$expr: expression}: `arg` is the expression (top level and inside $and/$or/$nor only).
StatusWith<std::unique_ptr<MatchExpression>> parseExprMatch(const bson_iter_t& arg,
                                                            const FilterParseContext& ctx);

// The operators that stand without a path ($and, $or, ...), known or not supported.
bool isPathlessOperator(std::string_view nameWithDollar);

}  // namespace mongosd::query
