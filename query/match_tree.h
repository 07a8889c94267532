#pragma once
// The nodes of a parsed filter (internal to query/; see matcher.h for the public entry point).
//
// A filter is a tree of MatchExpression nodes: AndMatch / OrMatch / NorMatch / NotMatch over
// PathMatch leaves. A PathMatch pairs a FieldPath with a ValuePredicate and walks the document
// with MongoDB's path rules (docs/query.md, "How a filter is evaluated"). Negations ($ne, $nin,
// $not, $exists: false) are NotMatch over the positive leaf, so "no element matches" falls out of
// the traversal. Immutable after parsing; any thread.

#include <memory>
#include <vector>

#include "query/field_path.h"
#include "query/matcher.h"

namespace mongosd::query {

// A test on one value reached by a path (MongoDB's matchesSingleElement).
class ValuePredicate {
public:
    virtual ~ValuePredicate() = default;
    virtual bool test(const bson_iter_t& value) const = 0;
    // The answer for a path that reaches nothing (MongoDB tests an EOO element).
    virtual bool matchesMissing() const { return false; }
    // Whether an array at the end of the path is also tested element by element ($size and
    // $elemMatch look at the array itself only).
    virtual bool expandsLeafArray() const { return true; }
    // For predicates on a whole array ($elemMatch): the position of the element that made
    // test() succeed, which the positional operators address.
    virtual std::optional<size_t> matchingElement(const bson_iter_t& array) const {
        (void)array;
        return std::nullopt;
    }
};

class PathMatch final : public MatchExpression {
public:
    PathMatch(FieldPath path, std::unique_ptr<ValuePredicate> pred)
        : _path(std::move(path)), _pred(std::move(pred)) {}
    bool matches(BsonView doc) const override;
    bool matchesRecordingPosition(BsonView doc, std::optional<size_t>* pos) const override;
    bool matchesElement(const bson_iter_t& value) const override { return _pred->test(value); }

private:
    FieldPath _path;
    std::unique_ptr<ValuePredicate> _pred;
};

class ListMatch : public MatchExpression {
public:
    void add(std::unique_ptr<MatchExpression> e) { _children.push_back(std::move(e)); }
    size_t size() const { return _children.size(); }

protected:
    std::vector<std::unique_ptr<MatchExpression>> _children;
};

class AndMatch final : public ListMatch {
public:
    bool matches(BsonView doc) const override;
    bool matchesRecordingPosition(BsonView doc, std::optional<size_t>* pos) const override;
    bool matchesReportingError(BsonView doc, std::optional<size_t>* pos,
                               Status* error) const override;
    bool matchesElement(const bson_iter_t& value) const override;
};

class OrMatch final : public ListMatch {
public:
    bool matches(BsonView doc) const override;
    // Records no array position, as MongoDB's $or (so "a.$" after an $or filter fails).
    bool matchesReportingError(BsonView doc, std::optional<size_t>* pos,
                               Status* error) const override;
    bool matchesElement(const bson_iter_t& value) const override;
};

class NorMatch final : public ListMatch {
public:
    bool matches(BsonView doc) const override;
    bool matchesReportingError(BsonView doc, std::optional<size_t>* pos,
                               Status* error) const override;
    bool matchesElement(const bson_iter_t& value) const override;
};

class NotMatch final : public MatchExpression {
public:
    explicit NotMatch(std::unique_ptr<MatchExpression> child) : _child(std::move(child)) {}
    bool matches(BsonView doc) const override { return !_child->matches(doc); }
    bool matchesElement(const bson_iter_t& value) const override {
        return !_child->matchesElement(value);
    }

private:
    std::unique_ptr<MatchExpression> _child;
};

}  // namespace mongosd::query
