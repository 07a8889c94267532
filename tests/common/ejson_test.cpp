#include "common/json/ejson.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace mongosd::json {
namespace {

BsonObj parseOk(std::string_view json) {
    auto r = parseJsonObject(json);
    EXPECT_TRUE(r.isOK()) << json << " -> " << r.getStatus().toString();
    return r.isOK() ? r.getValue() : BsonObj();
}

ErrorCodes::Error parseCode(std::string_view json, const JsonParseLimits& limits = {}) {
    auto r = parseJsonObject(json, limits);
    return r.isOK() ? ErrorCodes::OK : r.getStatus().code();
}

std::string reason(std::string_view json) {
    auto r = parseJsonObject(json);
    return r.isOK() ? "" : r.getStatus().reason();
}

// Canonical output must reproduce the document byte for byte.
void expectCanonicalRoundTrip(const BsonObj& doc) {
    std::string json = toJson(doc, JsonMode::kCanonical);
    auto back = parseJsonObject(json);
    ASSERT_TRUE(back.isOK()) << json << " -> " << back.getStatus().toString();
    EXPECT_TRUE(back.getValue().view().binaryEqual(doc)) << json;
}

void expectRelaxedRoundTrip(const BsonObj& doc) {
    std::string json = toJson(doc, JsonMode::kRelaxed);
    auto back = parseJsonObject(json);
    ASSERT_TRUE(back.isOK()) << json << " -> " << back.getStatus().toString();
    EXPECT_TRUE(back.getValue().view().binaryEqual(doc)) << json;
}

void expectBothRoundTrips(const BsonObj& doc) {
    expectCanonicalRoundTrip(doc);
    expectRelaxedRoundTrip(doc);
}

bson_type_t typeOf(const BsonObj& doc, std::string_view field) {
    bson_iter_t it;
    if (!doc.view().find(field, &it)) return BSON_TYPE_EOD;
    return bson_iter_type(&it);
}

bson_iter_t iterOf(const BsonObj& doc, std::string_view field) {
    bson_iter_t it;
    EXPECT_TRUE(doc.view().find(field, &it)) << field;
    return it;
}

std::string nestedObjects(size_t levels) {
    std::string s = "{}";
    for (size_t i = 0; i < levels; ++i) s = "{\"a\":" + s + "}";
    return s;
}

std::string nestedArrays(size_t levels) {
    return "{\"a\":" + std::string(levels, '[') + std::string(levels, ']') + "}";
}

// --- Numbers -----------------------------------------------------------------------------

TEST(EjsonParse, IntegersPickTheSmallestType) {
    BsonObj d =
        parseOk(R"({"a":0,"b":2147483647,"c":-2147483648,"d":2147483648,"e":-2147483649,)"
                R"("f":9223372036854775807,"g":-9223372036854775808,"h":9223372036854775808,)"
                R"("i":123456789012345678901234567890,"j":-123456789012345678901234567890})");
    EXPECT_EQ(typeOf(d, "a"), BSON_TYPE_INT32);
    EXPECT_EQ(typeOf(d, "b"), BSON_TYPE_INT32);
    EXPECT_EQ(typeOf(d, "c"), BSON_TYPE_INT32);
    EXPECT_EQ(typeOf(d, "d"), BSON_TYPE_INT64);
    EXPECT_EQ(typeOf(d, "e"), BSON_TYPE_INT64);
    EXPECT_EQ(typeOf(d, "f"), BSON_TYPE_INT64);
    EXPECT_EQ(typeOf(d, "g"), BSON_TYPE_INT64);
    EXPECT_EQ(typeOf(d, "h"), BSON_TYPE_DOUBLE);
    EXPECT_EQ(typeOf(d, "i"), BSON_TYPE_DOUBLE);
    EXPECT_EQ(typeOf(d, "j"), BSON_TYPE_DOUBLE);
    bson_iter_t it = iterOf(d, "f");
    EXPECT_EQ(bson_iter_int64(&it), std::numeric_limits<int64_t>::max());
    it = iterOf(d, "h");
    EXPECT_EQ(bson_iter_double(&it), 9223372036854775808.0);
    it = iterOf(d, "j");
    EXPECT_EQ(bson_iter_double(&it), -1.2345678901234568e29);
}

TEST(EjsonParse, FractionOrExponentMakesADouble) {
    BsonObj d = parseOk(R"({"a":1.0,"b":1e2,"c":-0.0,"d":2.5E-3})");
    for (const char* f : {"a", "b", "c", "d"}) EXPECT_EQ(typeOf(d, f), BSON_TYPE_DOUBLE) << f;
    bson_iter_t it = iterOf(d, "c");
    EXPECT_TRUE(std::signbit(bson_iter_double(&it)));
}

// Fuzzer find (crash-44fb48e1): simdjson 3.0's get_number() reads doubles with more than 19
// significant digits as 0, so "221474836481474822144.0" came back as 0.0.
TEST(EjsonParse, FuzzRegressionDoubleWithManyDigits) {
    BsonObj d = parseOk(
        R"({"a":221474836481474822144.0,"b":1000000000.000000001,"c":-12345678901234567890.5,)"
        R"("d":{"$date":1577836800000.0000000000000000001}})");
    bson_iter_t it = iterOf(d, "a");
    EXPECT_EQ(bson_iter_double(&it), 221474836481474822144.0);
    it = iterOf(d, "b");
    EXPECT_EQ(bson_iter_double(&it), 1000000000.000000001);
    it = iterOf(d, "c");
    EXPECT_EQ(bson_iter_double(&it), -12345678901234567890.5);
    it = iterOf(d, "d");
    EXPECT_EQ(bson_iter_date_time(&it), 1577836800000);
    BsonBuilder b;
    ASSERT_TRUE(appendJsonValue("221474836481474836483", "v", b).isOK());
    BsonObj doc = b.obj();
    EXPECT_EQ(toJson(doc), R"({"v":221474836481474822144.0})");
    expectBothRoundTrips(doc);
}

// Fuzzer find (UBSan): an empty input or key has a null data pointer, which memcpy/memchr must
// not be given even for zero bytes.
TEST(EjsonParse, FuzzRegressionEmptyViews) {
    EXPECT_EQ(parseCode(std::string_view()), ErrorCodes::FailedToParse);
    BsonBuilder b;
    EXPECT_EQ(appendJsonValue(std::string_view(), std::string_view(), b).code(),
              ErrorCodes::FailedToParse);
    ASSERT_TRUE(appendJsonValue("1", std::string_view(), b).isOK());
    EXPECT_EQ(toJson(b.obj()), R"({"":1})");
}

TEST(EjsonRoundTrip, Int32AndInt64Boundaries) {
    BsonBuilder b;
    b.appendInt32("i32max", std::numeric_limits<int32_t>::max());
    b.appendInt32("i32min", std::numeric_limits<int32_t>::min());
    b.appendInt64("i64max", std::numeric_limits<int64_t>::max());
    b.appendInt64("i64min", std::numeric_limits<int64_t>::min());
    b.appendInt64("justOver", int64_t{std::numeric_limits<int32_t>::max()} + 1);
    b.appendInt64("justUnder", int64_t{std::numeric_limits<int32_t>::min()} - 1);
    expectBothRoundTrips(b.obj());
}

TEST(EjsonRoundTrip, RelaxedTurnsSmallInt64IntoInt32) {
    // The one documented loss of Relaxed mode: the type of an int64 that fits in int32.
    BsonBuilder b;
    b.appendInt64("small", 7);
    BsonObj doc = b.obj();
    expectCanonicalRoundTrip(doc);
    BsonObj back = parseOk(toJson(doc, JsonMode::kRelaxed));
    EXPECT_EQ(typeOf(back, "small"), BSON_TYPE_INT32);
}

TEST(EjsonRoundTrip, Doubles) {
    BsonBuilder b;
    b.appendDouble("one", 1.0);
    b.appendDouble("negZero", -0.0);
    b.appendDouble("zero", 0.0);
    b.appendDouble("tenth", 0.1);
    b.appendDouble("big", 1e300);
    b.appendDouble("huge", std::numeric_limits<double>::max());
    b.appendDouble("tiny", std::numeric_limits<double>::denorm_min());
    b.appendDouble("min", std::numeric_limits<double>::min());
    b.appendDouble("pi", -3.141592653589793);
    b.appendDouble("int", 123456789.0);
    b.appendDouble("e21", 1e21);
    b.appendDouble("nan", std::numeric_limits<double>::quiet_NaN());
    b.appendDouble("inf", std::numeric_limits<double>::infinity());
    b.appendDouble("ninf", -std::numeric_limits<double>::infinity());
    expectBothRoundTrips(b.obj());
}

TEST(EjsonWrite, DoublesAlwaysShowAFractionOrExponent) {
    BsonBuilder b;
    b.appendDouble("a", 1.0).appendDouble("b", -0.0).appendDouble("c", 1e300);
    b.appendDouble("d", 123456789.0).appendDouble("e", 0.5);
    BsonObj doc = b.obj();
    EXPECT_EQ(toJson(doc), R"({"a":1.0,"b":-0.0,"c":1e+300,"d":123456789.0,"e":0.5})");
    EXPECT_EQ(toJson(doc, JsonMode::kCanonical),
              R"({"a":{"$numberDouble":"1.0"},"b":{"$numberDouble":"-0.0"},)"
              R"("c":{"$numberDouble":"1e+300"},"d":{"$numberDouble":"123456789.0"},)"
              R"("e":{"$numberDouble":"0.5"}})");
}

TEST(EjsonWrite, NonFiniteDoublesAreWrapped) {
    BsonBuilder b;
    b.appendDouble("n", std::numeric_limits<double>::quiet_NaN());
    b.appendDouble("p", std::numeric_limits<double>::infinity());
    b.appendDouble("m", -std::numeric_limits<double>::infinity());
    EXPECT_EQ(toJson(b.obj()), R"({"n":{"$numberDouble":"NaN"},"p":{"$numberDouble":"Infinity"},)"
                               R"("m":{"$numberDouble":"-Infinity"}})");
}

TEST(EjsonParse, NumberWrappers) {
    BsonObj d =
        parseOk(R"({"i":{"$numberInt":"-5"},"l":{"$numberLong":"5"},"x":{"$numberDouble":"1.5"},)"
                R"("n":{"$numberDouble":"NaN"},"e":{"$numberDouble":"-1.2345678921232E+18"}})");
    EXPECT_EQ(typeOf(d, "i"), BSON_TYPE_INT32);
    EXPECT_EQ(typeOf(d, "l"), BSON_TYPE_INT64);
    bson_iter_t it = iterOf(d, "n");
    EXPECT_TRUE(std::isnan(bson_iter_double(&it)));
    it = iterOf(d, "e");
    EXPECT_EQ(bson_iter_double(&it), -1.2345678921232E+18);
}

// --- Decimal128 --------------------------------------------------------------------------

TEST(EjsonRoundTrip, Decimal128IncludingNaNAndInfinity) {
    BsonBuilder b;
    const char* values[] = {"0",
                            "-0",
                            "1.5E+3",
                            "0.001234",
                            "-1E-6176",
                            "1E+6144",
                            "9.999999999999999999999999999999999E+6144",
                            "NaN",
                            "Infinity",
                            "-Infinity",
                            "12345678901234567890123456789012"};
    int i = 0;
    for (const char* v : values) {
        bson_decimal128_t dec;
        ASSERT_TRUE(bson_decimal128_from_string(v, &dec)) << v;
        std::string key = "d" + std::to_string(i++);
        bson_append_decimal128(b.get(), key.c_str(), -1, &dec);
    }
    BsonObj doc = b.obj();
    expectBothRoundTrips(doc);
    EXPECT_NE(toJson(doc).find(R"("d7":{"$numberDecimal":"NaN"})"), std::string::npos);
    EXPECT_NE(toJson(doc).find(R"("d9":{"$numberDecimal":"-Infinity"})"), std::string::npos);
}

TEST(EjsonParse, InvalidDecimalIsBadValue) {
    EXPECT_EQ(parseCode(R"({"a":{"$numberDecimal":"abc"}})"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a":{"$numberDecimal":"1e6145"}})"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a":{"$numberDecimal":""}})"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a":{"$numberDecimal":" 1"}})"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a":{"$numberDecimal":1}})"), ErrorCodes::BadValue);
}

// --- Dates -------------------------------------------------------------------------------

TEST(EjsonWrite, DatesRelaxedAndCanonical) {
    BsonBuilder b;
    b.appendDateMs("d", 1767323045678);  // 2026-01-02T03:04:05.678Z
    b.appendDateMs("epoch", 0);
    b.appendDateMs("before", -1);
    b.appendDateMs("last", 253402300799999);  // 9999-12-31T23:59:59.999Z
    b.appendDateMs("after", 253402300800000);
    BsonObj doc = b.obj();
    EXPECT_EQ(toJson(doc), R"({"d":{"$date":"2026-01-02T03:04:05.678Z"},)"
                           R"("epoch":{"$date":"1970-01-01T00:00:00.000Z"},)"
                           R"("before":{"$date":{"$numberLong":"-1"}},)"
                           R"("last":{"$date":"9999-12-31T23:59:59.999Z"},)"
                           R"("after":{"$date":{"$numberLong":"253402300800000"}}})");
    EXPECT_EQ(toJson(doc, JsonMode::kCanonical)
                  .rfind(R"({"d":{"$date":{"$numberLong":"1767323045678"}},)", 0),
              0u);
    expectBothRoundTrips(doc);
}

TEST(EjsonRoundTrip, DatesFarFromTheEpoch) {
    BsonBuilder b;
    b.appendDateMs("min", std::numeric_limits<int64_t>::min());
    b.appendDateMs("max", std::numeric_limits<int64_t>::max());
    b.appendDateMs("year1", -62135596800000);  // 0001-01-01
    b.appendDateMs("leap", 951782400000);      // 2000-02-29
    expectBothRoundTrips(b.obj());
}

TEST(EjsonParse, IsoDatesWithOffsetsAndFractions) {
    BsonObj d = parseOk(
        R"({"z":{"$date":"2020-01-01T00:00:00Z"},"plus":{"$date":"2020-01-01T01:00:00+01:00"},)"
        R"("minus":{"$date":"2019-12-31T23:30:00.000-0030"},)"
        R"("frac":{"$date":"2020-01-01T00:00:00.1239Z"},)"
        R"("noSec":{"$date":"2020-01-01T00:00Z"},"old":{"$date":"1969-12-31T23:59:59.999Z"},)"
        R"("num":{"$date":1577836800000},"long":{"$date":{"$numberLong":"1577836800000"}}})");
    auto ms = [&](const char* f) {
        bson_iter_t it = iterOf(d, f);
        return bson_iter_date_time(&it);
    };
    EXPECT_EQ(ms("z"), 1577836800000);
    EXPECT_EQ(ms("plus"), 1577836800000);
    EXPECT_EQ(ms("minus"), 1577836800000);
    EXPECT_EQ(ms("frac"), 1577836800123);  // truncated to milliseconds
    EXPECT_EQ(ms("noSec"), 1577836800000);
    EXPECT_EQ(ms("old"), -1);
    EXPECT_EQ(ms("num"), 1577836800000);
    EXPECT_EQ(ms("long"), 1577836800000);
}

TEST(EjsonParse, BadDatesAreBadValue) {
    for (const char* bad :
         {R"({"a":{"$date":"2020-02-30T00:00:00Z"}})", R"({"a":{"$date":"2020-13-01T00:00:00Z"}})",
          R"({"a":{"$date":"2020-01-01T24:00:00Z"}})", R"({"a":{"$date":"2020-01-01"}})",
          R"({"a":{"$date":"2020-01-01T00:00:00"}})", R"({"a":{"$date":"2020-01-01T00:00:00.Z"}})",
          R"({"a":{"$date":"2020-01-01T00:00:00Zjunk"}})", R"({"a":{"$date":true}})",
          R"({"a":{"$date":1.5}})", R"({"a":{"$date":{"$numberLong":"x"}}})",
          R"({"a":{"$date":{"$numberLong":"1","x":1}}})", R"({"a":{"$date":{}}})",
          R"({"a":{"$date":"2020-01-01T00:00:00Z","x":1}})"})
        EXPECT_EQ(parseCode(bad), ErrorCodes::BadValue) << bad;
}

// --- Strings -----------------------------------------------------------------------------

TEST(EjsonRoundTrip, UnicodeAndEscapes) {
    BsonBuilder b;
    b.appendString("plain", "hello");
    b.appendString("quote", "say \"hi\" \\ back/slash");
    b.appendString("controls", std::string("\b\f\n\r\t\x01\x1f\x7f", 8));
    b.appendString("nul", std::string("a\0b", 3));
    b.appendString("utf8", "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80");
    b.appendString("ключ \"кавычки\"", "значение");
    b.appendString("", "empty key");
    b.appendString("long", std::string(1000, 'x') + "\"" + std::string(37, 'y') + "\n");
    expectBothRoundTrips(b.obj());
}

TEST(EjsonWrite, EscapesControlCharactersQuotesAndBackslashes) {
    BsonBuilder b;
    b.appendString("k\"", std::string("a\"b\\c\nd\x01\x1f\0e\xC3\xA9", 13));
    EXPECT_EQ(toJson(b.obj()), R"({"k\"":"a\"b\\c\nd\u0001\u001f\u0000eé"})");
}

TEST(EjsonParse, EscapesAreDecoded) {
    BsonObj d = parseOk(R"({"s":"\u00e9\ud83d\ude00\n\/\"","k\u0041":1})");
    bson_iter_t it = iterOf(d, "s");
    EXPECT_STREQ(bson_iter_utf8(&it, nullptr), "\xC3\xA9\xF0\x9F\x98\x80\n/\"");
    EXPECT_TRUE(d.view().hasField("kA"));
}

TEST(EjsonParse, StringWithNulIsKeptKeyWithNulIsRejected) {
    BsonObj d = parseOk(R"({"s":"a\u0000b"})");
    bson_iter_t it = iterOf(d, "s");
    uint32_t len = 0;
    bson_iter_utf8(&it, &len);
    EXPECT_EQ(len, 3u);
    EXPECT_EQ(parseCode(R"({"a\u0000b":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"x":{"a\u0000b":1}})"), ErrorCodes::BadValue);
}

TEST(EjsonParse, InvalidUtf8IsFailedToParse) {
    EXPECT_EQ(parseCode("{\"a\":\"\xff\"}"), ErrorCodes::FailedToParse);
    EXPECT_EQ(parseCode("{\"\xc3\":1}"), ErrorCodes::FailedToParse);              // truncated
    EXPECT_EQ(parseCode("{\"a\":\"\xc0\xaf\"}"), ErrorCodes::FailedToParse);      // overlong
    EXPECT_EQ(parseCode("{\"a\":\"\xed\xa0\x80\"}"), ErrorCodes::FailedToParse);  // surrogate
    EXPECT_EQ(parseCode(R"({"a":"\ud800"})"), ErrorCodes::FailedToParse);         // lone surrogate
    EXPECT_EQ(parseCode(R"({"a":"\x41"})"), ErrorCodes::FailedToParse);  // not a JSON escape
    EXPECT_EQ(parseCode("{\"a\":\"raw\ttab\"}"), ErrorCodes::FailedToParse);
}

// --- Containers --------------------------------------------------------------------------

TEST(EjsonRoundTrip, EmptyAndNestedContainers) {
    BsonObj empty = parseOk("{}");
    EXPECT_TRUE(empty.isEmpty());
    EXPECT_EQ(toJson(empty), "{}");
    expectBothRoundTrips(empty);
    BsonObj d = parseOk(
        R"( { "a" : [ ] , "b" : { } , "c" : [ [ 1 , [ 2 , [ ] ] ] , { "x" : [ { } ] } ] } )");
    EXPECT_EQ(toJson(d), R"({"a":[],"b":{},"c":[[1,[2,[]]],{"x":[{}]}]})");
    expectBothRoundTrips(d);
    EXPECT_TRUE(validateBson(d.data(), d.size()).isOK());
}

TEST(EjsonParse, FieldOrderIsPreserved) {
    BsonObj d = parseOk(R"({"z":1,"a":2,"m":3})");
    EXPECT_EQ(toJson(d), R"({"z":1,"a":2,"m":3})");
}

// --- Other types -------------------------------------------------------------------------

TEST(EjsonRoundTrip, BinarySubtypes) {
    BsonBuilder b;
    const uint8_t bytes[] = {0, 1, 2, 0xfe, 0xff, 0x80, 0x7f};
    for (int sub : {0, 1, 2, 3, 4, 5, 6, 7, 0x80, 0xff}) {
        for (uint32_t len : {0u, 1u, 2u, 3u, 7u}) {
            std::string key = "b" + std::to_string(sub) + "_" + std::to_string(len);
            bson_append_binary(b.get(), key.c_str(), -1, static_cast<bson_subtype_t>(sub), bytes,
                               len);
        }
    }
    BsonObj doc = b.obj();
    EXPECT_TRUE(validateBson(doc.data(), doc.size()).isOK());
    expectBothRoundTrips(doc);
}

TEST(EjsonParse, BinaryForms) {
    BsonObj d = parseOk(
        R"({"a":{"$binary":{"base64":"AQID","subType":"80"}},)"
        R"("b":{"$binary":{"subType":"0","base64":""}},"c":{"$binary":"AQIDBA==","$type":"5"},)"
        R"("u":{"$uuid":"01234567-89AB-cdef-0123-456789abcdef"}})");
    EXPECT_EQ(toJson(d),
              R"({"a":{"$binary":{"base64":"AQID","subType":"80"}},)"
              R"("b":{"$binary":{"base64":"","subType":"00"}},)"
              R"("c":{"$binary":{"base64":"AQIDBA==","subType":"05"}},)"
              R"("u":{"$binary":{"base64":"ASNFZ4mrze8BI0VniavN7w==","subType":"04"}}})");
}

TEST(EjsonParse, BadBinaryIsBadValue) {
    for (const char* bad : {
             R"({"a":{"$binary":{"base64":"AQI","subType":"00"}}})",   // length % 4
             R"({"a":{"$binary":{"base64":"AQ=D","subType":"00"}}})",  // '=' inside
             R"({"a":{"$binary":{"base64":"A===","subType":"00"}}})",
             R"({"a":{"$binary":{"base64":"AQ!D","subType":"00"}}})",
             R"({"a":{"$binary":{"base64":"AQID","subType":"100"}}})",  // three digits
             R"({"a":{"$binary":{"base64":"AQID","subType":""}}})",
             R"({"a":{"$binary":{"base64":"AQID","subType":"zz"}}})",
             R"({"a":{"$binary":{"base64":"AQID"}}})",
             R"({"a":{"$binary":{"base64":"AQID","subType":"00","x":1}}})",
             R"({"a":{"$binary":{"base64":"AQID","base64":"AQID","subType":"00"}}})",
             R"({"a":{"$binary":{"base64":1,"subType":"00"}}})",
             R"({"a":{"$binary":"AQID"}})",
             R"({"a":{"$binary":"AQID","$type":"00","x":1}})",
             R"({"a":{"$binary":"AQID","x":"00"}})",
             R"({"a":{"$binary":5}})",
             R"({"a":{"$uuid":"0123456789abcdef0123456789abcdef"}})",
             R"({"a":{"$uuid":"01234567-89ab-cdef-0123-456789abcdeg"}})",
         })
        EXPECT_EQ(parseCode(bad), ErrorCodes::BadValue) << bad;
}

TEST(EjsonRoundTrip, RegexOptionsAreSorted) {
    BsonObj d = parseOk(R"({"r":{"$regularExpression":{"options":"xsmi","pattern":"^a\"b\\d+$"}},)"
                        R"("e":{"$regularExpression":{"pattern":"","options":""}},)"
                        R"("u":{"$regularExpression":{"pattern":"é","options":"uli"}}})");
    EXPECT_EQ(toJson(d), R"({"r":{"$regularExpression":{"pattern":"^a\"b\\d+$","options":"imsx"}},)"
                         R"("e":{"$regularExpression":{"pattern":"","options":""}},)"
                         R"("u":{"$regularExpression":{"pattern":"é","options":"ilu"}}})");
    expectBothRoundTrips(d);
    BsonBuilder b;
    bson_append_regex(b.get(), "r", -1, "a.*b", "si");
    expectBothRoundTrips(b.obj());
}

TEST(EjsonParse, BadRegexIsBadValue) {
    EXPECT_EQ(parseCode(R"({"a":{"$regularExpression":{"pattern":"a","options":"g"}}})"),
              ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a":{"$regularExpression":{"pattern":"a\u0000","options":""}}})"),
              ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a":{"$regularExpression":{"pattern":"a"}}})"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a":{"$regularExpression":"a"}})"), ErrorCodes::BadValue);
}

TEST(EjsonRoundTrip, AllOtherTypes) {
    BsonBuilder b;
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, "0123456789abcdef01234567");
    b.appendOid("oid", oid);
    b.appendBool("t", true).appendBool("f", false).appendNull("n");
    b.appendTimestamp("ts", 4294967295u, 4294967295u);
    b.appendTimestamp("ts0", 0, 0);
    bson_append_minkey(b.get(), "min", -1);
    bson_append_maxkey(b.get(), "max", -1);
    bson_append_undefined(b.get(), "undef", -1);
    bson_append_symbol(b.get(), "sym", -1, "a \"symbol\"", -1);
    bson_append_code(b.get(), "code", -1, "function() { return \"x\"; }");
    bson_t scope;
    bson_init(&scope);
    BSON_APPEND_INT32(&scope, "x", 1);
    BSON_APPEND_UTF8(&scope, "y", "z");
    bson_append_code_with_scope(b.get(), "cws", -1, "x + y", &scope);
    bson_t emptyScope;
    bson_init(&emptyScope);
    bson_append_code_with_scope(b.get(), "cwsEmpty", -1, "1", &emptyScope);
    bson_append_dbpointer(b.get(), "dbp", -1, "db.coll", &oid);
    BsonObj doc = b.obj();
    bson_destroy(&scope);
    bson_destroy(&emptyScope);
    EXPECT_TRUE(validateBson(doc.data(), doc.size()).isOK());
    expectBothRoundTrips(doc);
}

TEST(EjsonParse, WrappersOfAllKinds) {
    BsonObj d =
        parseOk(R"({"o":{"$oid":"0123456789ABCDEF01234567"},"t":{"$timestamp":{"i":2,"t":1}},)"
                R"("min":{"$minKey":1},"max":{"$maxKey":1},"s":{"$symbol":"x"},"c":{"$code":"f"},)"
                R"("cs":{"$code":"g","$scope":{"v":[1]}},"u":{"$undefined":true},)"
                R"("p":{"$dbPointer":{"$id":{"$oid":"0123456789abcdef01234567"},"$ref":"c"}}})");
    EXPECT_EQ(typeOf(d, "o"), BSON_TYPE_OID);
    EXPECT_EQ(typeOf(d, "t"), BSON_TYPE_TIMESTAMP);
    EXPECT_EQ(typeOf(d, "min"), BSON_TYPE_MINKEY);
    EXPECT_EQ(typeOf(d, "max"), BSON_TYPE_MAXKEY);
    EXPECT_EQ(typeOf(d, "s"), BSON_TYPE_SYMBOL);
    EXPECT_EQ(typeOf(d, "c"), BSON_TYPE_CODE);
    EXPECT_EQ(typeOf(d, "cs"), BSON_TYPE_CODEWSCOPE);
    EXPECT_EQ(typeOf(d, "u"), BSON_TYPE_UNDEFINED);
    EXPECT_EQ(typeOf(d, "p"), BSON_TYPE_DBPOINTER);
    bson_iter_t it = iterOf(d, "t");
    uint32_t t = 0, i = 0;
    bson_iter_timestamp(&it, &t, &i);
    EXPECT_EQ(t, 1u);
    EXPECT_EQ(i, 2u);
    EXPECT_TRUE(validateBson(d.data(), d.size()).isOK());
}

TEST(EjsonParse, BadWrappersAreBadValue) {
    for (const char* bad : {
             R"({"a":{"$oid":5}})",
             R"({"a":{"$oid":"zz"}})",
             R"({"a":{"$oid":"0123456789abcdef0123456"}})",
             R"({"a":{"$oid":"0123456789abcdef01234567","x":1}})",
             R"({"a":{"$numberInt":5}})",
             R"({"a":{"$numberInt":"2147483648"}})",
             R"({"a":{"$numberInt":"1.0"}})",
             R"({"a":{"$numberInt":"+1"}})",
             R"({"a":{"$numberInt":" 1"}})",
             R"({"a":{"$numberLong":"9223372036854775808"}})",
             R"({"a":{"$numberLong":""}})",
             R"({"a":{"$numberDouble":"inf"}})",
             R"({"a":{"$numberDouble":"1e"}})",
             R"({"a":{"$numberDouble":"1e400"}})",
             R"({"a":{"$numberDouble":1.5}})",
             R"({"a":{"$timestamp":{"t":-1,"i":0}}})",
             R"({"a":{"$timestamp":{"t":4294967296,"i":0}}})",
             R"({"a":{"$timestamp":{"t":1.0,"i":0}}})",
             R"({"a":{"$timestamp":{"t":1}}})",
             R"({"a":{"$timestamp":{"t":1,"i":1,"x":1}}})",
             R"({"a":{"$minKey":0}})",
             R"({"a":{"$maxKey":"1"}})",
             R"({"a":{"$undefined":false}})",
             R"({"a":{"$symbol":1}})",
             R"({"a":{"$code":"f","$scope":1}})",
             R"({"a":{"$code":"f","x":1}})",
             R"({"a":{"$dbPointer":{"$ref":"c"}}})",
             R"({"a":{"$dbPointer":{"$ref":"c","$id":"0123456789abcdef01234567"}}})",
             R"({"a":[{"$oid":"bad"}]})",
         })
        EXPECT_EQ(parseCode(bad), ErrorCodes::BadValue) << bad;
    EXPECT_NE(reason(R"({"a":{"$oid":"zz"}})").find("$oid"), std::string::npos);
}

TEST(EjsonParse, UnknownDollarKeysStayDocuments) {
    BsonObj d =
        parseOk(R"({"q":{"$gt":5,"$lt":{"$numberLong":"9"}},"r":{"$regex":"a","$options":"i"},)"
                R"("t":{"$type":"string"},"$oid":"top-level keys are plain fields","$":1})");
    EXPECT_EQ(typeOf(d, "q"), BSON_TYPE_DOCUMENT);
    EXPECT_EQ(typeOf(d, "r"), BSON_TYPE_DOCUMENT);
    EXPECT_EQ(typeOf(d, "t"), BSON_TYPE_DOCUMENT);
    EXPECT_EQ(typeOf(d, "$oid"), BSON_TYPE_UTF8);
    EXPECT_EQ(toJson(d),
              R"({"q":{"$gt":5,"$lt":9},"r":{"$regex":"a","$options":"i"},)"
              R"("t":{"$type":"string"},"$oid":"top-level keys are plain fields","$":1})");
}

// --- Errors ------------------------------------------------------------------------------

TEST(EjsonParse, MalformedAndTruncatedInputIsFailedToParse) {
    for (const char* bad : {"",
                            " ",
                            "{",
                            "}",
                            "{\"a\"",
                            "{\"a\":",
                            "{\"a\":1",
                            "{\"a\":1,}",
                            "{\"a\" 1}",
                            "{\"a\":1 \"b\":2}",
                            "{a:1}",
                            "{'a':1}",
                            "{\"a\":tru}",
                            "{\"a\":nul}",
                            "{\"a\":01}",
                            "{\"a\":1.}",
                            "{\"a\":-}",
                            "{\"a\":1e400}",
                            "{\"a\":\"unterminated}",
                            "{\"a\":[1,]}",
                            "{\"a\":[1}",
                            "{\"a\":{]}",
                            "{\"a\":1}}",
                            "{\"a\":1} x",
                            "{\"a\":1}{}",
                            "{\"a\":NaN}",
                            "{\"a\":Infinity}",
                            "{\"a\":1}\x01",
                            "{\"a\":12345678901234567890123x}"})
        EXPECT_EQ(parseCode(bad), ErrorCodes::FailedToParse) << bad;
}

TEST(EjsonParse, TopLevelMustBeAnObject) {
    for (const char* bad : {"[]", "[1,2]", "1", "\"s\"", "null", "true"})
        EXPECT_EQ(parseCode(bad), ErrorCodes::FailedToParse) << bad;
}

TEST(EjsonParse, DuplicateKeysAreBadValue) {
    EXPECT_EQ(parseCode(R"({"a":1,"a":2})"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a":1,"b":{"c":1,"c":2}})"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a":[{"x":1},{"x":1,"y":2,"x":3}]})"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a":1,"\u0061":2})"), ErrorCodes::BadValue);  // equal once unescaped
    EXPECT_EQ(reason(R"({"a":1,"a":2})"), "duplicate key 'a'");
    // The same key at different levels or in sibling objects is fine.
    EXPECT_EQ(parseCode(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}],"c":{"a":1}})"),
              ErrorCodes::OK);
}

TEST(EjsonParse, DuplicateKeysInLargeObjects) {
    // Past the linear-scan limit the check moves to a sort at the object's end; duplicates must
    // still be caught, at any position and in nested objects.
    std::string json = "{";
    for (int i = 0; i < 1000; ++i)
        json += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    EXPECT_EQ(parseCode(json + "\"last\":0}"), ErrorCodes::OK);
    EXPECT_EQ(parseCode(json + "\"k3\":0}"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(json + "\"k999\":0}"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(json + "\"x\":{\"k3\":1}}"), ErrorCodes::OK);
    EXPECT_EQ(parseCode("{\"x\":" + json + "\"k500\":0},\"y\":1}"), ErrorCodes::BadValue);
    EXPECT_EQ(reason(json + "\"k999\":0}"), "duplicate key 'k999'");
    // Exactly at the limit (16 keys) and one past it.
    std::string sixteen = "{";
    for (int i = 0; i < 16; ++i) sixteen += "\"k" + std::to_string(i) + "\":0,";
    EXPECT_EQ(parseCode(sixteen + "\"k0\":1}"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(sixteen + "\"k16\":1,\"k15\":1}"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(sixteen + "\"k16\":1,\"k17\":1}"), ErrorCodes::OK);
}

TEST(EjsonParse, DepthLimit) {
    auto ok100 = parseJsonObject(nestedObjects(100));
    ASSERT_TRUE(ok100.isOK()) << ok100.getStatus().toString();
    // What the parser accepts, validateBson accepts too (same counting).
    EXPECT_TRUE(validateBson(ok100.getValue().data(), ok100.getValue().size()).isOK());
    EXPECT_EQ(parseCode(nestedObjects(101)), ErrorCodes::Overflow);
    EXPECT_EQ(parseCode(nestedArrays(100)), ErrorCodes::OK);
    EXPECT_EQ(parseCode(nestedArrays(101)), ErrorCodes::Overflow);
    JsonParseLimits shallow;
    shallow.maxDepth = 2;
    EXPECT_EQ(parseCode(R"({"a":{"b":[]}})", shallow), ErrorCodes::OK);
    EXPECT_EQ(parseCode(R"({"a":{"b":[{}]}})", shallow), ErrorCodes::Overflow);
    // Wrappers are values, not nesting levels.
    EXPECT_EQ(parseCode(R"({"a":{"b":{"$date":{"$numberLong":"1"}}}})", shallow), ErrorCodes::OK);
}

TEST(EjsonParse, DeepBracketsDoNotOverflowTheStack) {
    constexpr size_t kDeep = 1 << 20;
    std::string open(kDeep, '['), close(kDeep, ']');
    EXPECT_EQ(parseCode(open), ErrorCodes::FailedToParse);              // not an object
    EXPECT_EQ(parseCode("{\"a\":" + open), ErrorCodes::FailedToParse);  // truncated
    EXPECT_EQ(parseCode("{\"a\":" + open + close + "}"), ErrorCodes::Overflow);
    std::string deepObjects;
    for (int i = 0; i < 200000; ++i) deepObjects += "{\"a\":";
    deepObjects += "1" + std::string(200000, '}');
    EXPECT_EQ(parseCode(deepObjects), ErrorCodes::Overflow);
    JsonParseLimits unbounded;
    unbounded.maxDepth = std::numeric_limits<size_t>::max();  // still capped internally
    EXPECT_EQ(parseCode(deepObjects, unbounded), ErrorCodes::Overflow);
}

TEST(EjsonParse, ResultSizeLimit) {
    JsonParseLimits small;
    small.maxBsonSize = 64;
    EXPECT_EQ(parseCode(R"({"a":"short"})", small), ErrorCodes::OK);
    EXPECT_EQ(parseCode("{\"a\":\"" + std::string(100, 'x') + "\"}", small),
              ErrorCodes::BSONObjectTooLarge);
    std::string manyInts = "{\"a\":[" + std::string(1000, '1');
    manyInts = "{\"a\":[";
    for (int i = 0; i < 100; ++i) manyInts += "1,";
    manyInts += "1]}";
    EXPECT_EQ(parseCode(manyInts, small), ErrorCodes::BSONObjectTooLarge);
    // Exactly at the limit is fine: {"a":"<n x>"} is 4+1+2+4+n+1+1 bytes.
    small.maxBsonSize = 13 + 20;
    EXPECT_EQ(parseCode("{\"a\":\"" + std::string(20, 'x') + "\"}", small), ErrorCodes::OK);
    EXPECT_EQ(parseCode("{\"a\":\"" + std::string(21, 'x') + "\"}", small),
              ErrorCodes::BSONObjectTooLarge);
}

// --- Golden output -----------------------------------------------------------------------

BsonObj fixedDocument() {
    BsonBuilder b;
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, "65a1b2c3d4e5f60718293a4b");
    b.appendOid("_id", oid);
    b.appendString("name", "Intro to \"Databases\"\n");
    b.appendInt32("level", 2);
    b.appendInt64("enrolled", 5000000000);
    b.appendDouble("rating", 4.5);
    b.appendDouble("credits", 3.0);
    b.appendBool("open", true);
    b.appendNull("room");
    b.appendDateMs("start", 1767323045678);
    b.appendArray("tags", [](BsonBuilder& a) { a.appendString("0", "db").appendInt32("1", 7); });
    b.appendDocument("meta", [](BsonBuilder& m) {
        m.appendTimestamp("ts", 1700000000, 3);
        bson_decimal128_t dec;
        bson_decimal128_from_string("19.99", &dec);
        bson_append_decimal128(m.get(), "price", -1, &dec);
    });
    const uint8_t bin[] = {1, 2, 3};
    bson_append_binary(b.get(), "bin", -1, BSON_SUBTYPE_BINARY, bin, 3);
    bson_append_regex(b.get(), "re", -1, "^in", "mi");
    return b.obj();
}

TEST(EjsonWrite, GoldenRelaxed) {
    EXPECT_EQ(toJson(fixedDocument()),
              R"({"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"name":"Intro to \"Databases\"\n",)"
              R"("level":2,"enrolled":5000000000,"rating":4.5,"credits":3.0,"open":true,)"
              R"("room":null,"start":{"$date":"2026-01-02T03:04:05.678Z"},"tags":["db",7],)"
              R"("meta":{"ts":{"$timestamp":{"t":1700000000,"i":3}},)"
              R"("price":{"$numberDecimal":"19.99"}},)"
              R"("bin":{"$binary":{"base64":"AQID","subType":"00"}},)"
              R"("re":{"$regularExpression":{"pattern":"^in","options":"im"}}})");
}

TEST(EjsonWrite, GoldenCanonical) {
    EXPECT_EQ(toJson(fixedDocument(), JsonMode::kCanonical),
              R"({"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"name":"Intro to \"Databases\"\n",)"
              R"("level":{"$numberInt":"2"},"enrolled":{"$numberLong":"5000000000"},)"
              R"("rating":{"$numberDouble":"4.5"},"credits":{"$numberDouble":"3.0"},"open":true,)"
              R"("room":null,"start":{"$date":{"$numberLong":"1767323045678"}},)"
              R"("tags":["db",{"$numberInt":"7"}],)"
              R"("meta":{"ts":{"$timestamp":{"t":1700000000,"i":3}},)"
              R"("price":{"$numberDecimal":"19.99"}},)"
              R"("bin":{"$binary":{"base64":"AQID","subType":"00"}},)"
              R"("re":{"$regularExpression":{"pattern":"^in","options":"im"}}})");
    expectBothRoundTrips(fixedDocument());
}

// libbson's own canonical writer is an independent reference: our parser must read its output
// back into identical bytes, and libbson's parser must read ours.
TEST(EjsonInterop, AgreesWithLibbson) {
    BsonObj doc = fixedDocument();
    bson_t b = doc.view().asBsonT();
    char* theirs = bson_as_canonical_extended_json(&b, nullptr);
    auto ours = parseJsonObject(theirs);
    bson_free(theirs);
    ASSERT_TRUE(ours.isOK()) << ours.getStatus().toString();
    EXPECT_TRUE(ours.getValue().view().binaryEqual(doc));

    std::string json = toJson(doc, JsonMode::kCanonical);
    bson_error_t error;
    bson_t* parsed = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                        static_cast<ssize_t>(json.size()), &error);
    ASSERT_NE(parsed, nullptr) << error.message;
    EXPECT_TRUE(BsonObj::adopt(parsed).view().binaryEqual(doc));
}

// --- Entry points besides parseJsonObject --------------------------------------------------

TEST(EjsonAppendValue, ScalarsArraysAndWrappers) {
    BsonBuilder b;
    ASSERT_TRUE(appendJsonValue("[1,\"x\",{\"y\":null}]", "arr", b).isOK());
    ASSERT_TRUE(appendJsonValue(" 42 ", "n", b).isOK());
    ASSERT_TRUE(appendJsonValue("\"s\"", "s", b).isOK());
    ASSERT_TRUE(appendJsonValue("{\"$oid\":\"0123456789abcdef01234567\"}", "id", b).isOK());
    ASSERT_TRUE(appendJsonValue("{\"$gt\":1}", "q", b).isOK());
    ASSERT_TRUE(appendJsonValue("null", "z", b).isOK());
    EXPECT_EQ(toJson(b.obj()),
              R"({"arr":[1,"x",{"y":null}],"n":42,"s":"s",)"
              R"("id":{"$oid":"0123456789abcdef01234567"},"q":{"$gt":1},"z":null})");
}

TEST(EjsonAppendValue, ErrorsLeaveTheBuilderUnchanged) {
    BsonBuilder b;
    b.appendInt32("keep", 1);
    EXPECT_EQ(appendJsonValue("", "k", b).code(), ErrorCodes::FailedToParse);
    EXPECT_EQ(appendJsonValue("1,2", "k", b).code(), ErrorCodes::FailedToParse);
    EXPECT_EQ(appendJsonValue("1]", "k", b).code(), ErrorCodes::FailedToParse);
    EXPECT_EQ(appendJsonValue("1] [2", "k", b).code(), ErrorCodes::FailedToParse);
    EXPECT_EQ(appendJsonValue("[1", "k", b).code(), ErrorCodes::FailedToParse);
    EXPECT_EQ(appendJsonValue("{\"$oid\":1}", "k", b).code(), ErrorCodes::BadValue);
    EXPECT_EQ(appendJsonValue("{\"a\":1,\"a\":1}", "k", b).code(), ErrorCodes::BadValue);
    EXPECT_EQ(appendJsonValue("1", std::string_view("k\0", 2), b).code(), ErrorCodes::BadValue);
    EXPECT_EQ(appendJsonValue(std::string(101, '[') + std::string(101, ']'), "k", b).code(),
              ErrorCodes::Overflow);
    EXPECT_EQ(appendJsonValue(std::string(100, '[') + std::string(100, ']'), "k", b).code(),
              ErrorCodes::OK);
    JsonParseLimits small;
    small.maxBsonSize = 40;
    EXPECT_EQ(appendJsonValue("\"" + std::string(30, 'x') + "\"", "k", b, small).code(),
              ErrorCodes::BSONObjectTooLarge);
    BsonObj obj = b.obj();
    EXPECT_EQ(toJson(obj).substr(0, 9), R"({"keep":1)");
}

TEST(EjsonWrite, ArraysAndSingleElements) {
    BsonObj d =
        parseOk(R"({"a":[1,{"b":[true]},"x"],"s":"q\"","c":{"$code":"f","$scope":{"v":1}}})");
    bson_iter_t it = iterOf(d, "a");
    uint32_t len = 0;
    const uint8_t* data = nullptr;
    bson_iter_array(&it, &len, &data);
    std::string out;
    appendJsonArray(BsonView(data, len), JsonMode::kRelaxed, out);
    EXPECT_EQ(out, R"([1,{"b":[true]},"x"])");
    out.clear();
    appendJsonElement(it, JsonMode::kCanonical, out);
    EXPECT_EQ(out, R"([{"$numberInt":"1"},{"b":[true]},"x"])");
    out.clear();
    it = iterOf(d, "s");
    appendJsonElement(it, JsonMode::kRelaxed, out);
    EXPECT_EQ(out, R"("q\"")");
    out.clear();
    it = iterOf(d, "c");
    appendJsonElement(it, JsonMode::kRelaxed, out);
    EXPECT_EQ(out, R"({"$code":"f","$scope":{"v":1}})");
    out = "prefix:";
    appendJson(BsonView(), JsonMode::kRelaxed, out);
    EXPECT_EQ(out, "prefix:{}");
}

TEST(EjsonWrite, VeryDeepBsonIsWrittenWithoutRecursion) {
    // {"a":{"a":...{}...}} 100000 levels deep, far past any parse limit: the writer must not use
    // the C++ stack per level. Built as raw bytes: level i is 8 bytes longer than level i+1.
    constexpr uint32_t kLevels = 100000;
    std::vector<uint8_t> bytes;
    for (uint32_t i = 0; i < kLevels; ++i) {
        uint32_t len = 5 + 8 * (kLevels - i);
        for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<uint8_t>(len >> (8 * b)));
        bytes.insert(bytes.end(), {0x03, 'a', 0});
    }
    bytes.insert(bytes.end(), {5, 0, 0, 0, 0});
    bytes.insert(bytes.end(), kLevels, 0);
    std::string json = toJson(BsonView(bytes.data(), bytes.size()));
    EXPECT_EQ(json.size(), static_cast<size_t>(kLevels) * 6 + 2);
    EXPECT_EQ(json.substr(0, 12), R"({"a":{"a":{")");
    EXPECT_EQ(json.substr(json.size() - 4), "}}}}");
}

TEST(EjsonParse, ThreadsParseIndependently) {
    std::vector<std::thread> threads;
    std::vector<int> failures(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &failures] {
            for (int i = 0; i < 2000; ++i) {
                std::string json = "{\"t\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) +
                                   ",\"s\":\"" + std::string(i % 50, 'x') + "\"}";
                auto r = parseJsonObject(json);
                if (!r.isOK() || toJson(r.getValue()) != json) ++failures[t];
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace mongosd::json
