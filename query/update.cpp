#include "query/update.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <limits>
#include <set>
#include <vector>

#include "common/bson_compare.h"
#include "query/field_path.h"
#include "common/invariant.h"
#include "query/matcher.h"
#include "query/pipeline.h"
#include "query/update_modifiers.h"

namespace mongosd::query {
namespace {

using Op = UpdateNode::Op;

bson_iter_t operandIter(const BsonObj& holder) {
    bson_iter_t it;
    bool ok = holder.view().iterInit(&it) && bson_iter_next(&it);
    invariant(ok);
    return it;
}

Status conflict(std::string_view path, std::string_view at) {
    return Status(ErrorCodes::ConflictingUpdateOperators,
                  "Updating the path '" + std::string(path) + "' would create a conflict at '" +
                      std::string(at) + "'");
}

bool isPositional(std::string_view part) { return !part.empty() && part[0] == '$'; }

// '$[]' and '$[id]' need their parent to be an array; '$' and names need an object or an array
// position. MongoDB holds the two as different node types, so one parent cannot have both.
bool isArrayFilterPart(std::string_view part) {
    return part.size() >= 3 && part.substr(0, 2) == "$[";
}

// Whether node's children already have the other kind than `part` (see isArrayFilterPart).
bool mixesNodeKinds(const UpdateNode& node, std::string_view part) {
    return !node.children.empty() && !node.children.count(part) &&
           isArrayFilterPart(node.children.begin()->first) != isArrayFilterPart(part);
}

// What parsing paths learns about positional components.
struct PathContext {
    const ArrayFilterMap* arrayFilters;
    std::set<std::string, std::less<>> usedIdentifiers;
    bool positional = false;
    std::vector<std::pair<std::string, std::string>> renames;
};

// Checks the '$' components of a path: '$', '$[]' or '$[id]' with a known id, never first.
Status checkPositionalParts(const FieldPath& fp, PathContext& ctx) {
    int dollars = 0;
    for (size_t i = 0; i < fp.size(); ++i) {
        std::string_view part = fp.part(i);
        if (!isPositional(part)) continue;
        bool filtered = part.size() > 3 && part[1] == '[' && part.back() == ']';
        if (part != "$" && part != "$[]" && !filtered)
            return Status(ErrorCodes::DollarPrefixedFieldName,
                          "The dollar ($) prefixed field '" + std::string(part) + "' in '" +
                              fp.dotted() + "' is not valid for storage.");
        if (i == 0)
            return Status(ErrorCodes::BadValue,
                          "Cannot have positional (i.e. '$') element in the first position in "
                          "path '" + fp.dotted() + "'");
        if (part == "$") {
            if (++dollars > 1)
                return Status(ErrorCodes::BadValue,
                              "Too many positional (i.e. '$') elements found in path '" +
                                  fp.dotted() + "'");
            ctx.positional = true;
        } else if (filtered) {
            std::string_view id = part.substr(2, part.size() - 3);
            if (!ctx.arrayFilters->count(id))
                return Status(ErrorCodes::BadValue, "No array filter found for identifier '" +
                                                        std::string(id) + "' in path '" +
                                                        fp.dotted() + "'");
            ctx.usedIdentifiers.emplace(id);
        }
    }
    return Status::OK();
}

// Adds the leaf for `dotted` and returns it through `leaf`, or ConflictingUpdateOperators.
Status addPath(UpdateNode& root, std::string_view dotted, PathContext& ctx, UpdateNode** leaf) {
    auto path = FieldPath::parse(dotted, /*allowDollar=*/true);
    if (!path.isOK()) return path.getStatus();
    const FieldPath& fp = path.getValue();
    MONGOSD_RETURN_IF_ERROR(checkPositionalParts(fp, ctx));
    UpdateNode* node = &root;
    std::string prefix;
    for (size_t i = 0; i < fp.size(); ++i) {
        if (mixesNodeKinds(*node, fp.part(i))) return conflict(dotted, prefix);
        if (i) prefix += '.';
        prefix += fp.part(i);
        auto [pos, inserted] = node->children.try_emplace(std::string(fp.part(i)));
        node = &pos->second;
        bool last = i + 1 == fp.size();
        if (!inserted && (node->op != Op::kNone || (last && !node->children.empty())))
            return conflict(dotted, prefix);
    }
    *leaf = node;
    return Status::OK();
}

class Applier {
public:
    Applier(BsonView root, bool upsertInsert, int64_t nowMs, std::optional<size_t> matched,
            const ArrayFilterMap& arrayFilters)
        : _root(root),
          _upsertInsert(upsertInsert),
          _nowMs(nowMs),
          _matched(matched),
          _arrayFilters(arrayFilters) {}

    // `fields` is positioned before the first field of the source document (null: empty).
    Status applyDocument(bson_iter_t* fields, const UpdateNode& node, BsonBuilder& out);
    Status applyArray(const bson_iter_t& src, const UpdateNode& node, BsonBuilder& out);

private:
    Status applyField(const bson_iter_t& it, std::string_view name, const UpdateNode& node,
                      BsonBuilder& out, bool inArray);
    Status applyFieldAt(const bson_iter_t& it, std::string_view name, const UpdateNode& node,
                        BsonBuilder& out, bool inArray);
    Status createField(std::string_view name, const UpdateNode& node, BsonBuilder& out);
    // The children of an array node that apply to element `k` (value `elem`).
    StatusWith<std::vector<const UpdateNode*>> childrenFor(const UpdateNode& node, uint32_t k,
                                                           const bson_iter_t& elem) const;
    Status applyElement(const bson_iter_t& elem, std::string_view key,
                        const std::vector<const UpdateNode*>& children, BsonBuilder& out);
    // True when the subtree can create something (a pure-$unset subtree creates nothing).
    bool createsAnything(const UpdateNode& node) const;
    bool createsInArray(const UpdateNode& node) const;
    ModifierContext context(std::string_view field) const {
        return ModifierContext{_root, _upsertInsert, _nowMs, field};
    }

    BsonView _root;
    std::vector<std::string_view> _path;  // of the field applyField is in, for messages
    bool _upsertInsert;
    int64_t _nowMs;
    std::optional<size_t> _matched;
    const ArrayFilterMap& _arrayFilters;
};

bool hasPositionalChild(const UpdateNode& node) {
    return std::any_of(node.children.begin(), node.children.end(),
                       [](const auto& c) { return isPositional(c.first); });
}

Status arrayUpdateOnNonArray(std::string_view name) {
    return Status(ErrorCodes::BadValue, "Cannot apply array updates to non-array element " +
                                            std::string(name));
}

// A $rename leaf inside an array does nothing: checkRename rejected the update if its source
// exists.
bool onlyRenames(const UpdateNode& node) {
    if (node.op != Op::kNone) return node.op == Op::kRenameTo || node.op == Op::kRenameFrom;
    return std::all_of(node.children.begin(), node.children.end(),
                       [](const auto& c) { return onlyRenames(c.second); });
}

bool Applier::createsInArray(const UpdateNode& node) const {
    return createsAnything(node) && !onlyRenames(node);
}

bool Applier::createsAnything(const UpdateNode& node) const {
    if (node.op != Op::kNone) return modifierCreates(node.op, _upsertInsert);
    for (const auto& [_, c] : node.children)
        if (createsAnything(c)) return true;
    return false;
}

Status Applier::createField(std::string_view name, const UpdateNode& node, BsonBuilder& out) {
    if (node.op != Op::kNone) {
        auto r = applyModifier(node, nullptr, context(name));
        if (!r.isOK()) return r.getStatus();
        if (r.getValue().kind == ModifierResult::Kind::kValue)
            out.appendIter(name, operandIter(r.getValue().value));
        return Status::OK();
    }
    if (!createsAnything(node)) return Status::OK();
    if (hasPositionalChild(node)) {
        if (node.children.count("$"))
            return Status(ErrorCodes::BadValue,
                          "The positional operator did not find the match needed from the query.");
        return Status(ErrorCodes::BadValue, "The path '" + std::string(name) +
                                                "' must exist in the document in order to apply "
                                                "array updates.");
    }
    Status st = Status::OK();
    out.appendDocument(name, [&](BsonBuilder& sub) {
        for (const auto& [childName, child] : node.children) {
            if (!st.isOK()) return;
            st = createField(childName, child, sub);
        }
    });
    return st;
}

Status Applier::applyField(const bson_iter_t& it, std::string_view name, const UpdateNode& node,
                           BsonBuilder& out, bool inArray) {
    _path.push_back(name);
    Status st = applyFieldAt(it, name, node, out, inArray);
    _path.pop_back();
    return st;
}

Status Applier::applyFieldAt(const bson_iter_t& it, std::string_view name, const UpdateNode& node,
                             BsonBuilder& out, bool inArray) {
    if (node.op != Op::kNone) {
        auto r = applyModifier(node, &it, context(name));
        if (!r.isOK()) return r.getStatus();
        switch (r.getValue().kind) {
            case ModifierResult::Kind::kKeep:
                out.appendIter(name, it);
                break;
            case ModifierResult::Kind::kRemove:
                if (inArray) out.appendNull(name);  // $unset keeps array positions, as MongoDB
                break;
            case ModifierResult::Kind::kValue:
                out.appendIter(name, operandIter(r.getValue().value));
                break;
        }
        return Status::OK();
    }
    Status st = Status::OK();
    if (!BSON_ITER_HOLDS_ARRAY(&it) && hasPositionalChild(node)) return arrayUpdateOnNonArray(name);
    if (BSON_ITER_HOLDS_DOCUMENT(&it)) {
        bson_iter_t fields;
        if (!bson_iter_recurse(&it, &fields)) return Status(ErrorCodes::InvalidBSON, "bad document");
        out.appendDocument(name, [&](BsonBuilder& sub) { st = applyDocument(&fields, node, sub); });
    } else if (BSON_ITER_HOLDS_ARRAY(&it)) {
        out.appendArray(name, [&](BsonBuilder& sub) { st = applyArray(it, node, sub); });
    } else {
        if (!createsAnything(node)) {  // $unset below a scalar: nothing to remove
            out.appendIter(name, it);
            return Status::OK();
        }
        return Status(ErrorCodes::PathNotViable,
                      "Cannot create field '" + node.children.begin()->first +
                          "' in element {" + std::string(name) + ": <non-document value>}");
    }
    return st;
}

Status Applier::applyDocument(bson_iter_t* fields, const UpdateNode& node, BsonBuilder& out) {
    std::vector<const UpdateNode*> seen;
    if (fields) {
        bson_iter_t& it = *fields;
        while (bson_iter_next(&it)) {
            auto c = node.children.find(iterKey(it));
            if (c == node.children.end()) {
                out.appendIter(iterKey(it), it);
                continue;
            }
            seen.push_back(&c->second);
            MONGOSD_RETURN_IF_ERROR(applyField(it, iterKey(it), c->second, out, false));
        }
    }
    for (const auto& [name, child] : node.children) {
        if (std::find(seen.begin(), seen.end(), &child) != seen.end()) continue;
        MONGOSD_RETURN_IF_ERROR(createField(name, child, out));
    }
    return Status::OK();
}

StatusWith<std::vector<const UpdateNode*>> Applier::childrenFor(const UpdateNode& node,
                                                                uint32_t k,
                                                                const bson_iter_t& elem) const {
    std::vector<const UpdateNode*> out;
    char buf[16];
    auto exact = node.children.find(arrayIndexKey(k, buf));
    if (exact != node.children.end()) out.push_back(&exact->second);
    for (auto c = node.children.lower_bound("$"); c != node.children.end(); ++c) {
        std::string_view name = c->first;
        if (!isPositional(name)) break;
        if (name == "$") {
            if (!_matched)
                return Status(ErrorCodes::BadValue, "The positional operator did not find the "
                                                    "match needed from the query.");
            if (*_matched == k) out.push_back(&c->second);
        } else if (name == "$[]") {
            out.push_back(&c->second);
        } else {
            std::string_view id = name.substr(2, name.size() - 3);
            auto filter = _arrayFilters.find(id);
            invariant(filter != _arrayFilters.end());
            BsonBuilder wrapped;
            wrapped.appendIter(id, elem);
            if (filter->second->matches(wrapped.obj().view())) out.push_back(&c->second);
        }
    }
    return out;
}

// Several paths may address one element ("a.$" and "a.0", "a.$[]" and "a.$[x]"): like MongoDB,
// their subtrees merge into one, and two of them updating the same field is a conflict.
Status mergeInto(UpdateNode& into, const UpdateNode& from, const std::string& path) {
    if (into.op != Op::kNone || from.op != Op::kNone)
        return Status(ErrorCodes::ConflictingUpdateOperators,
                      "Update created a conflict at '" + path + "'");
    for (const auto& [name, child] : from.children) {
        if (mixesNodeKinds(into, name))
            return Status(ErrorCodes::ConflictingUpdateOperators,
                          "Update created a conflict at '" + path + "'");
        auto [pos, inserted] = into.children.try_emplace(name, child);
        if (!inserted) MONGOSD_RETURN_IF_ERROR(mergeInto(pos->second, child, path + "." + name));
    }
    return Status::OK();
}

Status Applier::applyElement(const bson_iter_t& elem, std::string_view key,
                             const std::vector<const UpdateNode*>& children, BsonBuilder& out) {
    if (children.size() == 1) return applyField(elem, key, *children[0], out, true);
    std::string path;
    for (std::string_view part : _path) path.append(part).append(".");
    path += key;
    UpdateNode merged = *children[0];
    for (size_t i = 1; i < children.size(); ++i)
        MONGOSD_RETURN_IF_ERROR(mergeInto(merged, *children[i], path));
    return applyField(elem, key, merged, out, true);
}

Status Applier::applyArray(const bson_iter_t& src, const UpdateNode& node, BsonBuilder& out) {
    for (const auto& [name, child] : node.children)
        if (FieldPath::arrayIndex(name) < 0 && !isPositional(name) && !onlyRenames(child))
            return Status(ErrorCodes::PathNotViable,
                          "Cannot create field '" + name + "' in an array element");
    if (node.children.count("$") && !_matched)
        return Status(ErrorCodes::BadValue,
                      "The positional operator did not find the match needed from the query.");
    bson_iter_t it;
    if (!bson_iter_recurse(&src, &it)) return Status(ErrorCodes::InvalidBSON, "bad array");
    uint32_t n = 0;
    char buf[16];
    while (bson_iter_next(&it)) {
        uint32_t k = n++;
        std::string_view key = arrayIndexKey(k, buf);
        auto children = childrenFor(node, k, it);
        if (!children.isOK()) return children.getStatus();
        if (children.getValue().empty())
            out.appendIter(key, it);
        else
            MONGOSD_RETURN_IF_ERROR(applyElement(it, key, children.getValue(), out));
    }
    // Positions past the end: pad with null up to the highest one that is set.
    long long highest = -1;
    for (const auto& [name, child] : node.children)
        if (createsInArray(child)) highest = std::max(highest, FieldPath::arrayIndex(name));
    for (long long i = n; i <= highest; ++i) {
        std::string_view key = arrayIndexKey(static_cast<uint32_t>(i), buf);
        auto c = node.children.find(key);
        if (c == node.children.end() || !createsInArray(c->second))
            out.appendNull(key);
        else
            MONGOSD_RETURN_IF_ERROR(createField(key, c->second, out));
    }
    return Status::OK();
}

Status checkIdUnchanged(BsonView before, BsonView after) {
    bson_iter_t a, b;
    bool hadId = before.find("_id", &a);
    bool hasId = after.find("_id", &b);
    if (hadId && (!hasId || !valuesEqual(a, b) || bson_iter_type(&a) != bson_iter_type(&b)))
        return Status(ErrorCodes::ImmutableField,
                      "Performing an update on the path '_id' would modify the immutable field "
                      "'_id'");
    return Status::OK();
}

struct OperatorName {
    const char* name;
    Op op;
};

constexpr OperatorName kOperators[] = {
    {"$set", Op::kSet},         {"$unset", Op::kUnset},
    {"$inc", Op::kInc},         {"$mul", Op::kMul},
    {"$min", Op::kMin},         {"$max", Op::kMax},
    {"$rename", Op::kRenameTo}, {"$currentDate", Op::kCurrentDate},
    {"$setOnInsert", Op::kSetOnInsert}, {"$push", Op::kPush},
    {"$addToSet", Op::kAddToSet}, {"$pop", Op::kPop},
    {"$pull", Op::kPull},       {"$pullAll", Op::kPullAll},
    {"$bit", Op::kBit},
};

// {$rename: {from: "to"}}: removes `from` and sets `to` to its value, as two trie leaves.
Status addRename(UpdateNode& root, const bson_iter_t& field, PathContext& ctx) {
    std::string_view from = iterKey(field);
    if (!BSON_ITER_HOLDS_UTF8(&field))
        return Status(ErrorCodes::BadValue, "The 'to' field for $rename must be a string: " +
                                                std::string(from));
    std::string_view to = bson_iter_utf8(&field, nullptr);
    auto onPath = [](std::string_view a, std::string_view b) {
        return a.size() < b.size() && b.substr(0, a.size()) == a && b[a.size()] == '.';
    };
    if (from.find('$') != std::string_view::npos || to.find('$') != std::string_view::npos)
        return Status(ErrorCodes::BadValue,
                      "The source and target field for $rename may not be dynamic: " +
                          std::string(from));
    if (from == to)
        return Status(ErrorCodes::BadValue, "The source and target field for $rename must "
                                            "differ: " + std::string(from));
    if (onPath(from, to) || onPath(to, from))
        return Status(ErrorCodes::BadValue, "The source and target field for $rename must "
                                            "not be on the same path: " + std::string(from));
    UpdateNode* leaf = nullptr;
    MONGOSD_RETURN_IF_ERROR(addPath(root, from, ctx, &leaf));
    leaf->op = Op::kRenameFrom;
    MONGOSD_RETURN_IF_ERROR(addPath(root, to, ctx, &leaf));
    leaf->op = Op::kRenameTo;
    BsonBuilder b;
    b.appendString("", from);
    leaf->operand = b.obj();
    ctx.renames.emplace_back(from, to);
    return Status::OK();
}

Status parseOperator(UpdateNode& root, std::string_view name, const bson_iter_t& operand,
                     PathContext& ctx) {
    const OperatorName* found = std::find_if(std::begin(kOperators), std::end(kOperators),
                                             [&](const OperatorName& o) { return name == o.name; });
    if (found == std::end(kOperators))
        return Status(ErrorCodes::FailedToParse, "Unknown modifier: " + std::string(name) +
                                                     ". Expected a valid update modifier or "
                                                     "pipeline-style update specified as an array");
    if (!BSON_ITER_HOLDS_DOCUMENT(&operand))
        return Status(ErrorCodes::FailedToParse,
                      "Modifiers operate on fields but we found a non-document for " +
                          std::string(name));
    bson_iter_t field;
    bson_iter_recurse(&operand, &field);
    while (bson_iter_next(&field)) {
        if (found->op == Op::kRenameTo) {
            MONGOSD_RETURN_IF_ERROR(addRename(root, field, ctx));
            continue;
        }
        UpdateNode* leaf = nullptr;
        MONGOSD_RETURN_IF_ERROR(addPath(root, iterKey(field), ctx, &leaf));
        MONGOSD_RETURN_IF_ERROR(parseModifier(found->op, field, *leaf));
    }
    return Status::OK();
}

bool isIdentifier(std::string_view id) {
    if (id.empty() || id[0] < 'a' || id[0] > 'z') return false;
    return std::all_of(id.begin(), id.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

// The identifier a filter document is about: the first component of every top-level field.
StatusWith<std::string> filterIdentifier(BsonView filter) {
    std::optional<std::string> id;
    bson_iter_t it;
    filter.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        std::string first(key.substr(0, key.find('.')));
        if (id && *id != first)
            return Status(ErrorCodes::FailedToParse,
                          "Error parsing array filter :: caused by :: Expected a single top-level "
                          "field name, found '" + *id + "' and '" + first + "'");
        id = first;
    }
    if (!id)
        return Status(ErrorCodes::FailedToParse,
                      "Cannot use an expression without a top-level field name in arrayFilters");
    if (!isIdentifier(*id))
        return Status(ErrorCodes::BadValue,
                      "Error parsing array filter :: caused by :: The top-level field name must "
                      "be an alphanumeric string beginning with a lowercase letter, found '" +
                          *id + "'");
    return *id;
}

StatusWith<ArrayFilterMap> parseArrayFilters(BsonView filters) {
    ArrayFilterMap out;
    bson_iter_t it;
    filters.iterInit(&it);
    while (bson_iter_next(&it)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&it))
            return Status(ErrorCodes::TypeMismatch, "Each array filter must be an object");
        auto id = filterIdentifier(subDocument(it));
        if (!id.isOK()) return id.getStatus();
        auto matcher = parseFilter(subDocument(it));
        if (!matcher.isOK()) return matcher.getStatus();
        auto [_, inserted] = out.emplace(id.getValue(), std::move(matcher.getValue()));
        if (!inserted)
            return Status(ErrorCodes::FailedToParse,
                          "Found multiple array filters with the same top-level field name " +
                              id.getValue());
    }
    return out;
}

Status validateReplacement(BsonView doc) {
    bson_iter_t it;
    doc.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view k = iterKey(it);
        if (!k.empty() && k[0] == '$')
            return Status(ErrorCodes::DollarPrefixedFieldName,
                          "The dollar ($) prefixed field '" + std::string(k) +
                              "' in a replacement document is not valid for storage.");
    }
    return Status::OK();
}

// Puts _id first: the replacement's own, else the original's.
BsonObj withIdFirst(BsonView replacement, BsonView original) {
    BsonBuilder b;
    bson_iter_t id;
    if (replacement.find("_id", &id) || original.find("_id", &id)) b.appendIter("_id", id);
    bson_iter_t it;
    replacement.iterInit(&it);
    while (bson_iter_next(&it))
        if (iterKey(it) != "_id") b.appendIter(iterKey(it), it);
    return b.obj();
}

}  // namespace

StatusWith<UpdateSpec> UpdateSpec::parse(BsonView update, std::optional<BsonView> arrayFilters) {
    UpdateSpec spec;
    if (arrayFilters) {
        auto filters = parseArrayFilters(*arrayFilters);
        if (!filters.isOK()) return filters.getStatus();
        spec._arrayFilters = std::move(filters.getValue());
    }
    std::string_view first = update.firstFieldName();
    if (first.empty() || first[0] != '$') {
        if (!spec._arrayFilters.empty())
            return Status(ErrorCodes::FailedToParse,
                          "arrayFilters may not be specified for replacement-style updates");
        MONGOSD_RETURN_IF_ERROR(validateReplacement(update));
        spec._replacement = BsonObj::copyOf(update);
        return spec;
    }
    PathContext ctx{&spec._arrayFilters, {}, false};
    bson_iter_t it;
    update.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view name = iterKey(it);
        if (name.empty() || name[0] != '$')
            return Status(ErrorCodes::FailedToParse,
                          "Unknown modifier: " + std::string(name) +
                              ". An update document mixes operators and plain fields");
        MONGOSD_RETURN_IF_ERROR(parseOperator(spec._root, name, it, ctx));
    }
    for (const auto& [id, _] : spec._arrayFilters)
        if (!ctx.usedIdentifiers.count(id))
            return Status(ErrorCodes::FailedToParse,
                          "The array filter for identifier '" + id +
                              "' was not used in the update document");
    spec._positional = ctx.positional;
    spec._renames = std::move(ctx.renames);
    return spec;
}

StatusWith<UpdateSpec> UpdateSpec::parsePipeline(BsonView stages) {
    auto p = Pipeline::parse(stages, PipelineParseOptions{PipelineKind::kUpdate, {}});
    if (!p.isOK()) return p.getStatus();
    UpdateSpec spec;
    spec._pipeline = std::make_shared<const Pipeline>(std::move(p.getValue()));
    return spec;
}

StatusWith<BsonObj> UpdateSpec::applyPipeline(BsonView doc) const {
    auto out = runPipelineOn(*_pipeline, doc);
    if (!out.isOK()) return out.getStatus();
    // Every stage an update pipeline allows maps one document to exactly one.
    invariant(out.getValue().size() == 1);
    return withIdFirst(out.getValue().front().view(), doc);
}

StatusWith<BsonObj> UpdateSpec::apply(BsonView doc, std::optional<size_t> matchedPosition) const {
    return applyOperators(doc, false, matchedPosition);
}

StatusWith<BsonObj> UpdateSpec::applyOperators(BsonView doc, bool upsertInsert,
                                               std::optional<size_t> matchedPosition) const {
    BsonObj result;
    if (_replacement) {
        result = withIdFirst(_replacement->view(), doc);
    } else if (_pipeline) {
        auto piped = applyPipeline(doc);
        if (!piped.isOK()) return piped;
        result = std::move(piped.getValue());
    } else {
        bson_iter_t root;
        if (!doc.iterInit(&root)) return Status(ErrorCodes::InvalidBSON, "bad document");
        for (const auto& [from, to] : _renames) MONGOSD_RETURN_IF_ERROR(checkRename(doc, from, to));
        BsonBuilder out;
        auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch());
        Applier applier(doc, upsertInsert, now.count(), matchedPosition, _arrayFilters);
        MONGOSD_RETURN_IF_ERROR(applier.applyDocument(&root, _root, out));
        result = out.obj();
    }
    MONGOSD_RETURN_IF_ERROR(checkIdUnchanged(doc, result));
    if (result.size() > kMaxUserBsonSize)
        return Status(ErrorCodes::BSONObjectTooLarge, "update would make the document exceed 16 MiB");
    MONGOSD_RETURN_IF_ERROR(checkDepth(result));
    return result;
}

StatusWith<BsonObj> UpdateSpec::applyForUpsert(BsonView filter, const bson_oid_t& newId) const {
    BsonBuilder seed;
    bson_iter_t it;
    filter.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view k = iterKey(it);
        if (k.empty() || k[0] == '$' || k.find('.') != std::string_view::npos) continue;
        if (BSON_ITER_HOLDS_DOCUMENT(&it)) {
            bson_iter_t op;
            bson_iter_recurse(&it, &op);
            if (bson_iter_next(&op) && bson_iter_key(&op)[0] == '$') {
                if (iterKey(op) == "$eq") seed.appendIter(k, op);
                continue;
            }
        }
        seed.appendIter(k, it);
    }
    BsonObj base = seed.obj();
    BsonObj doc;
    if (_replacement) {
        doc = withIdFirst(_replacement->view(), base);
    } else {
        // Operators and pipelines alike apply to the seed.
        auto applied = applyOperators(base, true, std::nullopt);
        if (!applied.isOK()) return applied;
        doc = std::move(applied.getValue());
    }
    if (doc.view().hasField("_id")) return doc;
    BsonBuilder withId;
    withId.appendOid("_id", newId);
    withId.appendAll(doc);
    return withId.obj();
}

}  // namespace mongosd::query
