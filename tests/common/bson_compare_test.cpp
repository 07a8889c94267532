#include "common/bson_compare.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tests/common/random_bson.h"
#include "tests/common/test_values.h"

namespace mongosd {
namespace {

using namespace testvalues;
using namespace std::string_literals;

int cmp(const BsonObj& a, const BsonObj& b) {
    bson_iter_t ia = firstValue(a), ib = firstValue(b);
    return compareValues(ia, ib);
}

// Every value is below every later one, in both argument orders.
void expectAscending(const std::vector<BsonObj>& values) {
    for (size_t i = 0; i < values.size(); ++i) {
        for (size_t j = i + 1; j < values.size(); ++j) {
            EXPECT_EQ(cmp(values[i], values[j]), -1) << i << " vs " << j;
            EXPECT_EQ(cmp(values[j], values[i]), 1) << j << " vs " << i;
        }
        EXPECT_EQ(cmp(values[i], values[i]), 0) << i;
    }
}

void expectEqual(const BsonObj& a, const BsonObj& b) {
    EXPECT_EQ(cmp(a, b), 0);
    EXPECT_EQ(cmp(b, a), 0);
    bson_iter_t ia = firstValue(a), ib = firstValue(b);
    EXPECT_TRUE(valuesEqual(ia, ib));
}

BsonObj doc(const std::function<void(BsonBuilder&)>& fill) {
    BsonBuilder b;
    fill(b);
    return b.obj();
}

TEST(BsonCompare, CanonicalRanksAreMongoDbs) {
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_MINKEY), -1);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_UNDEFINED), 0);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_NULL), 5);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_INT32), 10);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_DECIMAL128), 10);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_SYMBOL), 15);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_DOCUMENT), 20);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_ARRAY), 25);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_BINARY), 30);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_OID), 35);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_BOOL), 40);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_DATE_TIME), 45);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_TIMESTAMP), 47);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_REGEX), 50);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_DBPOINTER), 55);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_CODE), 60);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_CODEWSCOPE), 65);
    EXPECT_EQ(canonicalTypeRank(BSON_TYPE_MAXKEY), 127);
}

TEST(BsonCompare, TypeBracketsOrder) {
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, "ffffffffffffffffffffffff");
    expectAscending({
        wrap([](bson_t* b) { bson_append_minkey(b, "v", 1); }),
        wrap([](bson_t* b) { bson_append_undefined(b, "v", 1); }),
        wrap([](bson_t* b) { bson_append_null(b, "v", 1); }),
        dbl(INFINITY),
        str("\xff"),
        sub(doc([](BsonBuilder& d) { d.appendInt32("z", 1); })),
        arr(doc([](BsonBuilder& d) { d.appendInt32("0", 1); })),
        bin(BSON_SUBTYPE_USER, "\xff\xff"),
        wrap([&](bson_t* b) { bson_append_oid(b, "v", 1, &oid); }),
        wrap([](bson_t* b) { bson_append_bool(b, "v", 1, true); }),
        wrap([](bson_t* b) { bson_append_date_time(b, "v", 1, INT64_MAX); }),
        wrap([](bson_t* b) { bson_append_timestamp(b, "v", 1, UINT32_MAX, UINT32_MAX); }),
        wrap([](bson_t* b) { bson_append_regex(b, "v", 1, "z", "s"); }),
        wrap([&](bson_t* b) { bson_append_dbpointer(b, "v", 1, "db.c", &oid); }),
        wrap([](bson_t* b) { bson_append_code(b, "v", 1, "zzz"); }),
        wrap([](bson_t* b) {
            bson_t scope;
            bson_init(&scope);
            bson_append_code_with_scope(b, "v", 1, "", &scope);
            bson_destroy(&scope);
        }),
        wrap([](bson_t* b) { bson_append_maxkey(b, "v", 1); }),
    });
}

TEST(BsonCompare, NumbersAcrossTypes) {
    const double two53 = 9007199254740992.0;
    // 2^53 + 1 is not a double; as an int64 it is above the double 2^53.
    EXPECT_EQ(cmp(i64((int64_t{1} << 53) + 1), dbl(two53)), 1);
    EXPECT_EQ(cmp(dbl(two53), i64((int64_t{1} << 53) + 1)), -1);
    expectEqual(i64(int64_t{1} << 53), dbl(two53));
    EXPECT_EQ(cmp(i64(INT64_MAX), dbl(9223372036854775808.0)), -1);
    EXPECT_EQ(cmp(i64(INT64_MIN), dbl(-9223372036854775808.0)), 0);
    EXPECT_EQ(cmp(i64(INT64_MIN + 1), dbl(-9223372036854775808.0)), 1);
    expectEqual(i32(1), dbl(1.0));
    expectEqual(i32(1), i64(1));
    expectEqual(i32(1), dec("1.000"));
    expectEqual(dbl(-0.0), i32(0));
    expectEqual(dec("-0E+12"), dbl(0.0));
    expectEqual(dec("0.5"), dbl(0.5));
    expectEqual(dec("9007199254740993"), i64((int64_t{1} << 53) + 1));
    // The double 0.1 is 0.1000000000000000055511151231257827021181583404541015625.
    expectAscending({dec("0.1"), dec("0.1000000000000000055511151231257827"), dbl(0.1),
                     dec("0.1000000000000000055511151231257828")});
    expectAscending({dbl(-0.1), dec("-0.1")});
    expectAscending({dec("1E-6176"), dbl(std::numeric_limits<double>::denorm_min())});
    expectAscending({dbl(std::numeric_limits<double>::max()), dec("1E+309")});
    expectAscending({dec("-Infinity"), dec("-1E+6144"), dbl(-1e308)});
}

TEST(BsonCompare, NaNIsBelowAllNumbersAndEqualsNaN) {
    expectEqual(dbl(std::nan("")), dbl(-std::nan("")));
    expectEqual(dbl(std::nan("")), dec("NaN"));
    expectEqual(dec("-NaN"), dec("NaN"));
    expectAscending({dbl(std::nan("")), dbl(-INFINITY), i64(INT64_MIN)});
    expectAscending({dec("NaN"), dec("-Infinity")});
    // NaN is still a number: above null, below strings.
    expectAscending(
        {wrap([](bson_t* b) { bson_append_null(b, "v", 1); }), dbl(std::nan("")), str("")});
}

TEST(BsonCompare, StringsCompareBytewiseWithEmbeddedNul) {
    expectAscending({str(""), str("a"), str("a\0"s), str("a\0\0"s), str("a\0b"s), str("a\x01"),
                     str("ab"), str("b"), str("\xc3\xa9")});
    expectEqual(str("x"), symbol("x"));
    expectAscending({symbol("a"), str("b")});
}

TEST(BsonCompare, ObjectsCompareRankThenNameThenValue) {
    auto one = [](std::string_view name, auto fill) {
        return sub(doc([&](BsonBuilder& d) { fill(d, name); }));
    };
    auto num = [](int v) {
        return [v](BsonBuilder& d, std::string_view n) { d.appendInt32(n, v); };
    };
    auto text = [](const char* v) {
        return [v](BsonBuilder& d, std::string_view n) { d.appendString(n, v); };
    };
    // Rank first: {b: 1} < {a: "x"} because numbers rank below strings.
    expectAscending({one("b", num(1)), one("a", text("x"))});
    // Then name: {a: 2} < {b: 1}.
    expectAscending({one("a", num(2)), one("b", num(1))});
    // Then value; a prefix is smaller.
    expectAscending({sub(BsonObj()), one("a", num(1)), one("a", num(2))});
    BsonObj ab = sub(doc([](BsonBuilder& d) { d.appendInt32("a", 1).appendInt32("b", 1); }));
    expectAscending({one("a", num(1)), ab});
    expectEqual(one("a", num(1)),
                one("a", [](BsonBuilder& d, std::string_view n) { d.appendDouble(n, 1.0); }));
}

TEST(BsonCompare, ArraysCompareElementWise) {
    auto array = [](std::vector<int> xs) {
        return arr(doc([&](BsonBuilder& d) {
            char buf[16];
            for (uint32_t i = 0; i < xs.size(); ++i) d.appendInt32(arrayIndexKey(i, buf), xs[i]);
        }));
    };
    expectAscending({array({}), array({1}), array({1, 2}), array({1, 3}), array({2})});
    // Element rank decides before value: [5] < ["a"]; keys are ignored.
    expectAscending({array({5}), arr(doc([](BsonBuilder& d) { d.appendString("0", "a"); }))});
    BsonObj oddKeys = wrap([](bson_t* b) {
        bson_t child;
        bson_append_array_begin(b, "v", 1, &child);
        bson_append_int32(&child, "k", 1, 7);
        bson_append_array_end(b, &child);
    });
    expectEqual(array({7}), oddKeys);
}

TEST(BsonCompare, BinDataComparesLengthThenSubtypeThenBytes) {
    expectAscending({bin(BSON_SUBTYPE_USER, "\xff"), bin(BSON_SUBTYPE_BINARY, "\x00\x00"s)});
    expectAscending({bin(BSON_SUBTYPE_BINARY, "zz"), bin(BSON_SUBTYPE_UUID, "aa")});
    expectAscending({bin(BSON_SUBTYPE_BINARY, "ab"), bin(BSON_SUBTYPE_BINARY, "ac")});
    // Subtype 2 carries a 4-byte inner length that counts towards its length.
    expectAscending({bin(BSON_SUBTYPE_BINARY, "12345"), bin(BSON_SUBTYPE_BINARY_DEPRECATED, "1"),
                     bin(BSON_SUBTYPE_BINARY, "123456")});
}

TEST(BsonCompare, OtherScalars) {
    expectAscending({wrap([](bson_t* b) { bson_append_bool(b, "v", 1, false); }),
                     wrap([](bson_t* b) { bson_append_bool(b, "v", 1, true); })});
    expectAscending({wrap([](bson_t* b) { bson_append_date_time(b, "v", 1, -1); }),
                     wrap([](bson_t* b) { bson_append_date_time(b, "v", 1, 0); })});
    // Timestamps are unsigned: t = 2^31 is above t = 1.
    expectAscending({wrap([](bson_t* b) { bson_append_timestamp(b, "v", 1, 1, 5); }),
                     wrap([](bson_t* b) { bson_append_timestamp(b, "v", 1, 0x80000000u, 0); })});
    expectAscending({wrap([](bson_t* b) { bson_append_regex(b, "v", 1, "a", "s"); }),
                     wrap([](bson_t* b) { bson_append_regex(b, "v", 1, "ab", "i"); }),
                     wrap([](bson_t* b) { bson_append_regex(b, "v", 1, "ab", "s"); })});
}

TEST(BsonCompare, DocumentsWithAndWithoutFieldNames) {
    BsonObj a = doc([](BsonBuilder& d) { d.appendInt32("x", 1).appendInt32("y", 2); });
    BsonObj b = doc([](BsonBuilder& d) { d.appendInt32("a", 1).appendInt32("b", 2); });
    EXPECT_EQ(compareDocuments(a, b), 1);
    EXPECT_EQ(compareDocuments(b, a), -1);
    EXPECT_EQ(compareDocuments(a, b, false), 0);
    BsonObj shorter = doc([](BsonBuilder& d) { d.appendInt32("x", 1); });
    EXPECT_EQ(compareDocuments(shorter, a), -1);
    EXPECT_EQ(compareDocuments(BsonObj(), BsonObj()), 0);
}

// ---- Property: compareValues on numbers agrees with a slow reference ---------------------
//
// The reference writes each number as an exact decimal string (std::to_chars prints every
// digit of a double at enough precision; libbson prints decimal128 exactly) and compares
// those strings digit by digit. It shares no code with the comparator.

struct ReferenceNumber {
    int cls = 3;         // 0 NaN, 1 -inf, 2 negative, 3 zero, 4 positive, 5 +inf
    std::string digits;  // no leading or trailing zeros; value = 0.digits * 10^exponent
    long exponent = 0;
};

// Parses "[-]digits[.digits][(e|E)[+-]digits]" (or NaN / Infinity forms) exactly.
ReferenceNumber parseReference(std::string s) {
    ReferenceNumber r;
    bool negative = !s.empty() && s[0] == '-';
    if (negative) s.erase(0, 1);
    if (s == "NaN" || s == "nan") return {0, "", 0};
    if (s == "Infinity" || s == "inf") return {negative ? 1 : 5, "", 0};
    size_t e = s.find_first_of("eE");
    long exp10 = e == std::string::npos ? 0 : std::stol(s.substr(e + 1));
    std::string mantissa = s.substr(0, e);
    size_t dot = mantissa.find('.');
    std::string intPart = mantissa.substr(0, dot);
    std::string fracPart = dot == std::string::npos ? "" : mantissa.substr(dot + 1);
    std::string all = intPart + fracPart;
    long pointPos = static_cast<long>(intPart.size()) + exp10;  // digits before the point
    size_t first = all.find_first_not_of('0');
    if (first == std::string::npos) return r;  // zero
    size_t last = all.find_last_not_of('0');
    r.digits = all.substr(first, last - first + 1);
    r.exponent = pointPos - static_cast<long>(first);
    r.cls = negative ? 2 : 4;
    return r;
}

ReferenceNumber referenceOf(const bson_iter_t& it) {
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_INT32:
            return parseReference(std::to_string(bson_iter_int32(&it)));
        case BSON_TYPE_INT64:
            return parseReference(std::to_string(bson_iter_int64(&it)));
        case BSON_TYPE_DOUBLE: {
            char buf[1200];
            auto res = std::to_chars(buf, buf + sizeof(buf), bson_iter_double(&it),
                                     std::chars_format::scientific, 800);  // every digit
            return parseReference(std::string(buf, res.ptr));
        }
        default: {
            bson_decimal128_t d;
            bson_iter_decimal128(&it, &d);
            char buf[BSON_DECIMAL128_STRING];
            bson_decimal128_to_string(&d, buf);
            // IEEE 754-2008: a coefficient above 10^34 - 1 is non-canonical and means zero;
            // libbson prints its digits anyway, so count them.
            std::string text(buf);
            std::string mantissa = text.substr(0, text.find_first_of("eE"));
            size_t firstSignificant = mantissa.find_first_of("123456789");
            if (firstSignificant == std::string::npos) firstSignificant = mantissa.size();
            size_t nDigits = std::count_if(mantissa.begin() + firstSignificant, mantissa.end(),
                                           [](char c) { return std::isdigit(c) != 0; });
            if (nDigits > 34) return ReferenceNumber{};
            return parseReference(text);
        }
    }
}

int referenceCompare(const ReferenceNumber& a, const ReferenceNumber& b) {
    if (a.cls != b.cls) return a.cls < b.cls ? -1 : 1;
    if (a.cls != 2 && a.cls != 4) return 0;
    int mag = a.exponent != b.exponent ? (a.exponent < b.exponent ? -1 : 1)
                                       : (a.digits < b.digits ? -1 : (b.digits < a.digits ? 1 : 0));
    return a.cls == 2 ? -mag : mag;
}

TEST(BsonCompare, ReferenceParsesLibbsonDecimalForms) {
    BsonObj big = dec("1.20E+3"), small = dec("-0.00120");
    bson_iter_t it = firstValue(big);
    ReferenceNumber r = referenceOf(it);
    EXPECT_EQ(r.digits, "12");
    EXPECT_EQ(r.exponent, 4);
    it = firstValue(small);
    r = referenceOf(it);
    EXPECT_EQ(r.cls, 2);
    EXPECT_EQ(r.digits, "12");
    EXPECT_EQ(r.exponent, -2);
}

void checkNumberPool(const std::vector<BsonObj>& pool) {
    for (const BsonObj& x : pool) {
        for (const BsonObj& y : pool) {
            bson_iter_t a = firstValue(x), b = firstValue(y);
            int expected = referenceCompare(referenceOf(a), referenceOf(b));
            if (compareValues(a, b) != expected) {
                RC_FAIL("compareValues disagrees with reference (" + std::to_string(expected) +
                        ") for " + rc::toString(x) + " vs " + rc::toString(y));
            }
        }
    }
}

RC_GTEST_PROP(BsonCompareProperty, NumbersMatchExactDecimalReference, ()) {
    int n = *rc::gen::inRange(2, 12);
    checkNumberPool(*rc::gen::container<std::vector<BsonObj>>(n, randombson::genNumberDoc()));
}

RC_GTEST_PROP(BsonCompareProperty, NearbyNumbersMatchExactDecimalReference, ()) {
    double base = *rc::gen::oneOf(rc::gen::arbitrary<double>(),
                                  rc::gen::exec(&randombson::interestingDouble));
    int n = *rc::gen::inRange(2, 12);
    checkNumberPool(
        *rc::gen::container<std::vector<BsonObj>>(n, randombson::genNumberDocNear(base)));
}

}  // namespace
}  // namespace mongosd
