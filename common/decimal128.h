#pragma once
// IEEE 754-2008 decimal128 in BID encoding (what BSON stores), taken apart into sign,
// coefficient and exponent. libbson exposes the type only as two raw 64-bit words, so the
// comparator and KeyString decode it here. Pure functions; any thread.
//
// Layout of the high word (bit 63 first): sign, then the 17-bit combination field.
//   - combination starts 11111: NaN (the next bit tells signalling NaN); 11110: infinity.
//   - starts 11 otherwise: exponent is bits 60..47 and the coefficient would be
//     0b100 followed by 111 bits, always >= 2^113 > 10^34 - 1, i.e. non-canonical: read as 0.
//   - else: exponent is bits 62..49, coefficient is bits 48..0 of high followed by low.
// A coefficient above 10^34 - 1 is non-canonical too and also reads as zero (IEEE rule).

#include <bson/bson.h>

#include <cstdint>

namespace mongosd {

constexpr int32_t kDecimalExponentBias = 6176;
constexpr int32_t kDecimalMinExponent = -6176;  // value = coefficient * 10^exponent
constexpr int32_t kDecimalMaxExponent = 6111;
constexpr int kDecimalMaxDigits = 34;

// 10^n for n <= 38 as an unsigned 128-bit integer.
unsigned __int128 pow10U128(int n);
// Decimal digits of c (1 for 0).
int decimalDigitCount(unsigned __int128 c);

struct Decimal128Parts {
    enum class Kind { kFinite, kInfinity, kNaN };
    Kind kind = Kind::kFinite;
    bool negative = false;
    unsigned __int128 coefficient = 0;  // < 10^34
    int32_t exponent = 0;               // in [kDecimalMinExponent, kDecimalMaxExponent]

    bool isZero() const { return kind == Kind::kFinite && coefficient == 0; }
};

Decimal128Parts decodeDecimal128(const bson_decimal128_t& d);

// Builds a finite decimal128. Requires coefficient < 10^34 and exponent within range.
bson_decimal128_t makeDecimal128(bool negative, unsigned __int128 coefficient, int32_t exponent);

}  // namespace mongosd
