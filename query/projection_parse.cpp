// Parsing of projection specs into a ProjectionTree, with MongoDB's rules for telling inclusion
// from exclusion projections and MongoDB's error codes (its projection_ast parser's).
#include <algorithm>
#include <climits>
#include <cmath>

#include "query/expression_internal.h"
#include "query/field_path.h"
#include "query/projection_tree.h"
#include "query/value_predicates.h"

namespace mongosd::query {
namespace {

using Kind = ProjectionNode::Kind;

Status error(ErrorCodes::Error code, std::string message) {
    return Status(code, std::move(message));
}

bool isFlagType(const bson_iter_t& it) {
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_BOOL:
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_DECIMAL128:
            return true;
        default:
            return false;
    }
}

// BSONElement::numberInt: int64 wraps, doubles and decimals truncate (clamped here, where
// MongoDB's conversion is undefined).
int numberInt(const bson_iter_t& it) {
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_INT32:
            return bson_iter_int32(&it);
        case BSON_TYPE_INT64:
            return static_cast<int>(static_cast<uint32_t>(bson_iter_int64(&it)));
        case BSON_TYPE_DOUBLE: {
            double d = bson_iter_double(&it);
            if (std::isnan(d)) return 0;
            if (d >= INT_MAX) return INT_MAX;
            if (d <= INT_MIN) return INT_MIN;
            return static_cast<int>(d);
        }
        default: {
            auto n = truncateToInt64(it);
            if (!n) return 0;
            return static_cast<int>(std::clamp<int64_t>(*n, INT_MIN, INT_MAX));
        }
    }
}

// Where the first positional operator of a key is: [begin, end) of ".$." / a trailing ".$" /
// the whole key "$".
std::optional<std::pair<size_t, size_t>> findPositional(std::string_view key) {
    size_t mid = key.find(".$.");
    if (mid != std::string_view::npos) return std::pair{mid, mid + 3};
    if (key.size() >= 2 && key.substr(key.size() - 2) == ".$")
        return std::pair{key.size() - 2, key.size()};
    if (key == "$") return std::pair<size_t, size_t>{0, 1};
    return std::nullopt;
}

// MongoDB's FieldPath errors for projection keys.
StatusWith<FieldPath> projectionPath(std::string_view key) {
    auto path = FieldPath::parse(key, /*allowDollar=*/true);
    if (!path.isOK()) {
        if (key.empty() || path.getStatus().code() == ErrorCodes::EmptyFieldName)
            return error(ErrorCodes::Location15998,
                         "FieldPath field names may not be empty strings.");
        return path.getStatus();
    }
    for (size_t i = 0; i < path.getValue().size(); ++i)
        if (path.getValue().part(i)[0] == '$')
            return error(ErrorCodes::Location16410,
                         "FieldPath field names may not start with '$'. Consider using $getField "
                         "or $setField.");
    return path;
}

std::string typeName(const bson_iter_t& it) {
    return std::string(expr::typeName(Value::fromIter(it)));
}

class SpecParser {
public:
    SpecParser(ProjectionTree& tree, const Variables* scope) : _tree(tree) {
        for (const Variables* s = scope; s; s = s->parent)
            for (const auto& [name, value] : s->bound) _exprCtx.scope.push_back(name);
    }

    Status parseElement(const bson_iter_t& elem, ProjectionNode& parent,
                        const std::string& parentPath, int depth);
    Status finish();

private:
    Status parseSubObject(const bson_iter_t& elem, ProjectionNode& parent,
                          const std::string& parentPath, int depth);
    StatusWith<bool> parseOperatorObject(const bson_iter_t& elem, ProjectionNode& parent,
                                         const FieldPath& path, const std::string& fullPath);
    Status parseFindSlice(const bson_iter_t& arg, ProjectionNode& parent, const FieldPath& path,
                          const std::string& fullPath);
    StatusWith<bool> parseGenericExpression(const bson_iter_t& elem, ProjectionNode& parent,
                                            const FieldPath& path);
    Status parseInclusion(const bson_iter_t& elem, ProjectionNode& parent,
                          const std::string& parentPath,
                          std::optional<std::pair<size_t, size_t>> positional);
    Status parseExclusion(const bson_iter_t& elem, ProjectionNode& parent);
    Status parseLiteral(const bson_iter_t& elem, ProjectionNode& parent);

    // Adds `leaf` at `path` below `parent`; returns the node placed.
    StatusWith<ProjectionNode*> addNode(ProjectionNode& parent, const FieldPath& path,
                                        ProjectionNode leaf);
    static std::vector<std::string> parts(const std::string& dotted);

    ProjectionTree& _tree;
    ParseContext _exprCtx;
    std::optional<bool> _inclusion;
    bool _hasPositional = false;
    bool _hasElemMatch = false;
    bool _hasFindSlice = false;
    bool _idIncluded = false;
};

std::vector<std::string> SpecParser::parts(const std::string& dotted) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t dot = dotted.find('.', start);
        out.push_back(dotted.substr(start, dot == std::string::npos ? dot : dot - start));
        if (dot == std::string::npos) return out;
        start = dot + 1;
    }
}

StatusWith<ProjectionNode*> SpecParser::addNode(ProjectionNode& parent, const FieldPath& path,
                                                ProjectionNode leaf) {
    ProjectionNode* node = &parent;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
        auto found = node->children.find(path.part(i));
        if (found == node->children.end()) {
            node->order.emplace_back(path.part(i));
            node = &node->children[std::string(path.part(i))];
            continue;
        }
        if (found->second.kind != Kind::kPath) {
            std::string rest;
            for (size_t j = i + 1; j < path.size(); ++j)
                rest += (rest.empty() ? "" : ".") + std::string(path.part(j));
            return error(ErrorCodes::Location31249,
                         "Path collision at " + path.dotted() + " remaining portion " + rest);
        }
        node = &found->second;
    }
    std::string last(path.part(path.size() - 1));
    auto found = node->children.find(last);
    if (found != node->children.end()) {
        // A nested spec ({a: {b: 1}}) may continue a path an earlier nested spec began.
        if (leaf.kind == Kind::kPath && found->second.kind == Kind::kPath) return &found->second;
        return error(ErrorCodes::Location31250, "Path collision at " + path.dotted());
    }
    node->order.push_back(last);
    ProjectionNode& placed = node->children[last];
    placed = std::move(leaf);
    return &placed;
}

Status SpecParser::parseElement(const bson_iter_t& elem, ProjectionNode& parent,
                                const std::string& parentPath, int depth) {
    if (depth > kMaxBsonDepth)
        return error(ErrorCodes::Overflow, "projection nests deeper than 100 levels");
    std::string_view key = iterKey(elem);
    auto positional = findPositional(key);
    if (positional && _tree.policy == ProjectionPolicy::kAggregate)
        return error(ErrorCodes::Location31324,
                     "Cannot use positional projection in aggregation projection");
    if (BSON_ITER_HOLDS_DOCUMENT(&elem)) {
        if (positional)
            return error(ErrorCodes::Location31271,
                         "positional projection cannot be used with an expression or sub object");
        return parseSubObject(elem, parent, parentPath, depth);
    }
    if (isFlagType(elem)) {
        if (bson_iter_as_bool(&elem) || (BSON_ITER_HOLDS_DECIMAL128(&elem) && numberInt(elem)))
            return parseInclusion(elem, parent, parentPath, positional);
        return parseExclusion(elem, parent);
    }
    if (positional)
        return error(ErrorCodes::Location31308,
                     "positional projection cannot be used with a literal");
    return parseLiteral(elem, parent);
}

Status SpecParser::parseInclusion(const bson_iter_t& elem, ProjectionNode& parent,
                                  const std::string& parentPath,
                                  std::optional<std::pair<size_t, size_t>> positional) {
    std::string_view key = iterKey(elem);
    bool topLevelId = key == "_id" && &parent == &_tree.root;
    if (!positional) {
        auto path = projectionPath(key);
        if (!path.isOK()) return path.getStatus();
        ProjectionNode leaf;
        leaf.kind = Kind::kInclude;
        auto added = addNode(parent, path.getValue(), std::move(leaf));
        if (!added.isOK()) return added.getStatus();
        if (topLevelId) _idIncluded = true;
    } else {
        if (_hasPositional)
            return error(ErrorCodes::Location31276,
                         "Cannot specify more than one positional projection per query.");
        if (_hasElemMatch)
            return error(ErrorCodes::Location31256,
                         "Cannot specify positional operator and $elemMatch.");
        if (key.size() >= 3 && key.substr(key.size() - 3) == ".$.")
            return error(ErrorCodes::Location31270, "Path cannot end with '.$.'");
        std::string_view rest = key.substr(positional->second);
        if (findPositional(rest) || rest == "$")
            return error(ErrorCodes::Location31287,
                         "Cannot use positional operator twice: " + std::string(key));
        auto path = projectionPath(key.substr(0, positional->first));
        if (!path.isOK()) return path.getStatus();
        ProjectionNode leaf;
        leaf.kind = Kind::kPositional;
        auto added = addNode(parent, path.getValue(), std::move(leaf));
        if (!added.isOK()) return added.getStatus();
        ProjectionPostStep step;
        step.positional = true;
        step.path = parts(parentPath.empty() ? path.getValue().dotted()
                                             : parentPath + "." + path.getValue().dotted());
        _tree.postSteps.push_back(std::move(step));
        _hasPositional = true;
    }
    if (!topLevelId) {
        if (_inclusion && !*_inclusion)
            return error(
                ErrorCodes::Location31253,
                "Cannot do inclusion on field " + std::string(key) + " in exclusion projection");
        _inclusion = true;
    }
    return Status::OK();
}

Status SpecParser::parseExclusion(const bson_iter_t& elem, ProjectionNode& parent) {
    std::string_view key = iterKey(elem);
    auto path = projectionPath(key);
    if (!path.isOK()) return path.getStatus();
    ProjectionNode leaf;
    leaf.kind = Kind::kExclude;
    auto added = addNode(parent, path.getValue(), std::move(leaf));
    if (!added.isOK()) return added.getStatus();
    if (key == "_id" && &parent == &_tree.root) return Status::OK();
    if (_inclusion && *_inclusion)
        return error(ErrorCodes::Location31254, "Cannot do exclusion on field " + std::string(key) +
                                                    " in inclusion projection");
    _inclusion = false;
    return Status::OK();
}

Status SpecParser::parseLiteral(const bson_iter_t& elem, ProjectionNode& parent) {
    auto expr = parseExpression(elem, _exprCtx);
    if (!expr.isOK()) return expr.getStatus();
    auto path = projectionPath(iterKey(elem));
    if (!path.isOK()) return path.getStatus();
    ProjectionNode leaf;
    leaf.kind = Kind::kComputed;
    leaf.expr = std::move(expr.getValue());
    auto added = addNode(parent, path.getValue(), std::move(leaf));
    if (!added.isOK()) return added.getStatus();
    if (_inclusion && !*_inclusion)
        return error(ErrorCodes::Location31310, "Cannot use an expression for field " +
                                                    std::string(iterKey(elem)) +
                                                    " in an exclusion projection");
    _inclusion = true;
    return Status::OK();
}

Status SpecParser::parseSubObject(const bson_iter_t& elem, ProjectionNode& parent,
                                  const std::string& parentPath, int depth) {
    std::string_view key = iterKey(elem);
    auto path = projectionPath(key);
    if (!path.isOK()) return path.getStatus();
    std::string fullPath =
        parentPath.empty() ? path.getValue().dotted() : parentPath + "." + path.getValue().dotted();
    BsonView sub = subDocument(elem);
    bson_iter_t first;
    sub.iterInit(&first);
    bool hasFirst = bson_iter_next(&first);
    bson_iter_t second = first;
    if (hasFirst && bson_iter_key(&first)[0] == '$' && !bson_iter_next(&second)) {
        auto handled = parseOperatorObject(elem, parent, path.getValue(), fullPath);
        if (!handled.isOK()) return handled.getStatus();
        if (handled.getValue()) return Status::OK();
        return error(ErrorCodes::Location31325,
                     "Unknown expression " + std::string(iterKey(first)));
    }
    if (!hasFirst)
        return error(
            ErrorCodes::Location51270,
            "An empty sub-projection is not a valid value. Found empty object at path " + fullPath);
    auto node = addNode(parent, path.getValue(), ProjectionNode{});
    if (!node.isOK()) return node.getStatus();
    bson_iter_t it;
    sub.iterInit(&it);
    while (bson_iter_next(&it))
        MONGOSD_RETURN_IF_ERROR(parseElement(it, *node.getValue(), fullPath, depth + 1));
    return Status::OK();
}

StatusWith<bool> SpecParser::parseOperatorObject(const bson_iter_t& elem, ProjectionNode& parent,
                                                 const FieldPath& path,
                                                 const std::string& fullPath) {
    bson_iter_t op;
    bson_iter_recurse(&elem, &op);
    bson_iter_next(&op);
    std::string_view name = iterKey(op);
    if (_tree.policy == ProjectionPolicy::kAggregate) {
        if (name == "$elemMatch")
            return error(ErrorCodes::InvalidPipelineOperator,
                         "Cannot use $elemMatch in this context");
        return parseGenericExpression(elem, parent, path);
    }
    if (name == "$slice") {
        Status findForm = parseFindSlice(op, parent, path, fullPath);
        if (findForm.isOK()) return true;
        // Not find's $slice syntax: maybe the expression $slice ({$slice: ["$arr", 1]}).
        auto generic = parseGenericExpression(elem, parent, path);
        if (generic.isOK()) return generic;
        return error(generic.getStatus().code(),
                     "Invalid $slice syntax. The given syntax did not match the find() syntax "
                     "because :: " +
                         findForm.reason() +
                         " :: The given syntax did not match the expression $slice syntax. :: "
                         "caused by :: " +
                         generic.getStatus().reason());
    }
    if (name != "$elemMatch") return parseGenericExpression(elem, parent, path);
    if (!BSON_ITER_HOLDS_DOCUMENT(&op))
        return error(ErrorCodes::Location31274,
                     "elemMatch: Invalid argument, object required, but got " + typeName(op));
    if (_hasPositional)
        return error(ErrorCodes::Location31255,
                     "Cannot specify positional operator and $elemMatch.");
    if (path.size() != 1 || &parent != &_tree.root)
        return error(ErrorCodes::Location31275,
                     "Cannot use $elemMatch projection on a nested field.");
    BsonBuilder filter;
    filter.appendDocument(path.dotted(), [&](BsonBuilder& b) { b.appendIter("$elemMatch", op); });
    auto matcher = parseFilter(filter.obj().view());
    if (!matcher.isOK()) return matcher.getStatus();
    ProjectionNode leaf;
    leaf.kind = Kind::kElemMatch;
    leaf.elemMatch = std::move(matcher.getValue());
    auto added = addNode(parent, path, std::move(leaf));
    if (!added.isOK()) return added.getStatus();
    _hasElemMatch = true;
    return true;
}

Status SpecParser::parseFindSlice(const bson_iter_t& arg, ProjectionNode& parent,
                                  const FieldPath& path, const std::string& fullPath) {
    ProjectionPostStep step;
    if (isNumber(arg)) {
        step.limit = numberInt(arg);
    } else if (BSON_ITER_HOLDS_ARRAY(&arg)) {
        bson_iter_t it;
        bson_iter_recurse(&arg, &it);
        bson_iter_t skip, limit;
        bool two = bson_iter_next(&it) && (skip = it, bson_iter_next(&it)) &&
                   (limit = it, !bson_iter_next(&it));
        if (!two)
            return error(ErrorCodes::Location31272,
                         "$slice array argument should be of form [skip, limit]");
        if (!isNumber(skip))
            return error(ErrorCodes::Location31257,
                         "$slice expects the skip argument to be a number, got " + typeName(skip));
        if (!isNumber(limit))
            return error(
                ErrorCodes::Location31258,
                "$slice expects the limit argument to be a number, got " + typeName(limit));
        if (numberInt(limit) <= 0)
            return error(ErrorCodes::Location31259,
                         "$slice limit must be positive, got " + std::to_string(numberInt(limit)));
        step.skip = numberInt(skip);
        step.limit = numberInt(limit);
    } else {
        return error(ErrorCodes::Location31273,
                     "$slice only supports numbers and [skip, limit] arrays");
    }
    ProjectionNode leaf;
    leaf.kind = Kind::kSlice;
    auto added = addNode(parent, path, std::move(leaf));
    if (!added.isOK()) return added.getStatus();
    step.path = parts(fullPath);
    _tree.postSteps.push_back(std::move(step));
    _hasFindSlice = true;
    return Status::OK();
}

// {path: {$op: ...}} as an expression; false when $op names no expression operator.
StatusWith<bool> SpecParser::parseGenericExpression(const bson_iter_t& elem, ProjectionNode& parent,
                                                    const FieldPath& path) {
    auto expr = parseExpression(elem, _exprCtx);
    if (!expr.isOK()) {
        bson_iter_t op;
        bson_iter_recurse(&elem, &op);
        bson_iter_next(&op);
        if (expr.getStatus().code() == ErrorCodes::InvalidPipelineOperator &&
            expr.getStatus().reason() ==
                "Unrecognized expression '" + std::string(iterKey(op)) + "'")
            return false;
        return expr.getStatus();
    }
    if (_inclusion && !*_inclusion)
        return error(ErrorCodes::Location31252,
                     "Cannot use expression other than $meta in exclusion projection");
    _inclusion = true;
    ProjectionNode leaf;
    leaf.kind = Kind::kComputed;
    leaf.expr = std::move(expr.getValue());
    auto added = addNode(parent, path, std::move(leaf));
    if (!added.isOK()) return added.getStatus();
    return true;
}

// MongoDB's computeProjectionType, for specs with no field inclusion, exclusion or expression.
bool defaultInclusion(bool hasFindSlice, bool hasElemMatch, bool idIncluded) {
    if (hasFindSlice) return idIncluded;
    return hasElemMatch || idIncluded;
}

bool markComputed(ProjectionNode& node) {
    bool any = node.computedLeaf();
    for (auto& [name, child] : node.children) any = markComputed(child) || any;
    node.hasComputed = any;
    return any;
}

Status SpecParser::finish() {
    bool inclusion =
        _inclusion ? *_inclusion : defaultInclusion(_hasFindSlice, _hasElemMatch, _idIncluded);
    bool idSpecified = _tree.root.children.count("_id") > 0;
    if (!idSpecified && inclusion) {
        ProjectionNode id;
        id.kind = Kind::kInclude;
        _tree.root.order.push_back("_id");
        _tree.root.children["_id"] = std::move(id);
    }
    if (!inclusion && _idIncluded) {
        // {_id: 1} in an exclusion projection is legal and changes nothing.
        _tree.root.children.erase("_id");
        std::erase(_tree.root.order, std::string("_id"));
    }
    _tree.inclusion = inclusion;
    markComputed(_tree.root);
    return Status::OK();
}

}  // namespace

StatusWith<std::shared_ptr<const ProjectionTree>> parseProjectionTree(BsonView spec,
                                                                      ProjectionPolicy policy,
                                                                      const Variables* scope) {
    auto tree = std::make_shared<ProjectionTree>();
    tree->policy = policy;
    if (spec.isEmpty() && policy == ProjectionPolicy::kAggregate)
        return error(ErrorCodes::Location51272,
                     "projection specification must have at least one field");
    SpecParser parser(*tree, scope);
    bson_iter_t it;
    if (!spec.iterInit(&it)) return error(ErrorCodes::BadValue, "malformed projection");
    while (bson_iter_next(&it)) MONGOSD_RETURN_IF_ERROR(parser.parseElement(it, tree->root, "", 1));
    MONGOSD_RETURN_IF_ERROR(parser.finish());
    return std::shared_ptr<const ProjectionTree>(std::move(tree));
}

}  // namespace mongosd::query
