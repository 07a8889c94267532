#pragma once
// rapidcheck generators of BSON values for the comparator and KeyString property tests.
//
// Values are drawn from small alphabets on purpose, so that pools of random values often
// collide or nearly collide: equal numbers of different types, numbers a few ulps apart,
// decimals rounded from doubles, strings that are prefixes of each other or differ by NUL,
// documents that differ only in a field name or rank.

#include <rapidcheck.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "common/bson.h"

namespace mongosd {

// rapidcheck prints counterexamples with this (found by argument-dependent lookup).
inline void showValue(const BsonObj& obj, std::ostream& os) {
    bson_t b;
    bson_init_static(&b, obj.data(), obj.size());
    char* json = bson_as_canonical_extended_json(&b, nullptr);
    os << (json ? json : "<unprintable>");
    bson_free(json);
}

namespace randombson {

using rc::gen::element;
using rc::gen::inRange;

inline void appendDecimalString(bson_t* b, const char* key, const std::string& s) {
    bson_decimal128_t d;
    RC_ASSERT(bson_decimal128_from_string(s.c_str(), &d));
    bson_append_decimal128(b, key, -1, &d);
}

inline std::string doubleToDecimalString(double d, int precision) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific, precision);
    return std::string(buf, res.ptr);
}

inline double interestingDouble() {
    static const std::vector<double> kValues = {0.0,
                                                -0.0,
                                                1.0,
                                                -1.0,
                                                0.1,
                                                -0.1,
                                                0.5,
                                                1.0 / 3,
                                                123.456,
                                                -2.5,
                                                9007199254740992.0,
                                                9007199254740994.0,
                                                -9007199254740992.0,
                                                9223372036854775808.0,
                                                -9223372036854775808.0,
                                                18446744073709551616.0,
                                                1e20,
                                                1e22,
                                                1e23,
                                                1e300,
                                                -1e300,
                                                1e-300,
                                                std::numeric_limits<double>::denorm_min(),
                                                -std::numeric_limits<double>::denorm_min(),
                                                std::numeric_limits<double>::min(),
                                                std::numeric_limits<double>::max(),
                                                -std::numeric_limits<double>::max(),
                                                INFINITY,
                                                -INFINITY,
                                                NAN,
                                                2147483647.0,
                                                2147483648.0,
                                                -2147483649.0};
    return *rc::gen::elementOf(kValues);
}

inline int64_t interestingInt64() {
    static const std::vector<int64_t> kValues = {0,
                                                 1,
                                                 -1,
                                                 7,
                                                 -7,
                                                 10,
                                                 100,
                                                 (int64_t{1} << 53) + 1,
                                                 -(int64_t{1} << 53) - 1,
                                                 (int64_t{1} << 53),
                                                 int64_t{1} << 62,
                                                 INT64_MAX,
                                                 INT64_MIN,
                                                 INT64_MIN + 1,
                                                 INT32_MAX,
                                                 INT32_MIN,
                                                 int64_t{INT32_MAX} + 1,
                                                 1000000000000000000};
    return *rc::gen::elementOf(kValues);
}

// A number near a double: the double itself, a neighbour, an integer, or a decimal rounding.
inline void appendNearDouble(bson_t* b, const char* key, double d) {
    switch (*inRange(0, 5)) {
        case 0:
            bson_append_double(b, key, -1, d);
            return;
        case 1: {
            double toward = *rc::gen::element(INFINITY, -INFINITY);
            for (int steps = *inRange(1, 3); steps > 0; --steps) d = std::nextafter(d, toward);
            bson_append_double(b, key, -1, d);
            return;
        }
        case 2:
            if (std::isfinite(d) && std::fabs(d) < 9.2e18) {
                int64_t n = static_cast<int64_t>(d) + *inRange(-1, 2);
                bson_append_int64(b, key, -1, n);
                return;
            }
            bson_append_double(b, key, -1, d);
            return;
        default:
            appendDecimalString(b, key, doubleToDecimalString(d, *inRange(0, 34)));
            return;
    }
}

// A number near an int64: as int32/int64/double/decimal, or a decimal half a unit away.
inline void appendNearInt64(bson_t* b, const char* key, int64_t n) {
    switch (*inRange(0, 5)) {
        case 0:
            if (n >= INT32_MIN && n <= INT32_MAX) {
                bson_append_int32(b, key, -1, static_cast<int32_t>(n));
                return;
            }
            bson_append_int64(b, key, -1, n);
            return;
        case 1:
            bson_append_int64(b, key, -1, n);
            return;
        case 2:
            bson_append_double(b, key, -1, static_cast<double>(n));
            return;
        case 3:
            appendDecimalString(b, key,
                                std::to_string(n) + *element<std::string>("", "0E-1", ".5",
                                                                          ".4999999999", "000E-3"));
            return;
        default:
            appendDecimalString(b, key, std::to_string(n) + "E" + std::to_string(*inRange(-3, 4)));
            return;
    }
}

inline void appendRandomDecimal(bson_t* b, const char* key) {
    if (*inRange(0, 8) == 0) {  // raw bits: NaN, infinities, non-canonical forms
        bson_decimal128_t d;
        static const std::vector<uint64_t> kHighs = {0x7C00000000000000ull, 0xFC00000000000000ull,
                                                     0x7800000000000000ull, 0xF800000000000000ull,
                                                     0x6000000000000000ull, 0x3041ED09BEAD87C0ull,
                                                     0x0001ED09BEAD87C0ull};
        d.high = *rc::gen::elementOf(kHighs) ^ (*inRange<uint64_t>(0, 4) << 32);
        d.low = *rc::gen::arbitrary<uint64_t>();
        bson_append_decimal128(b, key, -1, &d);
        return;
    }
    std::string digits;
    int n = *inRange(1, 35);
    for (int i = 0; i < n; ++i) digits.push_back(static_cast<char>('0' + *inRange(0, 10)));
    bool wide = *inRange(0, 4) == 0;
    int exp = wide ? *inRange(-6176, 6112) : *inRange(-40, 30);
    std::string sign = *rc::gen::element<std::string>("", "-");
    appendDecimalString(b, key, sign + digits + "E" + std::to_string(exp));
}

// A 34-digit decimal a few units in the last place away from a 34-digit rounding of an
// interesting double: many such decimals fall in the same 63-bit binary window, where only
// KeyString's decimal tiebreak orders them.
inline void appendNearDecimal(bson_t* b, const char* key, double d) {
    if (!std::isfinite(d)) return appendDecimalString(b, key, doubleToDecimalString(d, 0));
    std::string s = doubleToDecimalString(d, 33);  // "d.ddd...e+XX"
    size_t e = s.find('e');
    if (*inRange(0, 3) == 0) {  // fewer digits: 24..33 significant
        size_t cut = *inRange<size_t>(1, 11);
        s = s.substr(0, e - cut) + s.substr(e);
        e -= cut;
    }
    size_t last = e - 1;
    int digit = (s[last] - '0') + *inRange(-3, 4);
    if (digit >= 0 && digit <= 9) s[last] = static_cast<char>('0' + digit);
    appendDecimalString(b, key, s);
}

inline void appendRandomNumber(bson_t* b, const char* key) {
    switch (*inRange(0, 11)) {
        case 8:
        case 9:  // few bases, so pools share 63-bit windows
            return appendNearDecimal(b, key, *element(0.1, -1.0 / 3, 1e23));
        case 0:
            bson_append_int32(b, key, -1, *rc::gen::arbitrary<int32_t>());
            return;
        case 1:
            bson_append_int64(b, key, -1, *rc::gen::arbitrary<int64_t>());
            return;
        case 2:
            bson_append_double(b, key, -1, *rc::gen::arbitrary<double>());
            return;
        case 3:
        case 4:
            return appendNearDouble(b, key, interestingDouble());
        case 5:
        case 6:
            return appendNearInt64(b, key, interestingInt64());
        default:
            return appendRandomDecimal(b, key);
    }
}

inline std::string trickyString(bool allowNul) {
    static const std::vector<char> kAlphabet = {'a',    'b',    '\0',   '\x01',
                                                '\x7f', '\xc3', '\xa9', '\xff'};
    std::string s;
    for (int n = *inRange(0, 5); n > 0; --n) {
        char c = *rc::gen::elementOf(kAlphabet);
        if (c == '\0' && !allowNul) c = 'a';
        s.push_back(c);
    }
    return s;
}

// A regex with its options exactly as given (bson_append_regex would sort them; clients can
// send them unsorted).
inline void appendRegexVerbatim(bson_t* b, const char* key, const std::string& pattern,
                                const std::string& options) {
    std::string doc(4, '\0');
    doc.push_back(static_cast<char>(BSON_TYPE_REGEX));
    doc.append(key).push_back('\0');
    doc.append(pattern).push_back('\0');
    doc.append(options).push_back('\0');
    doc.push_back('\0');
    for (int i = 0; i < 4; ++i) doc[i] = static_cast<char>(doc.size() >> (8 * i));
    bson_t element;
    RC_ASSERT(bson_init_static(&element, reinterpret_cast<const uint8_t*>(doc.data()), doc.size()));
    RC_ASSERT(bson_concat(b, &element));
}

inline bson_oid_t smallOid() {
    bson_oid_t oid;
    uint8_t fill = *element<uint8_t>(0x00, 0x01, 0xff);
    for (auto& byte : oid.bytes) byte = fill;
    oid.bytes[11] = *element<uint8_t>(0x00, 0x7f, 0x80, 0xff);
    return oid;
}

inline void appendRandomValue(bson_t* b, const char* key, int depth);

inline void appendRandomChildren(bson_t* child, bool isArray, int depth) {
    static const std::vector<std::string> kNames = {"", "a", "ab", "b", "\xc3\xa9"};
    char buf[16];
    for (uint32_t i = 0, n = *inRange(0, 4); i < n; ++i) {
        std::string name =
            isArray ? std::string(arrayIndexKey(i, buf)) : *rc::gen::elementOf(kNames);
        appendRandomValue(child, name.c_str(), depth - 1);
    }
}

inline void appendRandomNested(bson_t* b, const char* key, int depth) {
    bool isArray = *rc::gen::arbitrary<bool>();
    bson_t child;
    if (isArray) {
        bson_append_array_begin(b, key, -1, &child);
    } else {
        bson_append_document_begin(b, key, -1, &child);
    }
    appendRandomChildren(&child, isArray, depth);
    if (isArray) {
        bson_append_array_end(b, &child);
    } else {
        bson_append_document_end(b, &child);
    }
}

inline void appendRandomBinData(bson_t* b, const char* key) {
    bson_subtype_t subtype = *element(BSON_SUBTYPE_BINARY, BSON_SUBTYPE_BINARY_DEPRECATED,
                                      BSON_SUBTYPE_UUID, BSON_SUBTYPE_USER);
    std::string bytes = trickyString(true);
    bson_append_binary(b, key, -1, subtype, reinterpret_cast<const uint8_t*>(bytes.data()),
                       static_cast<uint32_t>(bytes.size()));
}

inline void appendRandomScalar(bson_t* b, const char* key) {
    switch (*inRange(0, 13)) {
        case 0:
            bson_append_minkey(b, key, -1);
            return;
        case 1:
            bson_append_maxkey(b, key, -1);
            return;
        case 2:
            bson_append_null(b, key, -1);
            return;
        case 3:
            bson_append_undefined(b, key, -1);
            return;
        case 4:
            bson_append_bool(b, key, -1, *rc::gen::arbitrary<bool>());
            return;
        case 5: {
            bson_oid_t oid = smallOid();
            bson_append_oid(b, key, -1, &oid);
            return;
        }
        case 6:
            bson_append_date_time(b, key, -1, *element<int64_t>(INT64_MIN, -1, 0, 1, INT64_MAX));
            return;
        case 7:
            bson_append_timestamp(b, key, -1, *element<uint32_t>(0, 1, 0x80000000u, UINT32_MAX),
                                  *element<uint32_t>(0, 1, UINT32_MAX));
            return;
        case 8:
            appendRegexVerbatim(b, key, trickyString(false),
                                *element<std::string>("", "i", "is", "s", "si"));
            return;
        case 9: {
            bson_oid_t oid = smallOid();
            bson_append_dbpointer(b, key, -1, *element<const char*>("", "a", "ab", "b"), &oid);
            return;
        }
        case 10:
            bson_append_code(b, key, -1, trickyString(false).c_str());
            return;
        case 11: {
            std::string s = trickyString(true);
            bson_append_symbol(b, key, -1, s.data(), static_cast<int>(s.size()));
            return;
        }
        default:
            return appendRandomBinData(b, key);
    }
}

inline void appendCodeWithScope(bson_t* b, const char* key, int depth) {
    bson_t scope;
    bson_init(&scope);
    appendRandomChildren(&scope, false, depth);
    bson_append_code_with_scope(b, key, -1, trickyString(false).c_str(), &scope);
    bson_destroy(&scope);
}

// Numbers and strings dominate so that pools share ranks and compare by value.
inline void appendRandomValue(bson_t* b, const char* key, int depth) {
    int choice = *inRange(0, 20);
    if (choice < 9) return appendRandomNumber(b, key);
    if (choice < 12) {
        std::string s = trickyString(true);
        bson_append_utf8(b, key, -1, s.data(), static_cast<int>(s.size()));
        return;
    }
    if (choice < 16 && depth > 0) return appendRandomNested(b, key, depth);
    if (choice == 16 && depth > 0) return appendCodeWithScope(b, key, depth);
    appendRandomScalar(b, key);
}

// {"v": <random value>}, nested at most `depth` levels.
inline rc::Gen<BsonObj> genValueDoc(int depth = 3) {
    return rc::gen::exec([depth] {
        BsonBuilder builder;
        appendRandomValue(builder.get(), "v", depth);
        return builder.obj();
    });
}

// {"v": <random number>}
inline rc::Gen<BsonObj> genNumberDoc() {
    return rc::gen::exec([] {
        BsonBuilder builder;
        appendRandomNumber(builder.get(), "v");
        return builder.obj();
    });
}

// {"v": <number near base>}: pools of these are mostly within a few ulps of each other.
inline rc::Gen<BsonObj> genNumberDocNear(double base) {
    return rc::gen::exec([base] {
        BsonBuilder builder;
        switch (*inRange(0, 3)) {
            case 0:
                appendNearDouble(builder.get(), "v", base);
                break;
            case 1:
                appendNearDecimal(builder.get(), "v", base);
                break;
            default:
                appendNearInt64(builder.get(), "v",
                                std::isfinite(base) && std::fabs(base) < 9e18
                                    ? static_cast<int64_t>(base)
                                    : interestingInt64());
        }
        return builder.obj();
    });
}

// A document with `nFields` random values under names "a", "b", ...
inline rc::Gen<BsonObj> genKeyDoc(int nFields, int depth = 2) {
    return rc::gen::exec([nFields, depth] {
        BsonBuilder builder;
        for (int i = 0; i < nFields; ++i) {
            std::string name(1, static_cast<char>('a' + i));
            appendRandomValue(builder.get(), name.c_str(), depth);
        }
        return builder.obj();
    });
}

}  // namespace randombson
}  // namespace mongosd
