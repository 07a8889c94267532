#pragma once
// The leaf predicates of a filter (internal to query/): one class per MongoDB leaf operator, each
// answering for a single value exactly as MongoDB's matchesSingleElement does. The parser
// (matcher.cpp) validates arguments before building one, so constructors trust them.

#include <memory>
#include <string>
#include <vector>

#include "query/match_tree.h"
#include "query/regex.h"

namespace mongosd::query {

// $eq $gt $gte $lt $lte and implicit equality. Type bracketing: values of different canonical
// types never match, except null against missing/undefined (EQ, LTE, GTE) and MinKey/MaxKey
// operands, which sit below/above everything. NaN only equals NaN.
class ComparePredicate final : public ValuePredicate {
public:
    enum class Op { kEq, kLt, kLte, kGt, kGte };
    ComparePredicate(Op op, BsonObj holder);  // holder: {"": operand}
    bool test(const bson_iter_t& value) const override;
    bool matchesMissing() const override { return _matchesMissing; }

private:
    bool differentRanks(int valueRank) const;
    Op _op;
    BsonObj _holder;
    bson_iter_t _operand;
    int _rank;
    bool _operandNaN;
    bool _matchesMissing;
};

// A string or symbol the regex finds a match in, or a stored regex with the same pattern and
// options.
class RegexPredicate final : public ValuePredicate {
public:
    explicit RegexPredicate(std::shared_ptr<const Regex> re) : _re(std::move(re)) {}
    bool test(const bson_iter_t& value) const override;

private:
    std::shared_ptr<const Regex> _re;
};

// $in: equality to any listed value (sorted for binary search) or any regex; a null in the
// list also matches missing and undefined.
class InPredicate final : public ValuePredicate {
public:
    InPredicate(std::vector<BsonObj> values, std::vector<std::shared_ptr<const Regex>> regexes);
    bool test(const bson_iter_t& value) const override;
    bool matchesMissing() const override { return _hasNull; }

private:
    std::vector<BsonObj> _values;  // each {"": v}, ascending in compareValues order
    std::vector<std::shared_ptr<const Regex>> _regexes;
    bool _hasNull = false;
};

class ExistsPredicate final : public ValuePredicate {
public:
    bool test(const bson_iter_t&) const override { return true; }
};

// $type: a set of BSON type codes, plus "number" for all four numeric types.
class TypePredicate final : public ValuePredicate {
public:
    TypePredicate(std::vector<int> typeCodes, bool allNumbers)
        : _codes(std::move(typeCodes)), _allNumbers(allNumbers) {}
    bool test(const bson_iter_t& value) const override;

private:
    std::vector<int> _codes;  // BSON type bytes (MinKey is 0xFF)
    bool _allNumbers;
};

// $mod: numbers whose truncated value has the given remainder (C++ / MongoDB sign rules).
class ModPredicate final : public ValuePredicate {
public:
    ModPredicate(int64_t divisor, int64_t remainder) : _divisor(divisor), _remainder(remainder) {}
    bool test(const bson_iter_t& value) const override;

private:
    int64_t _divisor;
    int64_t _remainder;
};

class SizePredicate final : public ValuePredicate {
public:
    explicit SizePredicate(int64_t size) : _size(size) {}
    bool test(const bson_iter_t& value) const override;
    bool expandsLeafArray() const override { return false; }

private:
    int64_t _size;
};

// $elemMatch with a query over documents: some element that is a document (or array, seen as
// a document with keys "0", "1", ...) matches the whole sub-filter.
class ElemMatchObjectPredicate final : public ValuePredicate {
public:
    explicit ElemMatchObjectPredicate(std::unique_ptr<MatchExpression> sub)
        : _sub(std::move(sub)) {}
    bool test(const bson_iter_t& value) const override {
        return matchingElement(value).has_value();
    }
    std::optional<size_t> matchingElement(const bson_iter_t& value) const override;
    bool expandsLeafArray() const override { return false; }

private:
    std::unique_ptr<MatchExpression> _sub;
};

// $elemMatch with operators: some element satisfies every operator itself (no expansion).
class ElemMatchValuePredicate final : public ValuePredicate {
public:
    explicit ElemMatchValuePredicate(std::unique_ptr<MatchExpression> ops) : _ops(std::move(ops)) {}
    bool test(const bson_iter_t& value) const override {
        return matchingElement(value).has_value();
    }
    std::optional<size_t> matchingElement(const bson_iter_t& value) const override;
    bool expandsLeafArray() const override { return false; }

private:
    std::unique_ptr<MatchExpression> _ops;
};

// Numeric helpers shared with the parser.
bool isNumber(const bson_iter_t& v);
bool isNaN(const bson_iter_t& v);
// The value truncated toward zero when it is finite and fits in int64.
std::optional<int64_t> truncateToInt64(const bson_iter_t& v);

}  // namespace mongosd::query
