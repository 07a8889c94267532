#include "query/match_tree.h"

#include <cstring>

namespace mongosd::query {
namespace {

bool findField(const bson_iter_t& container, std::string_view name, bson_iter_t* out) {
    bson_iter_t child;
    if (!bson_iter_recurse(&container, &child)) return false;
    while (bson_iter_next(&child)) {
        if (bson_iter_key_len(&child) == name.size() &&
            std::memcmp(bson_iter_key(&child), name.data(), name.size()) == 0) {
            *out = child;
            return true;
        }
    }
    return false;
}

bool matchPath(const bson_iter_t& container, const FieldPath& path, size_t i,
               const ValuePredicate& pred);

bool matchLeaf(const bson_iter_t& value, const ValuePredicate& pred) {
    if (pred.test(value)) return true;
    if (!BSON_ITER_HOLDS_ARRAY(&value) || !pred.expandsLeafArray()) return false;
    // An array leaf also matches when any element matches (one level, as MongoDB).
    bson_iter_t elem;
    if (!bson_iter_recurse(&value, &elem)) return false;
    while (bson_iter_next(&elem))
        if (pred.test(elem)) return true;
    return false;
}

// `value` is what path[i-1] reached; i == path.size() means it is the leaf.
bool matchReached(const bson_iter_t& value, const FieldPath& path, size_t i,
                  const ValuePredicate& pred) {
    if (i == path.size()) return matchLeaf(value, pred);
    if (BSON_ITER_HOLDS_DOCUMENT(&value)) return matchPath(value, path, i, pred);
    if (!BSON_ITER_HOLDS_ARRAY(&value)) return pred.matchesMissing();

    // Array in the middle of a path: a numeric component may address a position; otherwise
    // the rest of the path applies to each embedded-document element.
    bool anyDocument = false;
    if (FieldPath::arrayIndex(path.part(i)) >= 0) {
        bson_iter_t pos;
        if (findField(value, path.part(i), &pos) && matchReached(pos, path, i + 1, pred))
            return true;
    }
    bson_iter_t elem;
    if (!bson_iter_recurse(&value, &elem)) return false;
    while (bson_iter_next(&elem)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&elem)) continue;
        anyDocument = true;
        if (matchPath(elem, path, i, pred)) return true;
    }
    return !anyDocument && pred.matchesMissing();
}

bool matchPath(const bson_iter_t& container, const FieldPath& path, size_t i,
               const ValuePredicate& pred) {
    bson_iter_t field;
    if (!findField(container, path.part(i), &field)) return pred.matchesMissing();
    return matchReached(field, path, i + 1, pred);
}

}  // namespace

bool PathMatch::matches(BsonView doc) const {
    bson_iter_t field;
    if (!doc.find(_path.part(0), &field)) return _pred->matchesMissing();
    return matchReached(field, _path, 1, *_pred);
}

bool AndMatch::matches(BsonView doc) const {
    for (const auto& c : _children)
        if (!c->matches(doc)) return false;
    return true;
}

bool AndMatch::matchesElement(const bson_iter_t& value) const {
    for (const auto& c : _children)
        if (!c->matchesElement(value)) return false;
    return true;
}

bool OrMatch::matches(BsonView doc) const {
    for (const auto& c : _children)
        if (c->matches(doc)) return true;
    return false;
}

bool OrMatch::matchesElement(const bson_iter_t& value) const {
    for (const auto& c : _children)
        if (c->matchesElement(value)) return true;
    return false;
}

bool NorMatch::matches(BsonView doc) const {
    for (const auto& c : _children)
        if (c->matches(doc)) return false;
    return true;
}

bool NorMatch::matchesElement(const bson_iter_t& value) const {
    for (const auto& c : _children)
        if (c->matchesElement(value)) return false;
    return true;
}

}  // namespace mongosd::query
