#include "common/key_string_number.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/big_uint.h"
#include "common/decimal128.h"
#include "common/invariant.h"
#include "common/key_string_format.h"

namespace mongosd::keystring::detail {
namespace {

constexpr uint64_t kTopBit = uint64_t{1} << 63;
constexpr int kGroups = 9;              // 63 bits below the leading one, 7 per byte
constexpr int kDecimalDigitBytes = 15;  // 10^34 < 2^120

NumberClass signedClass(bool negative) {
    return negative ? NumberClass::kNegative : NumberClass::kPositive;
}

// Window of a big integer x times 2^shift (x > 0).
void windowOfBig(const BigUint& x, int32_t shift, NumberKey* k) {
    uint32_t len = x.bitLength();
    k->exponent = static_cast<int32_t>(len) - 1 + shift;
    if (len <= 63) {
        k->significand = x.bitsFrom(0) << (64 - len);
        return;
    }
    uint64_t top63 = x.bitsFrom(len - 63) & (kTopBit - 1);
    k->significand = (top63 << 1) | (x.anyBitBelow(len - 63) ? 1 : 0);
}

// floor(num / den) when it is below 2^64, and whether the division is exact.
uint64_t divideTo64(const BigUint& num, const BigUint& den, bool* exact) {
    uint64_t q = 0;
    for (int bit = 63; bit >= 0; --bit) {
        uint64_t candidate = q | (uint64_t{1} << bit);
        if (compare(den.timesU64(candidate), num) <= 0) q = candidate;
    }
    *exact = compare(den.timesU64(q), num) == 0;
    return q;
}

int bitLength128(unsigned __int128 v) {
    uint64_t hi = static_cast<uint64_t>(v >> 64);
    return hi != 0 ? 128 - std::countl_zero(hi) : 64 - std::countl_zero(static_cast<uint64_t>(v));
}

// Sets the window from floor(num / den) = q in [2^62, 2^64), value = (num / den) * 2^shift.
void windowFromQuotient(uint64_t q, bool exact, int32_t shift, NumberKey* k) {
    if (q & kTopBit) {  // 64 bits: drop one into the sticky bit
        exact = exact && (q & 1) == 0;
        q >>= 1;
        shift += 1;
    }
    k->exponent = 62 + shift;
    k->significand = (q << 1) | (exact ? 0 : 1);
}

// Window of c / 10^p = (c / 5^p) * 2^-p for p > 0, c > 0. Both ways scale num / den by 2^s so
// the quotient lies in (2^62, 2^64), giving value = quotient * 2^(-s - p).
void windowOfFraction(unsigned __int128 c, uint32_t p, NumberKey* k) {
    constexpr uint32_t kMaxPow5In64Bits = 27;
    if (p <= kMaxPow5In64Bits) {  // the common case: 128-bit arithmetic suffices
        uint64_t pow5 = 1;
        for (uint32_t i = 0; i < p; ++i) pow5 *= 5;
        int32_t s = 63 + (64 - std::countl_zero(pow5)) - bitLength128(c);
        // s >= 0: c << s has 63 + bitlen(5^p) <= 126 bits; s < 0: 5^p << -s has at most 50.
        unsigned __int128 num = s >= 0 ? c << s : c;
        unsigned __int128 den = s >= 0 ? pow5 : static_cast<unsigned __int128>(pow5) << -s;
        windowFromQuotient(static_cast<uint64_t>(num / den), num % den == 0,
                           -s - static_cast<int32_t>(p), k);
        return;
    }
    BigUint num = BigUint::fromU128(c);
    BigUint den(1);
    den.mulPow5(p);
    int32_t s = 63 + static_cast<int32_t>(den.bitLength()) - static_cast<int32_t>(num.bitLength());
    if (s >= 0) {
        num.shiftLeft(static_cast<uint32_t>(s));
    } else {
        den.shiftLeft(static_cast<uint32_t>(-s));
    }
    bool exact = false;
    uint64_t q = divideTo64(num, den, &exact);
    windowFromQuotient(q, exact, -s - static_cast<int32_t>(p), k);
}

void appendBigEndian(std::string& out, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void appendMagnitude(std::string& out, const NumberKey& k) {
    appendBigEndian(out, static_cast<uint32_t>(k.exponent + static_cast<int32_t>(kExponentBias)),
                    2);
    uint8_t groups[kGroups];
    int last = 0;
    for (int i = 0; i < kGroups; ++i) {
        groups[i] = static_cast<uint8_t>((k.significand >> (56 - 7 * i)) & 0x7F);
        if (groups[i] != 0) last = i;
    }
    for (int i = 0; i <= last; ++i) {
        out.push_back(static_cast<char>((groups[i] << 1) | (i < last ? 1 : 0)));
    }
    if (!k.inexact()) return;
    appendBigEndian(
        out, static_cast<uint32_t>(k.decimalExponent + static_cast<int32_t>(kExponentBias)), 2);
    appendBigEndian(out, static_cast<uint64_t>(k.decimalDigits >> 64), kDecimalDigitBytes - 8);
    appendBigEndian(out, static_cast<uint64_t>(k.decimalDigits), 8);
}

}  // namespace

NumberKey numberKeyFromInt64(int64_t v) {
    NumberKey k;
    if (v == 0) return k;
    k.cls = signedClass(v < 0);
    uint64_t mag = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    int len = 64 - std::countl_zero(mag);
    k.exponent = len - 1;
    k.significand = mag << (64 - len);
    return k;
}

NumberKey numberKeyFromDouble(double v) {
    NumberKey k;
    if (std::isnan(v)) {
        k.cls = NumberClass::kNaN;
    } else if (std::isinf(v)) {
        k.cls = v < 0 ? NumberClass::kNegativeInfinity : NumberClass::kPositiveInfinity;
    } else if (v != 0) {
        k.cls = signedClass(std::signbit(v));
        uint64_t bits = std::bit_cast<uint64_t>(v);
        int biased = static_cast<int>((bits >> 52) & 0x7FF);
        uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
        if (biased == 0) {  // subnormal: fraction * 2^-1074
            int len = 64 - std::countl_zero(fraction);
            k.exponent = len - 1 - 1074;
            k.significand = fraction << (64 - len);
        } else {
            k.exponent = biased - 1023;
            k.significand = kTopBit | (fraction << 11);
        }
    }
    return k;
}

NumberKey numberKeyFromDecimal(const bson_decimal128_t& v) {
    Decimal128Parts p = decodeDecimal128(v);
    NumberKey k;
    if (p.kind == Decimal128Parts::Kind::kNaN) {
        k.cls = NumberClass::kNaN;
        return k;
    }
    if (p.kind == Decimal128Parts::Kind::kInfinity) {
        k.cls = p.negative ? NumberClass::kNegativeInfinity : NumberClass::kPositiveInfinity;
        return k;
    }
    if (p.coefficient == 0) return k;
    k.cls = signedClass(p.negative);
    if (p.exponent >= 0) {
        BigUint x = BigUint::fromU128(p.coefficient);
        x.mulPow5(static_cast<uint32_t>(p.exponent));
        windowOfBig(x, p.exponent, &k);  // c * 10^q = (c * 5^q) * 2^q
    } else {
        windowOfFraction(p.coefficient, static_cast<uint32_t>(-p.exponent), &k);
    }
    if (k.inexact()) {
        int digits = decimalDigitCount(p.coefficient);
        k.decimalExponent = p.exponent + digits - 1;
        k.decimalDigits = p.coefficient * pow10U128(kDecimalMaxDigits - digits);
    }
    return k;
}

void appendNumberKey(std::string& out, const NumberKey& k) {
    switch (k.cls) {
        case NumberClass::kNaN:
            out.push_back(static_cast<char>(kNumberNaN));
            return;
        case NumberClass::kNegativeInfinity:
            out.push_back(static_cast<char>(kNumberNegativeInfinity));
            return;
        case NumberClass::kZero:
            out.push_back(static_cast<char>(kNumberZero));
            return;
        case NumberClass::kPositiveInfinity:
            out.push_back(static_cast<char>(kNumberPositiveInfinity));
            return;
        case NumberClass::kPositive:
            out.push_back(static_cast<char>(kNumberPositive));
            appendMagnitude(out, k);
            return;
        case NumberClass::kNegative: {
            out.push_back(static_cast<char>(kNumberNegative));
            size_t start = out.size();
            appendMagnitude(out, k);
            // A larger magnitude is a smaller negative number.
            for (size_t i = start; i < out.size(); ++i) out[i] = static_cast<char>(~out[i]);
            return;
        }
    }
}

}  // namespace mongosd::keystring::detail
