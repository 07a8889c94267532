#include "query/projection.h"

#include "query/field_path.h"

namespace mongosd::query {
namespace {

// true: include, false: exclude; error for values that are neither.
StatusWith<bool> projectionFlag(const bson_iter_t& it) {
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_BOOL:
            return bson_iter_bool(&it);
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DOUBLE:
            return bson_iter_as_double(&it) != 0;
        default:
            return Status(ErrorCodes::BadValue,
                          "projection value for '" + std::string(iterKey(it)) +
                              "' must be a number or boolean (expression projections are not "
                              "supported yet)");
    }
}

void applyNode(bson_iter_t* fields, const Projection::Node& node, bool inclusion,
               BsonBuilder& out);

// Applies the sub-projection `node` to one value: documents recurse, arrays apply to each
// document element (MongoDB drops non-document elements under an inclusion).
void applyValue(const bson_iter_t& it, std::string_view name, const Projection::Node& node,
                bool inclusion, BsonBuilder& out) {
    if (BSON_ITER_HOLDS_DOCUMENT(&it)) {
        bson_iter_t sub;
        bson_iter_recurse(&it, &sub);
        out.appendDocument(name, [&](BsonBuilder& b) { applyNode(&sub, node, inclusion, b); });
    } else if (BSON_ITER_HOLDS_ARRAY(&it)) {
        bson_iter_t elem;
        bson_iter_recurse(&it, &elem);
        out.appendArray(name, [&](BsonBuilder& arr) {
            uint32_t n = 0;
            char buf[16];
            while (bson_iter_next(&elem)) {
                if (BSON_ITER_HOLDS_DOCUMENT(&elem) || BSON_ITER_HOLDS_ARRAY(&elem))
                    applyValue(elem, arrayIndexKey(n++, buf), node, inclusion, arr);
                else if (!inclusion)
                    arr.appendIter(arrayIndexKey(n++, buf), elem);
            }
        });
    } else if (!inclusion) {
        out.appendIter(name, it);
    }
}

void applyNode(bson_iter_t* fields, const Projection::Node& node, bool inclusion,
               BsonBuilder& out) {
    while (bson_iter_next(fields)) {
        auto c = node.children.find(iterKey(*fields));
        if (c == node.children.end()) {
            if (!inclusion) out.appendIter(iterKey(*fields), *fields);
            continue;
        }
        if (c->second.leaf) {
            if (inclusion) out.appendIter(iterKey(*fields), *fields);
            continue;
        }
        applyValue(*fields, iterKey(*fields), c->second, inclusion, out);
    }
}

}  // namespace

StatusWith<Projection> Projection::parse(BsonView spec, ProjectionPolicy policy) {
    (void)policy;  // both languages agree on inclusion/exclusion flags
    Projection p;
    bool sawInclude = false, sawExclude = false, sawId = false;
    bson_iter_t it;
    spec.iterInit(&it);
    while (bson_iter_next(&it)) {
        auto flag = projectionFlag(it);
        if (!flag.isOK()) return flag.getStatus();
        std::string_view key = iterKey(it);
        if (key == "_id") {
            p._includeId = flag.getValue();
            sawId = true;
            continue;
        }
        (flag.getValue() ? sawInclude : sawExclude) = true;
        auto path = FieldPath::parse(key);
        if (!path.isOK()) return path.getStatus();
        Node* node = &p._root;
        for (size_t i = 0; i < path.getValue().size(); ++i) {
            node = &node->children[std::string(path.getValue().part(i))];
            if (node->leaf)
                return Status(ErrorCodes::BadValue, "Path collision at " + std::string(key));
        }
        if (!node->children.empty())
            return Status(ErrorCodes::BadValue, "Path collision at " + std::string(key));
        node->leaf = true;
    }
    if (sawInclude && sawExclude)
        return Status(ErrorCodes::BadValue,
                      "Cannot do exclusion on a field in an inclusion projection");
    // {_id: 1} alone is an inclusion projection of just _id.
    p._inclusion = sawInclude || (!sawExclude && sawId && p._includeId);
    return p;
}

StatusWith<BsonObj> Projection::apply(BsonView doc, const ProjectionContext& ctx) const {
    (void)ctx;  // flags need neither a matched position nor variables
    if (isIdentity()) return BsonObj::copyOf(doc);
    BsonBuilder out;
    bson_iter_t it;
    doc.iterInit(&it);
    if (_inclusion && _includeId) {
        bson_iter_t id;
        if (doc.find("_id", &id)) out.appendIter("_id", id);
    }
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (key == "_id") {
            if (!_inclusion && _includeId) out.appendIter(key, it);
            continue;
        }
        auto c = _root.children.find(key);
        if (c == _root.children.end()) {
            if (!_inclusion) out.appendIter(key, it);
            continue;
        }
        if (c->second.leaf) {
            if (_inclusion) out.appendIter(key, it);
            continue;
        }
        applyValue(it, key, c->second, _inclusion, out);
    }
    return out.obj();
}

}  // namespace mongosd::query
