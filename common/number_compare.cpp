#include "common/number_compare.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "common/big_uint.h"
#include "common/decimal128.h"
#include "common/invariant.h"

namespace mongosd {
namespace {

template <typename T>
int threeWay(T a, T b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

// MongoDB's double order: NaN below everything, NaN == NaN.
int compareDoubles(double a, double b) {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a == b) return 0;
    if (std::isnan(a)) return std::isnan(b) ? 0 : -1;
    return 1;
}

int compareInt64ToDouble(int64_t l, double d) {
    constexpr double kTwo63 = 9223372036854775808.0;
    if (std::isnan(d)) return 1;
    if (d >= kTwo63) return -1;
    if (d < -kTwo63) return 1;
    double whole = std::trunc(d);  // in [-2^63, 2^63): exact as int64
    int64_t w = static_cast<int64_t>(whole);
    if (l != w) return threeWay(l, w);
    double frac = d - whole;  // exact
    return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}

// A number as a class plus, for finite nonzero values, |value| = m * 2^e2 * 5^e5.
struct ExactNumber {
    enum Class { kNaN, kNegInf, kNegative, kZero, kPositive, kPosInf };
    Class cls = kZero;
    unsigned __int128 m = 0;
    int32_t e2 = 0;
    int32_t e5 = 0;

    long double log2Estimate() const {
        return std::log2(static_cast<long double>(m)) + e2 + e5 * std::log2(5.0L);
    }
};

ExactNumber::Class signedClass(bool negative) {
    return negative ? ExactNumber::kNegative : ExactNumber::kPositive;
}

ExactNumber exactFromInt64(int64_t v) {
    ExactNumber x;
    if (v == 0) return x;
    x.cls = signedClass(v < 0);
    x.m = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    return x;
}

ExactNumber exactFromDouble(double d) {
    ExactNumber x;
    if (std::isnan(d)) {
        x.cls = ExactNumber::kNaN;
    } else if (std::isinf(d)) {
        x.cls = d < 0 ? ExactNumber::kNegInf : ExactNumber::kPosInf;
    } else if (d != 0) {
        x.cls = signedClass(d < 0);
        int exp = 0;
        double frac = std::frexp(std::fabs(d), &exp);       // |d| = frac * 2^exp, frac in [0.5, 1)
        x.m = static_cast<uint64_t>(std::ldexp(frac, 53));  // exact: at most 53 bits
        x.e2 = exp - 53;
    }
    return x;
}

ExactNumber exactFromDecimal(const bson_decimal128_t& raw) {
    Decimal128Parts p = decodeDecimal128(raw);
    ExactNumber x;
    if (p.kind == Decimal128Parts::Kind::kNaN) {
        x.cls = ExactNumber::kNaN;
    } else if (p.kind == Decimal128Parts::Kind::kInfinity) {
        x.cls = p.negative ? ExactNumber::kNegInf : ExactNumber::kPosInf;
    } else if (p.coefficient != 0) {
        x.cls = signedClass(p.negative);
        x.m = p.coefficient;
        x.e2 = p.exponent;
        x.e5 = p.exponent;
    }
    return x;
}

ExactNumber exactFromIter(const bson_iter_t& it) {
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_INT32:
            return exactFromInt64(bson_iter_int32(&it));
        case BSON_TYPE_INT64:
            return exactFromInt64(bson_iter_int64(&it));
        case BSON_TYPE_DOUBLE:
            return exactFromDouble(bson_iter_double(&it));
        case BSON_TYPE_DECIMAL128: {
            bson_decimal128_t d;
            bson_iter_decimal128(&it, &d);
            return exactFromDecimal(d);
        }
        default:
            invariantMsg(false, "compareNumbers: not a number");
            return {};
    }
}

// |a| vs |b| for finite nonzero numbers. Far-apart magnitudes are decided by a logarithm
// estimate (its error is far below 1); close ones exactly, where the BigUints stay small:
// close magnitudes bound the exponent differences by the digits of the coefficients, or by
// the double range when one side is a double.
int compareMagnitudes(const ExactNumber& a, const ExactNumber& b) {
    long double la = a.log2Estimate(), lb = b.log2Estimate();
    if (la < lb - 1) return -1;
    if (la > lb + 1) return 1;
    int32_t e5 = std::min(a.e5, b.e5), e2 = std::min(a.e2, b.e2);
    BigUint x = BigUint::fromU128(a.m), y = BigUint::fromU128(b.m);
    x.mulPow5(static_cast<uint32_t>(a.e5 - e5));
    y.mulPow5(static_cast<uint32_t>(b.e5 - e5));
    x.shiftLeft(static_cast<uint32_t>(a.e2 - e2));
    y.shiftLeft(static_cast<uint32_t>(b.e2 - e2));
    return compare(x, y) < 0 ? -1 : (compare(x, y) > 0 ? 1 : 0);
}

int compareExact(const ExactNumber& a, const ExactNumber& b) {
    if (a.cls != b.cls) return threeWay(a.cls, b.cls);
    if (a.cls == ExactNumber::kPositive) return compareMagnitudes(a, b);
    if (a.cls == ExactNumber::kNegative) return compareMagnitudes(b, a);
    return 0;
}

bool isIntegral(bson_type_t t) { return t == BSON_TYPE_INT32 || t == BSON_TYPE_INT64; }

int64_t integralValue(const bson_iter_t& it) {
    return bson_iter_type(&it) == BSON_TYPE_INT32 ? bson_iter_int32(&it) : bson_iter_int64(&it);
}

}  // namespace

int compareNumbers(const bson_iter_t& a, const bson_iter_t& b) {
    bson_type_t ta = bson_iter_type(&a), tb = bson_iter_type(&b);
    // Fast paths for the common types; decimal128 takes the exact path.
    if (isIntegral(ta) && isIntegral(tb)) return threeWay(integralValue(a), integralValue(b));
    if (ta == BSON_TYPE_DOUBLE && tb == BSON_TYPE_DOUBLE) {
        return compareDoubles(bson_iter_double(&a), bson_iter_double(&b));
    }
    if (isIntegral(ta) && tb == BSON_TYPE_DOUBLE) {
        return compareInt64ToDouble(integralValue(a), bson_iter_double(&b));
    }
    if (ta == BSON_TYPE_DOUBLE && isIntegral(tb)) {
        return -compareInt64ToDouble(integralValue(b), bson_iter_double(&a));
    }
    return compareExact(exactFromIter(a), exactFromIter(b));
}

}  // namespace mongosd
