#include "common/key_string.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/bson_compare.h"

namespace mongosd::keystring {
namespace {

// A one-field document {"v": value} made by `fill`; helpers below read its only value.
template <typename Fill>
BsonObj wrap(Fill fill) {
    BsonBuilder b;
    fill(b.get());
    return b.obj();
}

bson_iter_t firstValue(const BsonObj& obj) {
    bson_iter_t it;
    EXPECT_TRUE(obj.view().iterInit(&it));
    EXPECT_TRUE(bson_iter_next(&it));
    return it;
}

BsonObj i32(int32_t v) { return wrap([&](bson_t* b) { bson_append_int32(b, "v", 1, v); }); }
BsonObj i64(int64_t v) { return wrap([&](bson_t* b) { bson_append_int64(b, "v", 1, v); }); }
BsonObj dbl(double v) { return wrap([&](bson_t* b) { bson_append_double(b, "v", 1, v); }); }
BsonObj dec(const char* s) {
    return wrap([&](bson_t* b) {
        bson_decimal128_t d;
        EXPECT_TRUE(bson_decimal128_from_string(s, &d)) << s;
        bson_append_decimal128(b, "v", 1, &d);
    });
}
BsonObj str(std::string_view s) {
    return wrap([&](bson_t* b) { bson_append_utf8(b, "v", 1, s.data(), (int)s.size()); });
}

std::string ks(const BsonObj& obj) { return encodeValue(firstValue(obj)); }


// Expects the values in strictly ascending order, both by compareValues and by KeyString.
void expectAscending(const std::vector<BsonObj>& values) {
    for (size_t i = 0; i + 1 < values.size(); ++i) {
        EXPECT_LT(ks(values[i]), ks(values[i + 1])) << "index " << i;
    }
}

TEST(KeyString, EqualNumbersEncodeIdentically) {
    EXPECT_EQ(ks(i32(1)), ks(dbl(1.0)));
    EXPECT_EQ(ks(i32(1)), ks(i64(1)));
    EXPECT_EQ(ks(i32(1)), ks(dec("1.00")));
    EXPECT_EQ(ks(i32(-7)), ks(dec("-7E0")));
    EXPECT_EQ(ks(dbl(0.5)), ks(dec("0.5")));
    EXPECT_EQ(ks(dbl(-0.0)), ks(i32(0)));
    EXPECT_EQ(ks(dec("-0")), ks(i32(0)));
    EXPECT_EQ(ks(dec("NaN")), ks(dbl(std::nan(""))));
    EXPECT_EQ(ks(dec("Infinity")), ks(dbl(INFINITY)));
    EXPECT_EQ(ks(i64(int64_t{1} << 62)), ks(dbl(std::ldexp(1.0, 62))));
    EXPECT_EQ(ks(dec("9007199254740993")), ks(i64(9007199254740993LL)));
    EXPECT_NE(ks(dbl(0.1)), ks(dec("0.1")));
}

TEST(KeyString, NumbersOrderAcrossTypes) {
    int64_t big = (int64_t{1} << 53) + 1;
    expectAscending({
        dbl(std::nan("")),
        dbl(-INFINITY),
        dec("-1E+6000"),
        i64(std::numeric_limits<int64_t>::min()),
        dbl(-1.5),
        i32(-1),
        dbl(-0.1),  // -0.1000000000000000055...
        dec("-0.1"),
        dbl(-std::numeric_limits<double>::denorm_min()),
        i32(0),
        dec("1E-6176"),
        dbl(std::numeric_limits<double>::denorm_min()),
        dbl(0.1),
        dec("0.1000000000000000055511151231257828"),
        i32(1),
        dec("1.000000000000000000000000000000001"),
        dbl(std::ldexp(1.0, 53)),
        i64(big),
        dbl(std::ldexp(1.0, 53) + 2),
        i64(std::numeric_limits<int64_t>::max()),
        dbl(std::ldexp(1.0, 63)),
        dbl(1e300),
        dec("9.999999999999999999999999999999999E+6144"),
        dbl(INFINITY),
    });
    // 0.1 as a double is 0.1000000000000000055511151231257827021...
    expectAscending({dec("0.1"), dbl(0.1), dec("0.1000000000000000055511151231257828")});
    expectAscending({dec("0.1000000000000000055511151231257827"), dbl(0.1)});
}

TEST(KeyString, StringsWithNulOrderBytewise) {
    using namespace std::string_literals;
    expectAscending({str(""), str("a"), str("a\0"s), str("a\0\0"s), str("a\0b"s), str("a\x01"),
                     str("ab"), str("b")});
}

TEST(KeyString, TypeBracketsOrder) {
    expectAscending({
        wrap([](bson_t* b) { bson_append_minkey(b, "v", 1); }),
        wrap([](bson_t* b) { bson_append_undefined(b, "v", 1); }),
        wrap([](bson_t* b) { bson_append_null(b, "v", 1); }),
        dbl(INFINITY),
        str(""),
        wrap([](bson_t* b) {
            bson_t c;
            bson_append_document_begin(b, "v", 1, &c);
            bson_append_document_end(b, &c);
        }),
        wrap([](bson_t* b) {
            bson_t c;
            bson_append_array_begin(b, "v", 1, &c);
            bson_append_array_end(b, &c);
        }),
        wrap([](bson_t* b) { bson_append_binary(b, "v", 1, BSON_SUBTYPE_BINARY, nullptr, 0); }),
        wrap([](bson_t* b) {
            bson_oid_t oid;
            bson_oid_init_from_string(&oid, "000000000000000000000000");
            bson_append_oid(b, "v", 1, &oid);
        }),
        wrap([](bson_t* b) { bson_append_bool(b, "v", 1, false); }),
        wrap([](bson_t* b) { bson_append_bool(b, "v", 1, true); }),
        wrap([](bson_t* b) { bson_append_date_time(b, "v", 1, INT64_MIN); }),
        wrap([](bson_t* b) { bson_append_date_time(b, "v", 1, 0); }),
        wrap([](bson_t* b) { bson_append_timestamp(b, "v", 1, 0, 0); }),
        wrap([](bson_t* b) { bson_append_regex(b, "v", 1, "", ""); }),
        wrap([](bson_t* b) { bson_append_code(b, "v", 1, ""); }),
        wrap([](bson_t* b) { bson_append_maxkey(b, "v", 1); }),
    });
}

TEST(KeyString, DescendingInvertsOrderAndStaysPrefixFree) {
    using namespace std::string_literals;
    auto desc = [](const BsonObj& o) {
        Builder b;
        b.appendValue(firstValue(o), Direction::kDescending);
        return b.release();
    };
    EXPECT_GT(desc(str("a")), desc(str("a\0"s)));
    EXPECT_GT(desc(str("a\0"s)), desc(str("ab")));
    EXPECT_GT(desc(i32(1)), desc(i32(2)));
    EXPECT_LT(desc(i32(-2)), desc(dbl(-2.5)));
}

TEST(KeyString, DecodeRoundTripsValues) {
    std::vector<BsonObj> values = {i32(5),           i64(int64_t{1} << 40), dbl(0.1),
                                   dbl(-1e300),      dec("0.1"),             dec("-1E-6176"),
                                   dec("1E+6144"),   str("x\0y"),            dbl(std::nan("")),
                                   i64(INT64_MIN)};
    for (const BsonObj& v : values) {
        std::string bytes = ks(v);
        auto decoded = decode(bytes, 1);
        ASSERT_TRUE(decoded.isOK()) << decoded.getStatus().toString();
        EXPECT_EQ(encodeValue(firstValue(decoded.getValue())), bytes);
    }
}

TEST(KeyString, DecodeNarrowsNumberTypes) {
    auto typeAfterRoundTrip = [](const BsonObj& v) {
        auto decoded = decode(ks(v), 1);
        EXPECT_TRUE(decoded.isOK());
        bson_iter_t it = firstValue(decoded.getValue());
        return bson_iter_type(&it);
    };
    EXPECT_EQ(typeAfterRoundTrip(dbl(3.0)), BSON_TYPE_INT32);
    EXPECT_EQ(typeAfterRoundTrip(i64(3)), BSON_TYPE_INT32);
    EXPECT_EQ(typeAfterRoundTrip(i64(int64_t{1} << 40)), BSON_TYPE_INT64);
    EXPECT_EQ(typeAfterRoundTrip(dbl(0.25)), BSON_TYPE_DOUBLE);
    EXPECT_EQ(typeAfterRoundTrip(dec("0.5")), BSON_TYPE_DOUBLE);
    EXPECT_EQ(typeAfterRoundTrip(dec("0.1")), BSON_TYPE_DECIMAL128);
    EXPECT_EQ(typeAfterRoundTrip(dbl(-0.0)), BSON_TYPE_INT32);
}

TEST(KeyString, CompoundKeysAndSuffixes) {
    BsonBuilder kb;
    kb.appendInt32("courseId", 5).appendString("lesson", "intro");
    BsonObj key = kb.obj();
    std::string bytes = encodeDocumentValues(key, {Direction::kAscending, Direction::kDescending});
    std::string withId = bytes + ks(i32(42));
    size_t consumed = 0;
    auto decoded = decode(withId, 2, {Direction::kAscending, Direction::kDescending}, &consumed);
    ASSERT_TRUE(decoded.isOK()) << decoded.getStatus().toString();
    EXPECT_EQ(consumed, bytes.size());
    EXPECT_FALSE(decode(withId, 2, {Direction::kAscending, Direction::kDescending}).isOK());
    EXPECT_EQ(encodeDocumentValues(decoded.getValue(), {Direction::kAscending,
                                                         Direction::kDescending}),
              bytes);
}

TEST(KeyString, DecodeRejectsCorruptBytes) {
    EXPECT_EQ(decode("", 1).getStatus().code(), ErrorCodes::FailedToParse);
    EXPECT_EQ(decode(std::string(1, '\x3C'), 1).getStatus().code(), ErrorCodes::FailedToParse);
    EXPECT_EQ(decode(std::string(1, '\x01'), 1).getStatus().code(), ErrorCodes::FailedToParse);
    std::string truncated = ks(dbl(0.1));
    truncated.pop_back();
    EXPECT_FALSE(decode(truncated, 1).isOK());
    EXPECT_FALSE(decode(std::string("\x5A\xFF\xFF\xFF\xFF\x00", 6), 1).isOK());
}

}  // namespace
}  // namespace mongosd::keystring
