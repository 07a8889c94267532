#include "common/decimal128.h"

#include "common/invariant.h"

namespace mongosd {

namespace {

struct Pow10Table {
    unsigned __int128 values[39];
    constexpr Pow10Table() : values() {
        values[0] = 1;
        for (int i = 1; i < 39; ++i) values[i] = values[i - 1] * 10;
    }
};
constexpr Pow10Table kPow10;

}  // namespace

unsigned __int128 pow10U128(int n) {
    invariant(n >= 0 && n <= 38);
    return kPow10.values[n];
}

int decimalDigitCount(unsigned __int128 c) {
    int digits = 1;
    while (digits < 39 && c >= kPow10.values[digits]) ++digits;
    return digits;
}

Decimal128Parts decodeDecimal128(const bson_decimal128_t& d) {
    Decimal128Parts p;
    p.negative = (d.high >> 63) != 0;
    uint64_t combination5 = (d.high >> 58) & 0x1F;
    if (combination5 == 0x1F) {
        p.kind = Decimal128Parts::Kind::kNaN;
        return p;
    }
    if (combination5 == 0x1E) {
        p.kind = Decimal128Parts::Kind::kInfinity;
        return p;
    }
    if (((d.high >> 61) & 0x3) == 0x3) {
        p.exponent = static_cast<int32_t>((d.high >> 47) & 0x3FFF) - kDecimalExponentBias;
        p.coefficient = 0;  // implied 0b100 prefix: always non-canonical
    } else {
        p.exponent = static_cast<int32_t>((d.high >> 49) & 0x3FFF) - kDecimalExponentBias;
        unsigned __int128 hi = d.high & ((uint64_t{1} << 49) - 1);
        p.coefficient = (hi << 64) | d.low;
        if (p.coefficient >= pow10U128(kDecimalMaxDigits)) p.coefficient = 0;
    }
    // Only the "11" form (a zero) can carry an exponent above 6111; clamp it so callers can rely
    // on the documented range.
    if (p.exponent > kDecimalMaxExponent) p.exponent = kDecimalMaxExponent;
    return p;
}

bson_decimal128_t makeDecimal128(bool negative, unsigned __int128 coefficient, int32_t exponent) {
    invariant(coefficient < pow10U128(kDecimalMaxDigits));
    invariant(exponent >= kDecimalMinExponent && exponent <= kDecimalMaxExponent);
    bson_decimal128_t d;
    uint64_t biased = static_cast<uint64_t>(exponent + kDecimalExponentBias);
    d.high = (negative ? uint64_t{1} << 63 : 0) | (biased << 49) |
             static_cast<uint64_t>(coefficient >> 64);
    d.low = static_cast<uint64_t>(coefficient);
    return d;
}

}  // namespace mongosd
