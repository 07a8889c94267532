// $addFields / $set: computed fields merged into the document. The spec is a tree of path
// components ({"a.b": e} and {a: {b: e}} are the same node); every expression sees the input
// document, existing fields keep their place and new ones follow in spec order. A leaf that
// evaluates to missing ($$REMOVE) removes the field. Through an array, a nested node applies
// to each element (a non-document element is replaced by the computed sub-document), as
// MongoDB does. Also the update pipelines' $set/$addFields.
#include "query/field_path.h"
#include "query/pipeline_internal.h"

namespace mongosd::query {
namespace {

using Source = std::unique_ptr<DocumentSource>;
using MaybeDoc = StatusWith<std::optional<BsonObj>>;

struct FieldNode {
    std::shared_ptr<const Expression> expr;  // set on leaves
    std::string name;                        // the path component (empty at the root)
    std::vector<FieldNode> children;         // in spec order

    FieldNode* child(std::string_view part) {
        for (auto& c : children)
            if (c.name == part) return &c;
        return nullptr;
    }
};

Status pathCollision(std::string_view path) {
    return stageError(ErrorCodes::Location31250,
                      "Invalid $addFields :: caused by :: Path "
                      "collision at " +
                          std::string(path));
}

// Whether `it` holds a nested field specification rather than an expression.
bool isNestedSpec(const bson_iter_t& it) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&it)) return false;
    BsonView d = subDocument(it);
    std::string_view first = d.firstFieldName();
    return !first.empty() && first[0] != '$';
}

Status addFields(FieldNode& root, BsonView spec, const StageParseContext& ctx);

Status addField(FieldNode& root, const bson_iter_t& it, const StageParseContext& ctx) {
    auto path = FieldPath::parse(iterKey(it));
    if (!path.isOK()) return path.getStatus();
    FieldNode* node = &root;
    for (size_t i = 0; i < path.getValue().size(); ++i) {
        std::string_view part = path.getValue().part(i);
        FieldNode* next = node->child(part);
        if (!next) {
            node->children.push_back(FieldNode{nullptr, std::string(part), {}});
            next = &node->children.back();
        }
        node = next;
        if (node->expr) return pathCollision(path.getValue().dotted());
    }
    if (isNestedSpec(it)) return addFields(*node, subDocument(it), ctx);
    if (!node->children.empty()) return pathCollision(path.getValue().dotted());
    auto e = parseStageExpression(it, ctx);
    if (!e.isOK()) return e.getStatus();
    node->expr = std::move(e.getValue());
    return Status::OK();
}

Status addFields(FieldNode& root, BsonView spec, const StageParseContext& ctx) {
    bson_iter_t it;
    spec.iterInit(&it);
    while (bson_iter_next(&it)) MONGOSD_RETURN_IF_ERROR(addField(root, it, ctx));
    return Status::OK();
}

Status applyNode(const FieldNode& node, BsonView in, const Variables& vars, BsonBuilder& out);

Status applyToArray(const FieldNode& node, const bson_iter_t& arr, const Variables& vars,
                    BsonBuilder& out) {
    bson_iter_t el;
    bson_iter_recurse(&arr, &el);
    char buf[16];
    uint32_t i = 0;
    Status st = Status::OK();
    while (bson_iter_next(&el) && st.isOK()) {
        std::string_view key = arrayIndexKey(i++, buf);
        if (BSON_ITER_HOLDS_ARRAY(&el)) {
            out.appendArray(key, [&](BsonBuilder& b) { st = applyToArray(node, el, vars, b); });
        } else {
            BsonView sub = BSON_ITER_HOLDS_DOCUMENT(&el) ? subDocument(el) : BsonView();
            out.appendDocument(key, [&](BsonBuilder& b) { st = applyNode(node, sub, vars, b); });
        }
    }
    return st;
}

// Appends the field `key` as `node` computes it from the existing value (null when absent).
Status emitField(const FieldNode& node, std::string_view key, const bson_iter_t* existing,
                 const Variables& vars, BsonBuilder& out) {
    if (node.expr) {
        auto v = node.expr->evaluate(vars);
        if (!v.isOK()) return v.getStatus();
        v.getValue().appendTo(out, key);
        return Status::OK();
    }
    Status st = Status::OK();
    if (existing && BSON_ITER_HOLDS_ARRAY(existing)) {
        out.appendArray(key, [&](BsonBuilder& b) { st = applyToArray(node, *existing, vars, b); });
        return st;
    }
    BsonView sub =
        existing && BSON_ITER_HOLDS_DOCUMENT(existing) ? subDocument(*existing) : BsonView();
    out.appendDocument(key, [&](BsonBuilder& b) { st = applyNode(node, sub, vars, b); });
    return st;
}

Status applyNode(const FieldNode& node, BsonView in, const Variables& vars, BsonBuilder& out) {
    std::vector<bool> done(node.children.size(), false);
    bson_iter_t it;
    in.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        const FieldNode* c = nullptr;
        for (size_t i = 0; i < node.children.size() && !c; ++i) {
            if (node.children[i].name != key) continue;
            c = &node.children[i];
            done[i] = true;
        }
        if (!c) {
            out.appendIter(key, it);
            continue;
        }
        MONGOSD_RETURN_IF_ERROR(emitField(*c, key, &it, vars, out));
    }
    for (size_t i = 0; i < node.children.size(); ++i)
        if (!done[i])
            MONGOSD_RETURN_IF_ERROR(
                emitField(node.children[i], node.children[i].name, nullptr, vars, out));
    return Status::OK();
}

class AddFieldsSpec final : public StageSpec {
public:
    explicit AddFieldsSpec(FieldNode root) : _root(std::move(root)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        return std::make_unique<MapStage>(
            std::move(input), [this, ctx](const BsonObj& d) -> MaybeDoc {
                Variables vars = documentVariables(d.view(), ctx);
                BsonBuilder out;
                MONGOSD_RETURN_IF_ERROR(applyNode(_root, d.view(), vars, out));
                return std::optional<BsonObj>(out.obj());
            });
    }

private:
    FieldNode _root;
};

StatusWith<StagePtr> parseAddFields(const bson_iter_t& arg, const StageParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location40272,
                          "$addFields specification stage must be an object");
    FieldNode root;
    MONGOSD_RETURN_IF_ERROR(addFields(root, subDocument(arg), ctx));
    return StagePtr(std::make_shared<AddFieldsSpec>(std::move(root)));
}

}  // namespace

void registerAddFieldsStages() {
    registerStage("$addFields", parseAddFields);
    registerStage("$set", parseAddFields);
}

}  // namespace mongosd::query
