#pragma once
// Projection: which fields a query returns. The foundation supports MongoDB's inclusion and
// exclusion forms over top-level and dotted paths ({title: 1, "meta.level": 1} or {reviews: 0}),
// with _id included unless excluded. Mixing inclusion and exclusion (other than _id) is an
// error, as in MongoDB. Pure; an instance is immutable and shareable.

#include <map>
#include <optional>
#include <string>

#include "common/bson.h"

namespace mongosd::query {

struct Variables;

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
    // An empty spec returns documents unchanged.
    static StatusWith<Projection> parse(BsonView spec,
                                        ProjectionPolicy policy = ProjectionPolicy::kFind);

    bool isIdentity() const { return !_inclusion && _root.children.empty() && _includeId; }
    // Fails only when a computed field's expression fails at run time.
    StatusWith<BsonObj> apply(BsonView doc, const ProjectionContext& ctx = {}) const;

    struct Node {
        bool leaf = false;  // a projected path ends here
        std::map<std::string, Node, std::less<>> children;
    };

private:
    bool _inclusion = false;
    bool _includeId = true;
    Node _root;
};

}  // namespace mongosd::query
