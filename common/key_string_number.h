#pragma once
// Internal to KeyString (key_string*.cpp and its tests): how a number of any BSON numeric type
// becomes one point on a single number line, and its bytes. See docs/keystring.md §Numbers.
//
// Every finite nonzero number is written as sign * 1.f * 2^exponent with a 63-bit window:
//   significand: bit 63 is the leading 1, bits 62..1 are the next 62 bits of the value, and
//   bit 0 is a sticky bit set only when the value has further nonzero bits (inexact).
// int64 (at most 63 significant bits), double (53) and any decimal whose binary expansion fits
// in 63 bits are exact (sticky 0), so equal values get equal windows whatever their type. A
// decimal that does not fit sets the sticky bit, which places it strictly between its
// truncation and the next exact value; its own decimal digits then break ties with other
// decimals in that gap.

#include <bson/bson.h>

#include <cstdint>
#include <string>

namespace mongosd::keystring::detail {

enum class NumberClass : uint8_t {
    kNaN,
    kNegativeInfinity,
    kNegative,
    kZero,
    kPositive,
    kPositiveInfinity,
};

struct NumberKey {
    NumberClass cls = NumberClass::kZero;
    int32_t exponent = 0;      // floor(log2(|value|)), finite nonzero only
    uint64_t significand = 0;  // see above; bit 63 set for finite nonzero
    // Set iff the sticky bit is: the decimal itself, normalised to 34 digits.
    int32_t decimalExponent = 0;          // exponent of the leading digit (scientific notation)
    unsigned __int128 decimalDigits = 0;  // in [10^33, 10^34)

    bool inexact() const { return (significand & 1) != 0; }
};

NumberKey numberKeyFromInt64(int64_t v);
NumberKey numberKeyFromDouble(double v);
NumberKey numberKeyFromDecimal(const bson_decimal128_t& v);

// Appends the type byte and body. Allocation-free when `out` has capacity.
void appendNumberKey(std::string& out, const NumberKey& key);

class Reader;
// Reads the body that follows number type byte `typeByte`. False when the bytes are not a
// well-formed number body.
bool readNumberKey(Reader& reader, uint8_t typeByte, NumberKey* out);

// Appends the number as the narrowest BSON type that holds it exactly: int32, int64, double,
// then decimal128. NaN comes back as a double NaN, zero as int32 0. False when the key
// describes no BSON number (corrupt bytes).
bool appendNumberKeyAsBson(bson_t* doc, const char* field, int fieldLen, const NumberKey& key);

}  // namespace mongosd::keystring::detail
