#include "query/value_predicates.h"

#include <algorithm>
#include <cmath>

#include "common/bson_compare.h"
#include "common/decimal128.h"

namespace mongosd::query {
namespace {

bson_iter_t firstValue(const BsonObj& holder) {
    bson_iter_t it;
    bool ok = holder.view().iterInit(&it) && bson_iter_next(&it);
    invariant(ok);
    return it;
}

std::optional<int64_t> decimalToInt64(const bson_decimal128_t& d) {
    Decimal128Parts p = decodeDecimal128(d);
    if (p.kind != Decimal128Parts::Kind::kFinite) return std::nullopt;
    unsigned __int128 magnitude = p.coefficient;
    if (p.exponent < 0) {
        magnitude = -p.exponent > kDecimalMaxDigits ? 0 : magnitude / pow10U128(-p.exponent);
    } else if (magnitude != 0) {
        if (p.exponent > 19) return std::nullopt;
        unsigned __int128 scale = pow10U128(p.exponent);
        if (magnitude > (~static_cast<unsigned __int128>(0)) / scale) return std::nullopt;
        magnitude *= scale;
    }
    const unsigned __int128 limit = static_cast<unsigned __int128>(1) << 63;
    if (p.negative) {
        if (magnitude > limit) return std::nullopt;
        return static_cast<int64_t>(-static_cast<__int128>(magnitude));
    }
    if (magnitude >= limit) return std::nullopt;
    return static_cast<int64_t>(magnitude);
}

}  // namespace

bool isNumber(const bson_iter_t& v) { return canonicalTypeRank(bson_iter_type(&v)) == 10; }

bool isNaN(const bson_iter_t& v) {
    if (BSON_ITER_HOLDS_DOUBLE(&v)) return std::isnan(bson_iter_double(&v));
    if (BSON_ITER_HOLDS_DECIMAL128(&v)) {
        bson_decimal128_t d;
        bson_iter_decimal128(&v, &d);
        return decodeDecimal128(d).kind == Decimal128Parts::Kind::kNaN;
    }
    return false;
}

std::optional<int64_t> truncateToInt64(const bson_iter_t& v) {
    switch (bson_iter_type(&v)) {
        case BSON_TYPE_INT32:
            return bson_iter_int32(&v);
        case BSON_TYPE_INT64:
            return bson_iter_int64(&v);
        case BSON_TYPE_DOUBLE: {
            double d = std::trunc(bson_iter_double(&v));
            // 2^63 is exactly representable; anything at or above it does not fit.
            if (!std::isfinite(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
                return std::nullopt;
            return static_cast<int64_t>(d);
        }
        case BSON_TYPE_DECIMAL128: {
            bson_decimal128_t d;
            bson_iter_decimal128(&v, &d);
            return decimalToInt64(d);
        }
        default:
            return std::nullopt;
    }
}

ComparePredicate::ComparePredicate(Op op, BsonObj holder)
    : _op(op), _holder(std::move(holder)), _operand(firstValue(_holder)) {
    _rank = canonicalTypeRank(bson_iter_type(&_operand));
    _operandNaN = isNaN(_operand);
    // A missing field is MongoDB's EOO element, whose canonical rank is 0.
    _matchesMissing = differentRanks(0);
}

bool ComparePredicate::differentRanks(int valueRank) const {
    if (valueRank + _rank == 5)  // null against undefined or missing
        return _op == Op::kEq || _op == Op::kLte || _op == Op::kGte;
    switch (bson_iter_type(&_operand)) {
        case BSON_TYPE_MINKEY:
            return _op == Op::kGt || _op == Op::kGte;
        case BSON_TYPE_MAXKEY:
            return _op == Op::kLt || _op == Op::kLte;
        default:
            return false;
    }
}

bool ComparePredicate::test(const bson_iter_t& value) const {
    int rank = canonicalTypeRank(bson_iter_type(&value));
    if (rank != _rank) return differentRanks(rank);
    if (_op != Op::kEq && (_operandNaN || isNaN(value))) {
        bool both = _operandNaN && isNaN(value);
        return both && (_op == Op::kLte || _op == Op::kGte);
    }
    int c = compareValues(value, _operand);
    switch (_op) {
        case Op::kEq:
            return c == 0;
        case Op::kLt:
            return c < 0;
        case Op::kLte:
            return c <= 0;
        case Op::kGt:
            return c > 0;
        case Op::kGte:
            return c >= 0;
    }
    invariant(false);
    return false;
}

bool RegexPredicate::test(const bson_iter_t& value) const {
    switch (bson_iter_type(&value)) {
        case BSON_TYPE_UTF8: {
            uint32_t len = 0;
            const char* s = bson_iter_utf8(&value, &len);
            return _re->matches(std::string_view(s, len));
        }
        case BSON_TYPE_SYMBOL: {
            uint32_t len = 0;
            const char* s = bson_iter_symbol(&value, &len);
            return _re->matches(std::string_view(s, len));
        }
        case BSON_TYPE_REGEX: {
            const char* options = nullptr;
            const char* pattern = bson_iter_regex(&value, &options);
            return _re->pattern() == pattern && _re->options() == (options ? options : "");
        }
        default:
            return false;
    }
}

InPredicate::InPredicate(std::vector<BsonObj> values,
                         std::vector<std::shared_ptr<const Regex>> regexes)
    : _values(std::move(values)), _regexes(std::move(regexes)) {
    for (const auto& v : _values)
        if (bson_iter_t x = firstValue(v); BSON_ITER_HOLDS_NULL(&x)) _hasNull = true;
    std::sort(_values.begin(), _values.end(), [](const BsonObj& a, const BsonObj& b) {
        bson_iter_t x = firstValue(a), y = firstValue(b);
        return compareValues(x, y) < 0;
    });
}

bool InPredicate::test(const bson_iter_t& value) const {
    if (_hasNull && BSON_ITER_HOLDS_UNDEFINED(&value)) return true;
    auto pos = std::lower_bound(_values.begin(), _values.end(), value,
                                [](const BsonObj& a, const bson_iter_t& v) {
                                    bson_iter_t x = firstValue(a);
                                    return compareValues(x, v) < 0;
                                });
    if (pos != _values.end()) {
        bson_iter_t x = firstValue(*pos);
        if (valuesEqual(x, value)) return true;
    }
    for (const auto& re : _regexes)
        if (RegexPredicate(re).test(value)) return true;
    return false;
}

bool TypePredicate::test(const bson_iter_t& value) const {
    if (_allNumbers && isNumber(value)) return true;
    int code = static_cast<int>(bson_iter_type(&value));
    return std::find(_codes.begin(), _codes.end(), code) != _codes.end();
}

bool ModPredicate::test(const bson_iter_t& value) const {
    if (!isNumber(value)) return false;
    auto dividend = truncateToInt64(value);
    if (!dividend) return false;
    // INT64_MIN % -1 overflows in C++; the remainder is 0.
    int64_t r = _divisor == -1 ? 0 : *dividend % _divisor;
    return r == _remainder;
}

bool SizePredicate::test(const bson_iter_t& value) const {
    if (!BSON_ITER_HOLDS_ARRAY(&value)) return false;
    bson_iter_t elem;
    if (!bson_iter_recurse(&value, &elem)) return false;
    int64_t n = 0;
    while (bson_iter_next(&elem)) ++n;
    return n == _size;
}

std::optional<size_t> ElemMatchObjectPredicate::matchingElement(const bson_iter_t& value) const {
    if (!BSON_ITER_HOLDS_ARRAY(&value)) return std::nullopt;
    bson_iter_t elem;
    if (!bson_iter_recurse(&value, &elem)) return std::nullopt;
    for (size_t k = 0; bson_iter_next(&elem); ++k) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&elem) && !BSON_ITER_HOLDS_ARRAY(&elem)) continue;
        if (_sub->matches(subDocument(elem))) return k;
    }
    return std::nullopt;
}

std::optional<size_t> ElemMatchValuePredicate::matchingElement(const bson_iter_t& value) const {
    if (!BSON_ITER_HOLDS_ARRAY(&value)) return std::nullopt;
    bson_iter_t elem;
    if (!bson_iter_recurse(&value, &elem)) return std::nullopt;
    for (size_t k = 0; bson_iter_next(&elem); ++k)
        if (_ops->matchesElement(elem)) return k;
    return std::nullopt;
}

}  // namespace mongosd::query
