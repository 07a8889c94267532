// Decoding of KeyString number bodies back to BSON numbers (see key_string_number.h).

#include <bit>
#include <cmath>
#include <limits>

#include "common/big_uint.h"
#include "common/decimal128.h"
#include "common/key_string_format.h"
#include "common/key_string_number.h"

namespace mongosd::keystring::detail {
namespace {

constexpr uint64_t kTopBit = uint64_t{1} << 63;
constexpr int kGroups = 9;
constexpr int32_t kMinBinaryExponent = -20600;
constexpr int32_t kMaxBinaryExponent = 20500;
// A decimal128 that is exact in a 63-bit binary window is odd * 2^k with k in about
// [-48, 139] (c / 5^p must be an integer, and c * 5^q must fit 63 bits); anything outside
// this generous range is corrupt, and bounding it keeps the BigUint work small.
constexpr int32_t kMinExactDecimalShift = -128;
constexpr int32_t kMaxExactDecimalShift = 256;

class FlippingReader {
public:
    FlippingReader(Reader& r, bool flip) : _r(r), _flip(flip ? 0xFF : 0) {}
    bool byte(uint8_t* b) {
        if (!_r.readByte(b)) return false;
        *b ^= _flip;
        return true;
    }
    bool bigEndian(int n, uint64_t* out) {
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) {
            uint8_t b;
            if (!byte(&b)) return false;
            v = (v << 8) | b;
        }
        *out = v;
        return true;
    }

private:
    Reader& _r;
    uint8_t _flip;
};

bool readSignificand(FlippingReader& in, uint64_t* significand) {
    uint64_t sig = kTopBit;
    for (int i = 0; i < kGroups; ++i) {
        uint8_t b;
        if (!in.byte(&b)) return false;
        uint64_t group = b >> 1;
        sig |= group << (56 - 7 * i);
        if ((b & 1) == 0) {
            if (i > 0 && group == 0) return false;  // trailing zero groups are never written
            *significand = sig;
            return true;
        }
    }
    return false;  // a continuation bit on the ninth group
}

bool readDecimalTiebreak(FlippingReader& in, NumberKey* k) {
    uint64_t exp = 0, hi = 0, lo = 0;
    if (!in.bigEndian(2, &exp) || !in.bigEndian(7, &hi) || !in.bigEndian(8, &lo)) return false;
    k->decimalExponent = static_cast<int32_t>(exp) - static_cast<int32_t>(kExponentBias);
    k->decimalDigits = (static_cast<unsigned __int128>(hi) << 64) | lo;
    return k->decimalDigits >= pow10U128(kDecimalMaxDigits - 1) &&
           k->decimalDigits < pow10U128(kDecimalMaxDigits);
}

// Removes trailing zeros from c * 10^q and fits q into decimal128's exponent range.
bool normalizeDecimal(unsigned __int128* c, int32_t* q) {
    while (*c != 0 && *c % 10 == 0 && *q < kDecimalMaxExponent) {
        *c /= 10;
        ++*q;
    }
    while (*q > kDecimalMaxExponent && *c < pow10U128(kDecimalMaxDigits - 1)) {
        *c *= 10;
        --*q;
    }
    return *q >= kDecimalMinExponent && *q <= kDecimalMaxExponent &&
           *c < pow10U128(kDecimalMaxDigits);
}

bool appendDecimal(bson_t* doc, const char* field, int fieldLen, bool negative, unsigned __int128 c,
                   int32_t q) {
    if (!normalizeDecimal(&c, &q)) return false;
    bson_decimal128_t d = makeDecimal128(negative, c, q);
    return bson_append_decimal128(doc, field, fieldLen, &d);
}

// odd * 2^shift as a decimal (odd is odd, shift bounded by the caller).
bool exactBinaryAsDecimal(uint64_t odd, int32_t shift, unsigned __int128* c, int32_t* q) {
    BigUint n(odd);
    *q = 0;
    if (shift >= 0) {
        n.shiftLeft(static_cast<uint32_t>(shift));
    } else {
        n.mulPow5(static_cast<uint32_t>(-shift));  // odd / 2^s == odd * 5^s / 10^s
        *q = shift;
    }
    for (;;) {
        BigUint t = n;
        if (t.divSmall(10) != 0) break;
        n = t;
        ++*q;
    }
    if (!n.fitsU128()) return false;
    *c = n.toU128();
    return true;
}

bool appendExact(bson_t* doc, const char* field, int fieldLen, bool negative, const NumberKey& k) {
    int tz = std::countr_zero(k.significand);
    uint64_t odd = k.significand >> tz;
    int32_t shift = k.exponent - 63 + tz;  // value = odd * 2^shift
    int oddBits = 64 - tz;
    if (shift >= 0 && k.exponent <= 63) {
        uint64_t mag = odd << shift;  // < 2^64 since exponent <= 63
        if (k.exponent <= 62 || (negative && mag == kTopBit)) {
            int64_t v =
                negative ? static_cast<int64_t>(uint64_t{0} - mag) : static_cast<int64_t>(mag);
            if (v >= std::numeric_limits<int32_t>::min() &&
                v <= std::numeric_limits<int32_t>::max()) {
                return bson_append_int32(doc, field, fieldLen, static_cast<int32_t>(v));
            }
            return bson_append_int64(doc, field, fieldLen, v);
        }
    }
    if (oddBits <= 53 && k.exponent <= 1023 && shift >= -1074) {
        double v = std::ldexp(static_cast<double>(odd), shift);
        return bson_append_double(doc, field, fieldLen, negative ? -v : v);
    }
    if (shift < kMinExactDecimalShift || shift > kMaxExactDecimalShift) return false;
    unsigned __int128 c = 0;
    int32_t q = 0;
    if (!exactBinaryAsDecimal(odd, shift, &c, &q)) return false;
    return appendDecimal(doc, field, fieldLen, negative, c, q);
}

}  // namespace

bool readNumberKey(Reader& reader, uint8_t typeByte, NumberKey* out) {
    *out = NumberKey();
    switch (typeByte) {
        case kNumberNaN:
            out->cls = NumberClass::kNaN;
            return true;
        case kNumberNegativeInfinity:
            out->cls = NumberClass::kNegativeInfinity;
            return true;
        case kNumberZero:
            out->cls = NumberClass::kZero;
            return true;
        case kNumberPositiveInfinity:
            out->cls = NumberClass::kPositiveInfinity;
            return true;
        case kNumberPositive:
        case kNumberNegative:
            break;
        default:
            return false;
    }
    bool negative = typeByte == kNumberNegative;
    out->cls = negative ? NumberClass::kNegative : NumberClass::kPositive;
    FlippingReader in(reader, negative);
    uint64_t exp = 0;
    if (!in.bigEndian(2, &exp)) return false;
    out->exponent = static_cast<int32_t>(exp) - static_cast<int32_t>(kExponentBias);
    if (out->exponent < kMinBinaryExponent || out->exponent > kMaxBinaryExponent) return false;
    if (!readSignificand(in, &out->significand)) return false;
    return !out->inexact() || readDecimalTiebreak(in, out);
}

bool appendNumberKeyAsBson(bson_t* doc, const char* field, int fieldLen, const NumberKey& k) {
    switch (k.cls) {
        case NumberClass::kNaN:
            return bson_append_double(doc, field, fieldLen,
                                      std::numeric_limits<double>::quiet_NaN());
        case NumberClass::kNegativeInfinity:
            return bson_append_double(doc, field, fieldLen,
                                      -std::numeric_limits<double>::infinity());
        case NumberClass::kPositiveInfinity:
            return bson_append_double(doc, field, fieldLen,
                                      std::numeric_limits<double>::infinity());
        case NumberClass::kZero:
            return bson_append_int32(doc, field, fieldLen, 0);
        case NumberClass::kNegative:
        case NumberClass::kPositive:
            break;
    }
    bool negative = k.cls == NumberClass::kNegative;
    if (k.inexact()) {
        return appendDecimal(doc, field, fieldLen, negative, k.decimalDigits,
                             k.decimalExponent - (kDecimalMaxDigits - 1));
    }
    return appendExact(doc, field, fieldLen, negative, k);
}

}  // namespace mongosd::keystring::detail
