#include "query/update.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "common/bson_compare.h"
#include "query/field_path.h"

namespace mongosd::query {
namespace {

using Op = UpdateNode::Op;

bson_iter_t operandIter(const BsonObj& holder) {
    bson_iter_t it;
    bool ok = holder.view().iterInit(&it) && bson_iter_next(&it);
    invariant(ok);
    return it;
}

bool isNumber(const bson_iter_t& it) {
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DOUBLE:
            return true;
        default:
            return false;
    }
}

Status conflict(std::string_view path, std::string_view at) {
    return Status(ErrorCodes::ConflictingUpdateOperators,
                  "Updating the path '" + std::string(path) + "' would create a conflict at '" +
                      std::string(at) + "'");
}

Status addPath(UpdateNode& root, std::string_view dotted, Op op, BsonObj operand) {
    auto path = FieldPath::parse(dotted);
    if (!path.isOK()) return path.getStatus();
    const FieldPath& fp = path.getValue();
    UpdateNode* node = &root;
    std::string prefix;
    for (size_t i = 0; i < fp.size(); ++i) {
        if (i) prefix += '.';
        prefix += fp.part(i);
        auto [pos, inserted] = node->children.try_emplace(std::string(fp.part(i)));
        node = &pos->second;
        bool last = i + 1 == fp.size();
        if (!inserted && (node->op != Op::kNone || (last && !node->children.empty())))
            return conflict(dotted, prefix);
    }
    node->op = op;
    node->operand = std::move(operand);
    return Status::OK();
}

// $inc: the sum keeps the widest type involved; int32 overflow widens to int64, int64 overflow
// is an error (as MongoDB).
StatusWith<BsonObj> addNumbers(const bson_iter_t& a, const bson_iter_t& b) {
    BsonBuilder out;
    bson_type_t ta = bson_iter_type(&a), tb = bson_iter_type(&b);
    if (ta == BSON_TYPE_DOUBLE || tb == BSON_TYPE_DOUBLE) {
        out.appendDouble("", bson_iter_as_double(&a) + bson_iter_as_double(&b));
    } else {
        int64_t x = bson_iter_as_int64(&a), y = bson_iter_as_int64(&b), sum = 0;
        if (__builtin_add_overflow(x, y, &sum))
            return Status(ErrorCodes::BadValue, "Failed to apply $inc: the result overflows int64");
        bool bothInt32 = ta == BSON_TYPE_INT32 && tb == BSON_TYPE_INT32;
        if (bothInt32 && sum >= std::numeric_limits<int32_t>::min() &&
            sum <= std::numeric_limits<int32_t>::max())
            out.appendInt32("", static_cast<int32_t>(sum));
        else
            out.appendInt64("", sum);
    }
    return out.obj();
}

class Applier {
public:
    // `fields` is positioned before the first field of the source document (null: empty).
    Status applyDocument(bson_iter_t* fields, const UpdateNode& node, BsonBuilder& out);
    Status applyArray(const bson_iter_t& src, const UpdateNode& node, BsonBuilder& out);

private:
    Status applyField(const bson_iter_t& it, std::string_view name, const UpdateNode& node,
                      BsonBuilder& out, bool inArray);
    Status createField(std::string_view name, const UpdateNode& node, BsonBuilder& out);
};

// True when the subtree sets something (a pure-$unset subtree creates nothing).
bool createsAnything(const UpdateNode& node) {
    if (node.op == Op::kSet || node.op == Op::kInc) return true;
    for (const auto& [_, c] : node.children)
        if (createsAnything(c)) return true;
    return false;
}

Status Applier::createField(std::string_view name, const UpdateNode& node, BsonBuilder& out) {
    switch (node.op) {
        case Op::kSet:
        case Op::kInc:
            out.appendIter(name, operandIter(node.operand));
            return Status::OK();
        case Op::kUnset:
            return Status::OK();
        case Op::kNone:
            break;
    }
    if (!createsAnything(node)) return Status::OK();
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
    switch (node.op) {
        case Op::kSet:
            out.appendIter(name, operandIter(node.operand));
            return Status::OK();
        case Op::kUnset:
            if (inArray) out.appendNull(name);  // $unset keeps array positions, as MongoDB
            return Status::OK();
        case Op::kInc: {
            bson_iter_t delta = operandIter(node.operand);
            if (!isNumber(it))
                return Status(ErrorCodes::TypeMismatch,
                              "Cannot apply $inc to a value of non-numeric type: field '" +
                                  std::string(name) + "'");
            auto sum = addNumbers(it, delta);
            if (!sum.isOK()) return sum.getStatus();
            out.appendIter(name, operandIter(sum.getValue()));
            return Status::OK();
        }
        case Op::kNone:
            break;
    }
    Status st = Status::OK();
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

Status Applier::applyArray(const bson_iter_t& src, const UpdateNode& node, BsonBuilder& out) {
    for (const auto& [name, _] : node.children)
        if (FieldPath::arrayIndex(name) < 0)
            return Status(ErrorCodes::PathNotViable,
                          "Cannot create field '" + name + "' in an array element");
    bson_iter_t it;
    if (!bson_iter_recurse(&src, &it)) return Status(ErrorCodes::InvalidBSON, "bad array");
    uint32_t n = 0;
    char buf[16];
    while (bson_iter_next(&it)) {
        std::string_view key = arrayIndexKey(n++, buf);
        auto c = node.children.find(key);
        if (c == node.children.end())
            out.appendIter(key, it);
        else
            MONGOSD_RETURN_IF_ERROR(applyField(it, key, c->second, out, true));
    }
    // Positions past the end: pad with null up to the highest one that is set.
    long long highest = -1;
    for (const auto& [name, child] : node.children)
        if (createsAnything(child)) highest = std::max(highest, FieldPath::arrayIndex(name));
    for (long long i = n; i <= highest; ++i) {
        std::string_view key = arrayIndexKey(static_cast<uint32_t>(i), buf);
        auto c = node.children.find(key);
        if (c == node.children.end() || !createsAnything(c->second))
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

Status parseOperator(UpdateNode& root, std::string_view name, const bson_iter_t& operand) {
    Op op;
    if (name == "$set")
        op = Op::kSet;
    else if (name == "$unset")
        op = Op::kUnset;
    else if (name == "$inc")
        op = Op::kInc;
    else
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
        if (op == Op::kInc && !isNumber(field))
            return Status(ErrorCodes::TypeMismatch, "Cannot increment with non-numeric argument: {" +
                                                        std::string(iterKey(field)) + ": ...}");
        MONGOSD_RETURN_IF_ERROR(addPath(root, iterKey(field), op, copyValue(field)));
    }
    return Status::OK();
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

StatusWith<UpdateSpec> UpdateSpec::parse(BsonView update) {
    UpdateSpec spec;
    std::string_view first = update.firstFieldName();
    if (first.empty() || first[0] != '$') {
        MONGOSD_RETURN_IF_ERROR(validateReplacement(update));
        spec._replacement = BsonObj::copyOf(update);
        return spec;
    }
    bson_iter_t it;
    update.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view name = iterKey(it);
        if (name.empty() || name[0] != '$')
            return Status(ErrorCodes::FailedToParse,
                          "Unknown modifier: " + std::string(name) +
                              ". An update document mixes operators and plain fields");
        MONGOSD_RETURN_IF_ERROR(parseOperator(spec._root, name, it));
    }
    return spec;
}

StatusWith<BsonObj> UpdateSpec::apply(BsonView doc) const {
    BsonObj result;
    if (_replacement) {
        result = withIdFirst(_replacement->view(), doc);
    } else {
        bson_iter_t root;
        if (!doc.iterInit(&root)) return Status(ErrorCodes::InvalidBSON, "bad document");
        BsonBuilder out;
        Applier applier;
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
        auto applied = apply(base);
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
