#include "common/key_string.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/bson_compare.h"
#include "tests/common/allocation_counter.h"
#include "tests/common/random_bson.h"
#include "tests/common/test_values.h"

namespace mongosd::keystring {
namespace {

using namespace testvalues;

std::string ks(const BsonObj& obj) { return encodeValue(firstValue(obj)); }

// Expects the values in strictly ascending order, both by compareValues and by KeyString.
void expectAscending(const std::vector<BsonObj>& values) {
    for (size_t i = 0; i + 1 < values.size(); ++i) {
        bson_iter_t a = firstValue(values[i]), b = firstValue(values[i + 1]);
        EXPECT_EQ(compareValues(a, b), -1) << "index " << i;
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
    std::vector<BsonObj> values = {
        i32(5),          i64(int64_t{1} << 40), dbl(0.1),    dbl(-1e300),       dec("0.1"),
        dec("-1E-6176"), dec("1E+6144"),        str("x\0y"), dbl(std::nan("")), i64(INT64_MIN)};
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
    EXPECT_EQ(
        encodeDocumentValues(decoded.getValue(), {Direction::kAscending, Direction::kDescending}),
        bytes);
}

TEST(KeyString, RegexOptionsRoundTripUnsorted) {
    BsonBuilder b;
    randombson::appendRegexVerbatim(b.get(), "v", "a.c", "si");
    BsonObj regex = b.obj();
    std::string bytes = ks(regex);
    auto decoded = decode(bytes, 1);
    ASSERT_TRUE(decoded.isOK()) << decoded.getStatus().toString();
    bson_iter_t it = firstValue(decoded.getValue());
    const char* options = nullptr;
    EXPECT_STREQ(bson_iter_regex(&it, &options), "a.c");
    EXPECT_STREQ(options, "si");
    EXPECT_EQ(encodeValue(it), bytes);
}

TEST(KeyString, NestedValuesAndDepthLimit) {
    // {"v": {"v": ... {"v": 1}}} with 100 nested documents: the deepest validateBson allows.
    BsonObj inner = i32(1);
    for (int i = 0; i < 100; ++i) inner = sub(inner);
    ASSERT_TRUE(validateBson(inner.data(), inner.size()).isOK());
    std::string bytes = ks(inner);
    auto decoded = decode(bytes, 1);
    ASSERT_TRUE(decoded.isOK()) << decoded.getStatus().toString();
    EXPECT_EQ(encodeValue(firstValue(decoded.getValue())), bytes);
    // One more level inside a key is corrupt on decode (the encoder never writes it).
    std::string tooDeep = std::string(1, '\x46') + "\x16v" + std::string(1, '\0') + bytes + '\0';
    EXPECT_EQ(decode(tooDeep, 1).getStatus().code(), ErrorCodes::FailedToParse);
}

TEST(KeyString, BuilderReuseAndMinMaxKeys) {
    Builder b;
    b.appendMinKey();
    b.appendValue(firstValue(str("abc")), Direction::kDescending);
    b.appendMaxKey(Direction::kDescending);
    std::string first = b.bytes();
    b.reset();
    EXPECT_TRUE(b.bytes().empty());
    b.appendMinKey();
    b.appendValue(firstValue(str("abc")), Direction::kDescending);
    b.appendMaxKey(Direction::kDescending);
    EXPECT_EQ(b.bytes(), first);
    auto decoded =
        decode(first, 3, {Direction::kAscending, Direction::kDescending, Direction::kDescending});
    ASSERT_TRUE(decoded.isOK()) << decoded.getStatus().toString();
    bson_iter_t it;
    ASSERT_TRUE(decoded.getValue().view().iterInit(&it));
    ASSERT_TRUE(bson_iter_next(&it));
    EXPECT_EQ(bson_iter_type(&it), BSON_TYPE_MINKEY);
    ASSERT_TRUE(bson_iter_next(&it));
    EXPECT_STREQ(bson_iter_utf8(&it, nullptr), "abc");
    ASSERT_TRUE(bson_iter_next(&it));
    EXPECT_EQ(bson_iter_type(&it), BSON_TYPE_MAXKEY);
}

TEST(KeyString, ReusedBuilderDoesNotAllocate) {
    BsonBuilder doc;
    doc.appendInt32("i", 7).appendDouble("d", 0.1).appendString("s", std::string("a\0b", 3));
    doc.appendDocument("o", [](BsonBuilder& o) { o.appendInt64("x", INT64_MIN); });
    doc.appendArray("a", [](BsonBuilder& a) { a.appendBool("0", true).appendNull("1"); });
    bson_decimal128_t tenth, huge;
    ASSERT_TRUE(bson_decimal128_from_string("0.1", &tenth));
    ASSERT_TRUE(bson_decimal128_from_string("1.234567890123456789012345678901234E+6000", &huge));
    bson_append_decimal128(doc.get(), "x", 1, &tenth);
    bson_append_decimal128(doc.get(), "y", 1, &huge);
    BsonObj obj = doc.obj();
    auto encodeAll = [&](Builder& b) {
        b.reset();
        bson_iter_t it;
        ASSERT_TRUE(obj.view().iterInit(&it));
        while (bson_iter_next(&it)) b.appendValue(it, Direction::kDescending);
    };
    Builder b;
    encodeAll(b);  // warms the buffer up
    std::string first = b.bytes();
    long before = allocationCount();
    for (int i = 0; i < 100; ++i) encodeAll(b);
    EXPECT_EQ(allocationCount() - before, 0);
    EXPECT_EQ(b.bytes(), first);
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

// ---- Property tests: KeyString order == compareValues order -----------------------------

int sign(int v) { return (v > 0) - (v < 0); }

int ksCompare(const std::string& a, const std::string& b) { return sign(a.compare(b)); }

// Checks every pair of a pool of values: the pool makes equal and adjacent values common.
void checkPoolOrder(const std::vector<BsonObj>& pool) {
    std::vector<std::string> keys;
    for (const BsonObj& v : pool) keys.push_back(ks(v));
    for (size_t i = 0; i < pool.size(); ++i) {
        for (size_t j = 0; j < pool.size(); ++j) {
            bson_iter_t a = firstValue(pool[i]), b = firstValue(pool[j]);
            int byCompare = compareValues(a, b);
            RC_ASSERT(byCompare == -compareValues(b, a));
            if (byCompare != ksCompare(keys[i], keys[j])) {
                RC_FAIL("order mismatch: compareValues=" + std::to_string(byCompare) + " for " +
                        rc::toString(pool[i]) + " vs " + rc::toString(pool[j]));
            }
        }
    }
}

RC_GTEST_PROP(KeyStringProperty, OrderMatchesCompareValues, ()) {
    int n = *rc::gen::inRange(2, 10);
    checkPoolOrder(*rc::gen::container<std::vector<BsonObj>>(n, randombson::genValueDoc()));
}

RC_GTEST_PROP(KeyStringProperty, NumberOrderMatchesCompareValues, ()) {
    int n = *rc::gen::inRange(2, 16);
    checkPoolOrder(*rc::gen::container<std::vector<BsonObj>>(n, randombson::genNumberDoc()));
}

RC_GTEST_PROP(KeyStringProperty, NearbyNumbersOrderMatchesCompareValues, ()) {
    double base = *rc::gen::oneOf(rc::gen::arbitrary<double>(),
                                  rc::gen::exec(&randombson::interestingDouble));
    int n = *rc::gen::inRange(2, 16);
    checkPoolOrder(
        *rc::gen::container<std::vector<BsonObj>>(n, randombson::genNumberDocNear(base)));
}

int compareCompound(const BsonObj& a, const BsonObj& b, const std::vector<Direction>& dirs) {
    bson_iter_t ia, ib;
    RC_ASSERT(a.view().iterInit(&ia) && b.view().iterInit(&ib));
    for (size_t i = 0; bson_iter_next(&ia) && bson_iter_next(&ib); ++i) {
        int c = compareValues(ia, ib);
        if (c != 0) return dirs[i] == Direction::kDescending ? -c : c;
    }
    return 0;
}

RC_GTEST_PROP(KeyStringProperty, CompoundKeysOrderLexicographically, ()) {
    int nFields = *rc::gen::inRange(1, 4);
    auto dirs = *rc::gen::container<std::vector<Direction>>(
        nFields, rc::gen::element(Direction::kAscending, Direction::kDescending));
    int n = *rc::gen::inRange(2, 7);
    auto keys = *rc::gen::container<std::vector<BsonObj>>(n, randombson::genKeyDoc(nFields));
    auto ids = *rc::gen::container<std::vector<BsonObj>>(n, randombson::genNumberDoc());
    Builder reused;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            int expected = compareCompound(keys[i], keys[j], dirs);
            std::string ki = encodeDocumentValues(keys[i], dirs);
            std::string kj = encodeDocumentValues(keys[j], dirs);
            RC_ASSERT(ksCompare(ki, kj) == expected);
            // An _id appended after the key breaks ties only (prefix-freeness).
            bson_iter_t idI = firstValue(ids[i]), idJ = firstValue(ids[j]);
            int withId = expected != 0 ? expected : compareValues(idI, idJ);
            RC_ASSERT(ksCompare(ki + ks(ids[i]), kj + ks(ids[j])) == withId);
        }
        // A reused Builder gives the same bytes as a fresh one.
        reused.reset();
        bson_iter_t it;
        RC_ASSERT(keys[i].view().iterInit(&it));
        for (int f = 0; bson_iter_next(&it); ++f) reused.appendValue(it, dirs[f]);
        RC_ASSERT(reused.bytes() == encodeDocumentValues(keys[i], dirs));
    }
}

RC_GTEST_PROP(KeyStringProperty, DecodeThenEncodeIsIdentity, ()) {
    int nFields = *rc::gen::inRange(1, 4);
    auto dirs = *rc::gen::container<std::vector<Direction>>(
        nFields, rc::gen::element(Direction::kAscending, Direction::kDescending));
    BsonObj key = *randombson::genKeyDoc(nFields);
    std::string bytes = encodeDocumentValues(key, dirs);
    auto decoded = decode(bytes, nFields, dirs);
    RC_ASSERT(decoded.isOK());
    RC_ASSERT(compareDocuments(decoded.getValue(), key, false) == 0);
    RC_ASSERT(encodeDocumentValues(decoded.getValue(), dirs) == bytes);
    RC_ASSERT(validateBson(decoded.getValue().data(), decoded.getValue().size()).isOK() ||
              !validateBson(key.data(), key.size()).isOK());
    // A suffix is left alone when asked for the consumed length.
    size_t consumed = 0;
    RC_ASSERT(decode(bytes + "\x21", nFields, dirs, &consumed).isOK());
    RC_ASSERT(consumed == bytes.size());
}

RC_GTEST_PROP(KeyStringProperty, DecodeNeverTrustsBytes, ()) {
    // Truncated or bit-flipped real keys, and random bytes: an error or a value, no crash.
    BsonObj v = *randombson::genValueDoc();
    std::string bytes = ks(v);
    size_t cut = *rc::gen::inRange<size_t>(0, bytes.size());
    (void)decode(std::string_view(bytes).substr(0, cut), 1).isOK();
    if (!bytes.empty()) {
        size_t at = *rc::gen::inRange<size_t>(0, bytes.size());
        bytes[at] = static_cast<char>(bytes[at] ^ (1 << *rc::gen::inRange(0, 8)));
        (void)decode(bytes, 1).isOK();
    }
    auto noise = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
    (void)decode(noise, *rc::gen::inRange(1, 3)).isOK();
}

}  // namespace
}  // namespace mongosd::keystring
