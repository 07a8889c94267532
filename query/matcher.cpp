#include "query/matcher.h"

#include <cstring>
#include <string>

#include "common/bson_compare.h"

namespace mongosd::query {
namespace {

// A predicate on one value reached by a path; `matchesMissing` answers for a path that reaches
// nothing (only equality to null says yes).
class ValuePredicate {
public:
    virtual ~ValuePredicate() = default;
    virtual bool test(const bson_iter_t& value) const = 0;
    virtual bool matchesMissing() const = 0;
};

class EqualsPredicate final : public ValuePredicate {
public:
    explicit EqualsPredicate(BsonObj holder) : _holder(std::move(holder)) {
        bool ok = _holder.view().iterInit(&_value) && bson_iter_next(&_value);
        invariant(ok);
        _isNull = bson_iter_type(&_value) == BSON_TYPE_NULL;
    }
    bool test(const bson_iter_t& v) const override {
        if (_isNull && bson_iter_type(&v) == BSON_TYPE_UNDEFINED) return true;
        return valuesEqual(v, _value);
    }
    bool matchesMissing() const override { return _isNull; }

private:
    BsonObj _holder;  // {"": value}
    bson_iter_t _value;
    bool _isNull = false;
};

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

// Tests the value at path[i..] below `container` (a document or array iterator). When `pos` is
// given, a match through an array records the matching element's position there (the
// outermost array's position wins, as it is written last).
bool matchPath(const bson_iter_t& container, const FieldPath& path, size_t i,
               const ValuePredicate& pred, std::optional<size_t>* pos);

// `value` is what path[i-1] reached; i == path.size() means it is the leaf.
bool matchReached(const bson_iter_t& value, const FieldPath& path, size_t i,
                  const ValuePredicate& pred, std::optional<size_t>* pos) {
    if (i == path.size()) {
        if (pred.test(value)) return true;
        if (!BSON_ITER_HOLDS_ARRAY(&value)) return false;
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

class PathMatch final : public MatchExpression {
public:
    PathMatch(FieldPath path, std::unique_ptr<ValuePredicate> pred)
        : _path(std::move(path)), _pred(std::move(pred)) {}
    bool matches(BsonView doc) const override { return matchesRecordingPosition(doc, nullptr); }
    bool matchesRecordingPosition(BsonView doc, std::optional<size_t>* pos) const override {
        bson_iter_t field;
        if (!doc.find(_path.part(0), &field)) return _pred->matchesMissing();
        return matchReached(field, _path, 1, *_pred, pos);
    }

private:
    FieldPath _path;
    std::unique_ptr<ValuePredicate> _pred;
};

class AndMatch final : public MatchExpression {
public:
    void add(std::unique_ptr<MatchExpression> e) { _children.push_back(std::move(e)); }
    bool matches(BsonView doc) const override {
        for (const auto& c : _children)
            if (!c->matches(doc)) return false;
        return true;
    }
    bool matchesRecordingPosition(BsonView doc, std::optional<size_t>* pos) const override {
        for (const auto& c : _children)
            if (!c->matchesRecordingPosition(doc, pos)) return false;
        return true;
    }

private:
    std::vector<std::unique_ptr<MatchExpression>> _children;
};

bool isOperatorObject(const bson_iter_t& it) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&it)) return false;
    bson_iter_t child;
    return bson_iter_recurse(&it, &child) && bson_iter_next(&child) &&
           bson_iter_key(&child)[0] == '$';
}

Status parseInto(BsonView filter, AndMatch& out, int depth, const FilterLimits& limits);

Status parseFieldOperators(const FieldPath& path, const bson_iter_t& ops, AndMatch& out) {
    bson_iter_t op;
    if (!bson_iter_recurse(&ops, &op)) return Status(ErrorCodes::BadValue, "malformed operator");
    while (bson_iter_next(&op)) {
        std::string_view name = iterKey(op);
        if (name == "$eq") {
            out.add(std::make_unique<PathMatch>(
                path, std::make_unique<EqualsPredicate>(copyValue(op))));
        } else {
            return Status(ErrorCodes::BadValue, "unknown operator: " + std::string(name));
        }
    }
    return Status::OK();
}

Status parseAnd(const bson_iter_t& it, AndMatch& out, int depth, const FilterLimits& limits) {
    if (!BSON_ITER_HOLDS_ARRAY(&it))
        return Status(ErrorCodes::BadValue, "$and must be an array");
    bson_iter_t elem;
    if (!bson_iter_recurse(&it, &elem)) return Status(ErrorCodes::BadValue, "malformed $and");
    bool any = false;
    while (bson_iter_next(&elem)) {
        any = true;
        if (!BSON_ITER_HOLDS_DOCUMENT(&elem))
            return Status(ErrorCodes::BadValue, "$and/$or/$nor entries need to be full objects");
        uint32_t len = 0;
        const uint8_t* data = nullptr;
        bson_iter_document(&elem, &len, &data);
        MONGOSD_RETURN_IF_ERROR(parseInto(BsonView(data, len), out, depth + 1, limits));
    }
    if (!any) return Status(ErrorCodes::BadValue, "$and/$or/$nor must be a nonempty array");
    return Status::OK();
}

Status parseInto(BsonView filter, AndMatch& out, int depth, const FilterLimits& limits) {
    if (depth > limits.maxDepth)
        return Status(ErrorCodes::BadValue, "exceeded maximum query tree depth of " +
                                                std::to_string(limits.maxDepth));
    bson_iter_t it;
    if (!filter.iterInit(&it)) return Status(ErrorCodes::BadValue, "malformed filter");
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (!key.empty() && key[0] == '$') {
            if (key == "$and") {
                MONGOSD_RETURN_IF_ERROR(parseAnd(it, out, depth, limits));
                continue;
            }
            return Status(ErrorCodes::BadValue, "unknown top level operator: " + std::string(key));
        }
        auto path = FieldPath::parse(key, /*allowDollar=*/true);
        if (!path.isOK()) return path.getStatus();
        if (isOperatorObject(it)) {
            MONGOSD_RETURN_IF_ERROR(parseFieldOperators(path.getValue(), it, out));
        } else {
            out.add(std::make_unique<PathMatch>(
                std::move(path.getValue()), std::make_unique<EqualsPredicate>(copyValue(it))));
        }
    }
    return Status::OK();
}

}  // namespace

StatusWith<std::unique_ptr<MatchExpression>> parseFilter(BsonView filter,
                                                         const FilterLimits& limits) {
    auto root = std::make_unique<AndMatch>();
    Status st = parseInto(filter, *root, 0, limits);
    if (!st.isOK()) return st;
    return std::unique_ptr<MatchExpression>(std::move(root));
}

std::optional<BsonObj> extractIdEquality(BsonView filter) {
    bson_iter_t it;
    if (!filter.find("_id", &it)) return std::nullopt;
    if (!BSON_ITER_HOLDS_DOCUMENT(&it)) {
        if (BSON_ITER_HOLDS_ARRAY(&it) || BSON_ITER_HOLDS_REGEX(&it)) return std::nullopt;
        return copyValue(it);
    }
    bson_iter_t op;
    if (!bson_iter_recurse(&it, &op) || !bson_iter_next(&op)) return copyValue(it);
    if (bson_iter_key(&op)[0] != '$') return copyValue(it);  // equality to an embedded document
    if (iterKey(op) != "$eq") return std::nullopt;
    if (BSON_ITER_HOLDS_ARRAY(&op) || bson_iter_next(&op)) return std::nullopt;
    bson_iter_t eq;
    bson_iter_recurse(&it, &eq);
    bson_iter_next(&eq);
    return copyValue(eq);
}

}  // namespace mongosd::query
