#include "query/match_tree.h"

#include <cstring>
#include <optional>

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

// When `pos` is given, a match through an array records the matching element's position there
// (the outermost array's position wins, as it is written last): MongoDB's elemMatchKey, which
// the positional '$' update operator addresses.
bool matchPath(const bson_iter_t& container, const FieldPath& path, size_t i,
               const ValuePredicate& pred, std::optional<size_t>* pos);

bool matchLeaf(const bson_iter_t& value, const ValuePredicate& pred, std::optional<size_t>* pos) {
    if (pos && !pred.expandsLeafArray()) {
        if (auto k = pred.matchingElement(value)) {
            *pos = *k;
            return true;
        }
    }
    if (pred.test(value)) return true;
    if (!BSON_ITER_HOLDS_ARRAY(&value) || !pred.expandsLeafArray()) return false;
    // An array leaf also matches when any element matches (one level, as MongoDB).
    bson_iter_t elem;
    if (!bson_iter_recurse(&value, &elem)) return false;
    for (size_t k = 0; bson_iter_next(&elem); ++k) {
        if (!pred.test(elem)) continue;
        if (pos) *pos = k;
        return true;
    }
    return false;
}

// `value` is what path[i-1] reached; i == path.size() means it is the leaf.
bool matchReached(const bson_iter_t& value, const FieldPath& path, size_t i,
                  const ValuePredicate& pred, std::optional<size_t>* pos) {
    if (i == path.size()) return matchLeaf(value, pred, pos);
    if (BSON_ITER_HOLDS_DOCUMENT(&value)) return matchPath(value, path, i, pred, pos);
    if (!BSON_ITER_HOLDS_ARRAY(&value)) return pred.matchesMissing();

    // Array in the middle of a path: a numeric component may address a position; otherwise
    // the rest of the path applies to each embedded-document element.
    bool anyDocument = false;
    if (FieldPath::arrayIndex(path.part(i)) >= 0) {
        bson_iter_t picked;
        if (findField(value, path.part(i), &picked) &&
            matchReached(picked, path, i + 1, pred, nullptr))
            return true;
    }
    bson_iter_t elem;
    if (!bson_iter_recurse(&value, &elem)) return false;
    for (size_t k = 0; bson_iter_next(&elem); ++k) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&elem)) continue;
        anyDocument = true;
        if (!matchPath(elem, path, i, pred, pos)) continue;
        if (pos) *pos = k;
        return true;
    }
    return !anyDocument && pred.matchesMissing();
}

bool matchPath(const bson_iter_t& container, const FieldPath& path, size_t i,
               const ValuePredicate& pred, std::optional<size_t>* pos) {
    bson_iter_t field;
    if (!findField(container, path.part(i), &field)) return pred.matchesMissing();
    return matchReached(field, path, i + 1, pred, pos);
}

}  // namespace

bool PathMatch::matches(BsonView doc) const { return matchesRecordingPosition(doc, nullptr); }

bool PathMatch::matchesRecordingPosition(BsonView doc, std::optional<size_t>* pos) const {
    bson_iter_t field;
    if (!doc.find(_path.part(0), &field)) return _pred->matchesMissing();
    return matchReached(field, _path, 1, *_pred, pos);
}

bool AndMatch::matchesRecordingPosition(BsonView doc, std::optional<size_t>* pos) const {
    for (const auto& c : _children)
        if (!c->matchesRecordingPosition(doc, pos)) return false;
    return true;
}

bool AndMatch::matchesReportingError(BsonView doc, std::optional<size_t>* pos,
                                     Status* error) const {
    for (const auto& c : _children)
        if (!c->matchesReportingError(doc, pos, error)) return false;
    return true;
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

bool OrMatch::matchesReportingError(BsonView doc, std::optional<size_t>*, Status* error) const {
    for (const auto& c : _children) {
        if (c->matchesReportingError(doc, nullptr, error)) return true;
        if (!error->isOK()) return false;
    }
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

bool NorMatch::matchesReportingError(BsonView doc, std::optional<size_t>*, Status* error) const {
    for (const auto& c : _children) {
        if (c->matchesReportingError(doc, nullptr, error)) return false;
        if (!error->isOK()) return false;
    }
    return true;
}

bool NorMatch::matchesElement(const bson_iter_t& value) const {
    for (const auto& c : _children)
        if (c->matchesElement(value)) return false;
    return true;
}

}  // namespace mongosd::query
