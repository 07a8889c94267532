#pragma once
// The parsed form of a projection (internal to query/; projection.h is the public entry point).
// projection_parse.cpp builds it, projection.cpp applies it in MongoDB's three phases:
//   1. project: copy (inclusion) or drop (exclusion) fields along the spec's paths;
//   2. compute: evaluate computed fields against the input document and set them (in place when
//      the field exists, appended in spec order otherwise; a missing value removes the field);
//   3. post-image steps: find's $slice and positional "a.$", in spec order, on the result.
// Immutable after parsing; shared by copies of a Projection and by threads.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/expression.h"
#include "query/matcher.h"
#include "query/projection.h"

namespace mongosd::query {

struct ProjectionNode {
    enum class Kind {
        kPath,        // inner node: the sub-projection of a document
        kInclude,     // leaf: keep the value
        kExclude,     // leaf: drop the value
        kComputed,    // leaf: the value of `expr`
        kElemMatch,   // leaf (find): the first array element matching `elemMatch`
        kSlice,       // leaf (find): included (inclusion) or kept (exclusion), sliced in phase 3
        kPositional,  // leaf (find): included, then narrowed to the matched element in phase 3
    };
    Kind kind = Kind::kPath;
    std::unique_ptr<Expression> expr;
    // {name: {$elemMatch: ...}}, run against a one-element document {name: [element]}.
    std::unique_ptr<MatchExpression> elemMatch;
    std::map<std::string, ProjectionNode, std::less<>> children;
    std::vector<std::string> order;  // children's names in spec order
    bool hasComputed = false;        // this subtree has kComputed / kElemMatch leaves

    bool computedLeaf() const { return kind == Kind::kComputed || kind == Kind::kElemMatch; }
};

// A phase-3 step: find's {path: {$slice: ...}} or "path.$".
struct ProjectionPostStep {
    std::vector<std::string> path;
    bool positional = false;
    std::optional<int> skip;  // $slice: [skip, limit]; without skip, limit < 0 counts from the end
    int limit = 0;
};

struct ProjectionTree {
    ProjectionPolicy policy = ProjectionPolicy::kFind;
    bool inclusion = false;
    ProjectionNode root;
    std::vector<ProjectionPostStep> postSteps;
};

// Parses `spec`; `scope` is the variables the caller has in scope for computed fields.
StatusWith<std::shared_ptr<const ProjectionTree>> parseProjectionTree(BsonView spec,
                                                                      ProjectionPolicy policy,
                                                                      const Variables* scope);

}  // namespace mongosd::query
