#pragma once
// Projection: which fields a query returns, in MongoDB's two projection languages.
//
// find (ProjectionPolicy::kFind; also findAndModify's `fields`): inclusion ({a: 1, "b.c": 1}) or
// exclusion ({a: 0}) over dotted and nested ({b: {c: 1}}) paths, _id included unless excluded;
// {a: {$slice: n | [skip, limit]}}, {a: {$elemMatch: filter}}, positional "a.$" (the element
// the query's filter matched, ProjectionContext::matchedPosition) and computed fields
// ({x: {$add: ["$a", 1]}}, {x: "$a.b"}, {x: {$literal: 5}}, {x: "text"}) in inclusion projections.
// aggregate (kAggregate, the $project stage): the same flags and computed fields from any
// expression ("$$REMOVE" removes the field); $slice is the expression operator, $elemMatch and
// positional paths are errors; an empty spec is an error.
// Errors use MongoDB's codes (Location31250 path collision, 31253/31254 mixing inclusion and
// exclusion, ...: docs/query.md). Pure; an instance is immutable, cheap to copy and shareable.

#include <memory>
#include <optional>

#include "common/bson.h"

namespace mongosd::query {

struct Variables;
struct ProjectionTree;

// Which language the spec is in: find's projection (also findAndModify's `fields`), where
// {a: {$slice: n}}, {a: {$elemMatch: ...}} and "a.$" are projection operators, or the
// aggregation $project stage, where every non-flag value is an expression.
enum class ProjectionPolicy { kFind, kAggregate };

// What apply() may need besides the document.
struct ProjectionContext {
    // The array position the query's filter matched (MatchExpression::matchesRecordingPosition),
    // for the positional "a.$" projection.
    std::optional<size_t> matchedPosition;
    // Variables in scope for computed fields (aggregate's `let`, $$ROOT of an outer stage);
    // null: a fresh scope rooted at the document.
    const Variables* variables = nullptr;
};

class Projection {
public:
    // An empty spec returns documents unchanged (find) or is an error (aggregate, 51272).
    static StatusWith<Projection> parse(BsonView spec,
                                        ProjectionPolicy policy = ProjectionPolicy::kFind);
    // Like parse(); computed fields may also use the variables bound in `scope` (and its
    // parents) by name, as $$name. The names are read at parse time only.
    static StatusWith<Projection> parse(BsonView spec, ProjectionPolicy policy,
                                        const Variables* scope);

    bool isIdentity() const { return _tree == nullptr; }
    // Whether apply() reads ProjectionContext::matchedPosition ("a.$").
    bool hasPositional() const { return _hasPositional; }
    // Fails when a computed field's expression fails at run time, or for "a.$" when the filter
    // matched no element of the array on that path (51246) or a position past its end (51247).
    // Computed fields see $$ROOT = $$CURRENT = doc, then ctx.variables for other names.
    StatusWith<BsonObj> apply(BsonView doc, const ProjectionContext& ctx = {}) const;

private:
    std::shared_ptr<const ProjectionTree> _tree;  // null: identity
    bool _hasPositional = false;
};

}  // namespace mongosd::query
