#include "query/expression.h"

#include <gtest/gtest.h>

#include <regex>

#include "common/json/ejson.h"
#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

constexpr const char* kMissing = "MISSING";

// One table row: the expression, the input document, and either the expected value (Extended
// JSON; canonical forms where the type matters) or the expected error code.
struct Case {
    const char* expr;
    const char* doc;
    const char* expected;
    ErrorCodes::Error error = ErrorCodes::OK;
};

StatusWith<Value> run(const std::string& exprJson, const std::string& docJson) {
    BsonObj spec = parseJson("{\"e\": " + exprJson + "}");
    bson_iter_t it;
    invariant(spec.view().find("e", &it));
    auto e = parseExpression(it, ParseContext{});
    if (!e.isOK()) return e.getStatus();
    return evaluateExpression(*e.getValue(), parseJson(docJson));
}

void check(const Case& c) {
    SCOPED_TRACE(std::string(c.expr) + " on " + c.doc);
    auto r = run(c.expr, c.doc);
    if (c.error != ErrorCodes::OK) {
        ASSERT_FALSE(r.isOK()) << "expected an error, got " << r.getValue().toString();
        EXPECT_EQ(r.getStatus().code(), c.error) << r.getStatus().toString();
        return;
    }
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    const Value& v = r.getValue();
    if (std::string(c.expected) == kMissing) {
        EXPECT_TRUE(v.missing()) << v.toString();
        return;
    }
    BsonBuilder got;
    v.appendTo(got, "v");
    BsonObj gotObj = got.obj();
    BsonObj want = parseJson(std::string("{\"v\": ") + c.expected + "}");
    EXPECT_TRUE(gotObj.view().binaryEqual(want))
        << "got " << json::toJson(gotObj, json::JsonMode::kCanonical) << " want "
        << json::toJson(want, json::JsonMode::kCanonical);
}

void checkAll(const std::vector<Case>& cases) {
    for (const auto& c : cases) check(c);
}

constexpr auto kBad = ErrorCodes::BadValue;
constexpr auto kType = ErrorCodes::TypeMismatch;

TEST(Expression, LiteralsPathsAndVariables) {
    checkAll({
        {R"(1)", "{}", "1"},
        {R"("abc")", "{}", R"("abc")"},
        {R"(null)", "{}", "null"},
        {R"("$a")", R"({"a": 5})", "5"},
        {R"("$a")", R"({"b": 5})", kMissing},
        {R"("$a")", R"({"a": null})", "null"},
        {R"("$a.b")", R"({"a": {"b": "x"}})", R"("x")"},
        {R"("$a.b")", R"({"a": 3})", kMissing},
        {R"("$a.b")", R"({"a": [{"b": 1}, {"c": 2}, {"b": 3}, 7]})", "[1, 3]"},
        {R"("$a.b")", R"({"a": [[{"b": 1}], {"b": 2}]})", "[[1], 2]"},
        {R"("$a.b")", R"({"a": []})", "[]"},
        {R"("$a.0")", R"({"a": [5, 6]})", "[]"},
        {R"("$a.0")", R"({"a": {"0": 9}})", "9"},
        {R"("$a.b.c")", R"({"a": [{"b": [{"c": 1}, {"c": 2}]}]})", "[[1, 2]]"},
        {R"("$$ROOT")", R"({"a": 1})", R"({"a": 1})"},
        {R"("$$ROOT.a")", R"({"a": 1})", "1"},
        {R"("$$CURRENT.a")", R"({"a": 2})", "2"},
        {R"("$$REMOVE")", R"({"a": 2})", kMissing},
        {R"("$$nope")", "{}", "", kBad},
        {R"("$")", "{}", "", kBad},
        {R"("$a..b")", "{}", "", kBad},
        {R"({"$literal": "$a"})", R"({"a": 1})", R"("$a")"},
        {R"({"$literal": {"$add": [1, 2]}})", "{}", R"({"$add": [1, 2]})"},
        {R"({"x": "$a", "y": {"$add": [1, 1]}})", R"({"a": 1})", R"({"x": 1, "y": 2})"},
        {R"({"x": "$missing", "y": 1})", "{}", R"({"y": 1})"},
        {R"(["$a", "$missing", 3])", R"({"a": 1})", "[1, null, 3]"},
        {R"([])", "{}", "[]"},
        {R"({"a.b": 1})", "{}", "", kBad},
        {R"({"$nosuchop": 1})", "{}", "", ErrorCodes::InvalidPipelineOperator},
        {R"({"$add": [1, 2], "x": 1})", "{}", "", ErrorCodes::Location15983},
        {R"({"x": {"$bogus": 1}})", "{}", "", ErrorCodes::InvalidPipelineOperator},
    });
}

TEST(Expression, Let) {
    checkAll({
        {R"({"$let": {"vars": {"x": 2}, "in": {"$multiply": ["$$x", "$a"]}}})", R"({"a": 4})", "8"},
        {R"({"$let": {"vars": {"x": "$a"}, "in": "$$x.b"}})", R"({"a": {"b": 7}})", "7"},
        {R"({"$let": {"vars": {"x": 1}, "in": {"$let": {"vars": {"x": 2}, "in": "$$x"}}}})", "{}",
         "2"},
        {R"({"$let": {"vars": {"x": 1}, "in": "$$y"}})", "{}", "", kBad},
        {R"({"$let": {"vars": {"x": "$a"}, "in": "$$x.b"}})", R"({"a": [{"b": 1}, {"b": 2}]})",
         "[1, 2]"},
        {R"({"$let": {"vars": {"x": 5}, "in": "$$x.b"}})", "{}", kMissing},
        {R"({"$let": {"vars": {"CURRENT": "$a"}, "in": "$b"}})", R"({"a": {"b": 3}, "b": 4})", "3"},
        {R"({"$let": {"vars": {"ROOT": 1}, "in": 1}})", "{}", "", kBad},
        {R"({"$let": {"vars": {"X": 1}, "in": 1}})", "{}", "", kBad},
        {R"({"$let": {"in": 1}})", "{}", "", ErrorCodes::Location16876},
        {R"({"$let": {"vars": {}, "in": 1, "z": 1}})", "{}", "", ErrorCodes::Location16875},
        {R"({"$let": {"vars": {"x": "$$x"}, "in": 1}})", "{}", "", kBad},
    });
}

TEST(Expression, Arithmetic) {
    checkAll({
        {R"({"$add": [1, 2]})", "{}", "3"},
        {R"({"$add": [1, {"$numberLong": "2"}]})", "{}", R"({"$numberLong": "3"})"},
        {R"({"$add": [1, 2.5]})", "{}", "3.5"},
        {R"({"$add": [2147483647, 1]})", "{}", R"({"$numberLong": "2147483648"})"},
        {R"({"$add": [{"$numberLong": "9223372036854775807"}, 1]})", "{}",
         R"({"$numberDouble": "9.2233720368547758E+18"})"},
        {R"({"$add": []})", "{}", "0"},
        {R"({"$add": [1, null]})", "{}", "null"},
        {R"({"$add": [1, "$missing"]})", "{}", "null"},
        {R"({"$add": [1, "a"]})", "{}", "", ErrorCodes::Location16554},
        {R"({"$add": [{"$date": "2020-01-01T00:00:00Z"}, 1000]})", "{}",
         R"({"$date": "2020-01-01T00:00:01Z"})"},
        {R"({"$add": [{"$date": "2020-01-01T00:00:00Z"}, {"$date": "2020-01-01T00:00:00Z"}]})",
         "{}", "", ErrorCodes::Location16612},
        {R"({"$add": "$a"})", R"({"a": 4})", "4"},
        {R"({"$subtract": [5, 3]})", "{}", "2"},
        {R"({"$subtract": [5, 3.5]})", "{}", "1.5"},
        {R"({"$subtract": [-2147483648, 1]})", "{}", R"({"$numberLong": "-2147483649"})"},
        {R"({"$subtract": [{"$date": "2020-01-01T00:00:01Z"}, {"$date": "2020-01-01T00:00:00Z"}]})",
         "{}", R"({"$numberLong": "1000"})"},
        {R"({"$subtract": [{"$date": "2020-01-01T00:00:01Z"}, 1000]})", "{}",
         R"({"$date": "2020-01-01T00:00:00Z"})"},
        {R"({"$subtract": [1, {"$date": "2020-01-01T00:00:01Z"}]})", "{}", "",
         ErrorCodes::Location16556},
        {R"({"$subtract": [1, null]})", "{}", "null"},
        {R"({"$subtract": [1]})", "{}", "", ErrorCodes::Location16020},
        {R"({"$subtract": [1, 2, 3]})", "{}", "", ErrorCodes::Location16020},
        {R"({"$multiply": [2, 3]})", "{}", "6"},
        {R"({"$multiply": [2, 1.5]})", "{}", "3.0"},
        {R"({"$multiply": [65536, 65536]})", "{}", R"({"$numberLong": "4294967296"})"},
        {R"({"$multiply": [2, "$missing"]})", "{}", "null"},
        {R"({"$multiply": [2, true]})", "{}", "", ErrorCodes::Location16555},
        {R"({"$multiply": []})", "{}", "1"},
        {R"({"$divide": [6, 3]})", "{}", "2.0"},
        {R"({"$divide": [1, 4]})", "{}", "0.25"},
        {R"({"$divide": [1, 0]})", "{}", "", ErrorCodes::Location16608},
        {R"({"$divide": [1, 0.0]})", "{}", "", ErrorCodes::Location16608},
        {R"({"$divide": [null, 0]})", "{}", "null"},
        {R"({"$divide": ["a", 1]})", "{}", "", ErrorCodes::Location16609},
        {R"({"$mod": [7, 3]})", "{}", "1"},
        {R"({"$mod": [-7, 3]})", "{}", "-1"},
        {R"({"$mod": [7, {"$numberLong": "3"}]})", "{}", R"({"$numberLong": "1"})"},
        {R"({"$mod": [7.5, 2]})", "{}", "1.5"},
        {R"({"$mod": [7, 0]})", "{}", "", ErrorCodes::Location16610},
        {R"({"$mod": [null, 0]})", "{}", "null"},
        {R"({"$abs": -5})", "{}", "5"},
        {R"({"$abs": -2147483648})", "{}", R"({"$numberLong": "2147483648"})"},
        {R"({"$abs": -2.5})", "{}", "2.5"},
        {R"({"$abs": null})", "{}", "null"},
        {R"({"$abs": "$missing"})", "{}", "null"},
        {R"({"$abs": "x"})", "{}", "", ErrorCodes::Location28765},
        {R"({"$abs": [1, 2]})", "{}", "", ErrorCodes::Location16020},
        {R"({"$ceil": 1.2})", "{}", "2.0"},
        {R"({"$ceil": -1.2})", "{}", "-1.0"},
        {R"({"$ceil": 5})", "{}", "5"},
        {R"({"$floor": 1.8})", "{}", "1.0"},
        {R"({"$floor": {"$numberLong": "5"}})", "{}", R"({"$numberLong": "5"})"},
        {R"({"$round": 2.5})", "{}", "2.0"},
        {R"({"$round": 3.5})", "{}", "4.0"},
        {R"({"$round": [1.2345, 2]})", "{}", "1.23"},
        {R"({"$round": [1234, -2]})", "{}", "1200"},
        {R"({"$round": [7, 0]})", "{}", "7"},
        {R"({"$round": [1.5, 101]})", "{}", "", kBad},
        {R"({"$round": "x"})", "{}", "", kType},
        {R"({"$round": [null, 1]})", "{}", "null"},
        {R"({"$trunc": 2.7})", "{}", "2.0"},
        {R"({"$trunc": -2.7})", "{}", "-2.0"},
        {R"({"$trunc": [1.789, 1]})", "{}", "1.7"},
        {R"({"$sqrt": 16})", "{}", "4.0"},
        {R"({"$sqrt": -1})", "{}", "", ErrorCodes::Location28714},
        {R"({"$sqrt": null})", "{}", "null"},
        {R"({"$pow": [2, 10]})", "{}", "1024"},
        {R"({"$pow": [2, 40]})", "{}", R"({"$numberLong": "1099511627776"})"},
        {R"({"$pow": [2, -1]})", "{}", "0.5"},
        {R"({"$pow": [-1, -3]})", "{}", "-1"},
        {R"({"$pow": [2.0, 3]})", "{}", "8.0"},
        {R"({"$pow": [0, -1]})", "{}", "", ErrorCodes::Location28764},
        {R"({"$pow": [null, 2]})", "{}", "null"},
        {R"({"$exp": 0})", "{}", "1.0"},
        {R"({"$ln": 1})", "{}", "0.0"},
        {R"({"$ln": 0})", "{}", "", ErrorCodes::Location28766},
        {R"({"$log10": 1000})", "{}", "3.0"},
        {R"({"$log10": -1})", "{}", "", ErrorCodes::Location28761},
        {R"({"$log10": null})", "{}", "null"},
        {R"({"$log": [8, 2]})", "{}", "3.0"},
        {R"({"$log": [8, 1]})", "{}", "", ErrorCodes::Location28759},
    });
}

TEST(Expression, ComparisonAndBoolean) {
    checkAll({
        {R"({"$eq": [1, 1.0]})", "{}", "true"},
        {R"({"$eq": [1, {"$numberLong": "1"}]})", "{}", "true"},
        {R"({"$eq": [1, "1"]})", "{}", "false"},
        {R"({"$eq": ["$missing", null]})", "{}", "false"},
        {R"({"$eq": ["$missing", "$other"]})", "{}", "true"},
        {R"({"$eq": [[1, 2], [1, 2]]})", "{}", "true"},
        {R"({"$eq": [{"a": 1}, {"a": 1}]})", "{}", "true"},
        {R"({"$eq": [1]})", "{}", "", ErrorCodes::Location16020},
        {R"({"$ne": [1, 2]})", "{}", "true"},
        {R"({"$gt": [2, 1]})", "{}", "true"},
        {R"({"$gt": ["a", 1]})", "{}", "true"},
        {R"({"$gt": [null, "$missing"]})", "{}", "true"},
        {R"({"$gte": [1, 1]})", "{}", "true"},
        {R"({"$lt": [1, 2]})", "{}", "true"},
        {R"({"$lt": [{"a": 1}, [1]]})", "{}", "true"},
        {R"({"$lte": [3, 2]})", "{}", "false"},
        {R"({"$cmp": [1, 2]})", "{}", "-1"},
        {R"({"$cmp": ["b", "a"]})", "{}", "1"},
        {R"({"$cmp": [2, 2.0]})", "{}", "0"},
        {R"({"$and": [1, true]})", "{}", "true"},
        {R"({"$and": [1, 0]})", "{}", "false"},
        {R"({"$and": []})", "{}", "true"},
        {R"({"$and": [true, "$missing"]})", "{}", "false"},
        {R"({"$and": [true, []]})", "{}", "true"},
        {R"({"$and": [true, ""]})", "{}", "true"},
        {R"({"$and": [false, {"$divide": [1, 0]}]})", "{}", "false"},
        {R"({"$or": [0, null]})", "{}", "false"},
        {R"({"$or": [0, 0.5]})", "{}", "true"},
        {R"({"$or": []})", "{}", "false"},
        {R"({"$or": [true, {"$divide": [1, 0]}]})", "{}", "true"},
        {R"({"$not": [0]})", "{}", "true"},
        {R"({"$not": [{"$numberLong": "0"}]})", "{}", "true"},
        {R"({"$not": "$missing"})", "{}", "true"},
        {R"({"$not": [[]]})", "{}", "false"},
        {R"({"$not": [1, 2]})", "{}", "", ErrorCodes::Location16020},
    });
}

TEST(Expression, Conditionals) {
    checkAll({
        {R"({"$cond": [true, 1, 2]})", "{}", "1"},
        {R"({"$cond": [null, 1, 2]})", "{}", "2"},
        {R"({"$cond": {"if": {"$gt": ["$a", 5]}, "then": "big", "else": "small"}})", R"({"a": 7})",
         R"("big")"},
        {R"({"$cond": {"if": "$missing", "then": 1, "else": "$$REMOVE"}})", "{}", kMissing},
        {R"({"$cond": [true, 1]})", "{}", "", ErrorCodes::Location16020},
        {R"({"$cond": {"if": true, "then": 1}})", "{}", "", ErrorCodes::Location17082},
        {R"({"$cond": {"if": true, "then": 1, "else": 2, "x": 3}})", "{}", "",
         ErrorCodes::Location17083},
        {R"({"$cond": [false, {"$divide": [1, 0]}, 3]})", "{}", "3"},
        {R"({"$ifNull": ["$a", "d"]})", "{}", R"("d")"},
        {R"({"$ifNull": ["$a", "d"]})", R"({"a": null})", R"("d")"},
        {R"({"$ifNull": ["$a", "d"]})", R"({"a": 0})", "0"},
        {R"({"$ifNull": ["$a", "$b", "d"]})", R"({"b": 2})", "2"},
        {R"({"$ifNull": ["$a", "$b"]})", "{}", kMissing},
        {R"({"$ifNull": ["$a"]})", "{}", "", kBad},
        {R"({"$switch": {"branches": [{"case": {"$eq": ["$a", 1]}, "then": "one"}, )"
         R"({"case": {"$eq": ["$a", 2]}, "then": "two"}], "default": "many"}})",
         R"({"a": 2})", R"("two")"},
        {R"({"$switch": {"branches": [{"case": false, "then": 1}], "default": "d"}})", "{}",
         R"("d")"},
        {R"({"$switch": {"branches": [{"case": false, "then": 1}]}})", "{}", "",
         ErrorCodes::Location40066},
        {R"({"$switch": {"branches": []}})", "{}", "", ErrorCodes::Location40068},
        {R"({"$switch": {"branches": [{"case": true}]}})", "{}", "", ErrorCodes::Location40065},
        {R"({"$switch": {"branches": [{"case": true, "then": 1}], "foo": 1}})", "{}", "",
         ErrorCodes::Location40067},
    });
}

TEST(Expression, Types) {
    checkAll({
        {R"({"$type": 1})", "{}", R"("int")"},
        {R"({"$type": {"$numberLong": "1"}})", "{}", R"("long")"},
        {R"({"$type": 1.5})", "{}", R"("double")"},
        {R"({"$type": "$missing"})", "{}", R"("missing")"},
        {R"({"$type": null})", "{}", R"("null")"},
        {R"({"$type": [[1]]})", "{}", R"("array")"},
        {R"({"$type": {"$literal": {"a": 1}}})", "{}", R"("object")"},
        {R"({"$type": "$a"})", R"({"a": {"$date": "2020-01-01T00:00:00Z"}})", R"("date")"},
        {R"({"$type": "$a"})", R"({"a": {"$oid": "5f0000000000000000000000"}})", R"("objectId")"},
        {R"({"$isNumber": 1})", "{}", "true"},
        {R"({"$isNumber": "1"})", "{}", "false"},
        {R"({"$isNumber": "$missing"})", "{}", "false"},
        {R"({"$toInt": "42"})", "{}", "42"},
        {R"({"$toInt": 4.9})", "{}", "4"},
        {R"({"$toInt": -4.9})", "{}", "-4"},
        {R"({"$toInt": true})", "{}", "1"},
        {R"({"$toInt": "4.5"})", "{}", "", ErrorCodes::ConversionFailure},
        {R"({"$toInt": {"$numberLong": "3000000000"}})", "{}", "", ErrorCodes::ConversionFailure},
        {R"({"$toInt": null})", "{}", "null"},
        {R"({"$toInt": "$missing"})", "{}", "null"},
        {R"({"$toLong": "42"})", "{}", R"({"$numberLong": "42"})"},
        {R"({"$toLong": {"$date": "1970-01-01T00:00:01Z"}})", "{}", R"({"$numberLong": "1000"})"},
        {R"({"$toDouble": "1.5"})", "{}", "1.5"},
        {R"({"$toDouble": 2})", "{}", "2.0"},
        {R"({"$toDouble": false})", "{}", "0.0"},
        {R"({"$toDouble": "abc"})", "{}", "", ErrorCodes::ConversionFailure},
        {R"({"$toString": 42})", "{}", R"("42")"},
        {R"({"$toString": 1.5})", "{}", R"("1.5")"},
        {R"({"$toString": 2.0})", "{}", R"("2")"},
        {R"({"$toString": true})", "{}", R"("true")"},
        {R"({"$toString": {"$date": "2020-01-02T03:04:05.006Z"}})", "{}",
         R"("2020-01-02T03:04:05.006Z")"},
        {R"({"$toString": "$a"})", R"({"a": {"$oid": "5f0000000000000000000001"}})",
         R"("5f0000000000000000000001")"},
        {R"({"$toString": [[1]]})", "{}", "", ErrorCodes::ConversionFailure},
        {R"({"$toBool": 0})", "{}", "false"},
        {R"({"$toBool": ""})", "{}", "true"},
        {R"({"$toBool": 2.5})", "{}", "true"},
        {R"({"$toDate": {"$numberLong": "0"}})", "{}", R"({"$date": "1970-01-01T00:00:00Z"})"},
        {R"({"$toDate": "2021-05-06T07:08:09Z"})", "{}", R"({"$date": "2021-05-06T07:08:09Z"})"},
        {R"({"$toObjectId": "5f0000000000000000000001"})", "{}",
         R"({"$oid": "5f0000000000000000000001"})"},
        {R"({"$toObjectId": "xyz"})", "{}", "", ErrorCodes::ConversionFailure},
        {R"({"$toDecimal": 5})", "{}", R"({"$numberDecimal": "5"})"},
        {R"({"$convert": {"input": "x", "to": "int", "onError": -1}})", "{}", "-1"},
        {R"({"$convert": {"input": null, "to": "int", "onNull": 0}})", "{}", "0"},
        {R"({"$convert": {"input": "$missing", "to": "int"}})", "{}", "null"},
        {R"({"$convert": {"input": "7", "to": 16}})", "{}", "7"},
        {R"({"$convert": {"input": "7", "to": "long"}})", "{}", R"({"$numberLong": "7"})"},
        {R"({"$convert": {"input": 1, "to": "nope"}})", "{}", "", kBad},
        {R"({"$convert": {"input": 1}})", "{}", "", kBad},
        {R"({"$convert": {"input": 1, "to": "int", "x": 1}})", "{}", "", kBad},
    });
}

TEST(Expression, Strings) {
    checkAll({
        {R"({"$concat": ["a", "b", "c"]})", "{}", R"("abc")"},
        {R"({"$concat": []})", "{}", R"("")"},
        {R"({"$concat": ["a", null]})", "{}", "null"},
        {R"({"$concat": ["a", "$missing"]})", "{}", "null"},
        {R"({"$concat": ["a", 1]})", "{}", "", ErrorCodes::Location16702},
        {R"({"$substrCP": ["héllo", 1, 3]})", "{}", R"("éll")"},
        {R"({"$substrCP": ["abc", 5, 1]})", "{}", R"("")"},
        {R"({"$substrCP": ["abc", 1, 100]})", "{}", R"("bc")"},
        {R"({"$substrCP": [null, 0, 1]})", "{}", R"("")"},
        {R"({"$substrCP": [123, 0, 2]})", "{}", R"("12")"},
        {R"({"$substrCP": ["abc", -1, 1]})", "{}", "", ErrorCodes::Location34455},
        {R"({"$substrCP": ["abc", 0, -1]})", "{}", "", ErrorCodes::Location34454},
        {R"({"$substrCP": ["abc", "0", 1]})", "{}", "", ErrorCodes::Location34450},
        {R"({"$substrCP": ["abc", 0.5, 1]})", "{}", "", ErrorCodes::Location34451},
        {R"({"$substrCP": ["abc", 0]})", "{}", "", ErrorCodes::Location16020},
        {R"({"$substrBytes": ["abcdef", 2, 3]})", "{}", R"("cde")"},
        {R"({"$substrBytes": ["héllo", 0, 2]})", "{}", "", ErrorCodes::Location28657},
        {R"({"$substrBytes": ["héllo", 0, 3]})", "{}", R"("hé")"},
        {R"({"$substrBytes": ["abc", 1, -1]})", "{}", R"("bc")"},
        // $substrBytes takes int64 positions (only $substrCP wants int32 ones).
        {R"({"$substrBytes": ["abc", 1, {"$numberLong": "3000000000"}]})", "{}", R"("bc")"},
        {R"({"$substrBytes": ["abc", "1", 1]})", "{}", "", ErrorCodes::Location16034},
        {R"({"$substrCP": ["abc", 0, {"$numberLong": "3000000000"}]})", "{}", "",
         ErrorCodes::Location34453},
        {R"({"$toUpper": "abC1é"})", "{}", R"("ABC1é")"},
        {R"({"$toUpper": null})", "{}", R"("")"},
        {R"({"$toUpper": "$missing"})", "{}", R"("")"},
        {R"({"$toLower": "ABc"})", "{}", R"("abc")"},
        {R"({"$toLower": 12})", "{}", R"("12")"},
        {R"({"$toLower": [[1]]})", "{}", "", ErrorCodes::Location16007},
        {R"({"$strcasecmp": ["abc", "ABC"]})", "{}", "0"},
        {R"({"$strcasecmp": ["abc", "abd"]})", "{}", "-1"},
        {R"({"$strcasecmp": ["b", "A"]})", "{}", "1"},
        {R"({"$split": ["a,b,,c", ","]})", "{}", R"(["a", "b", "", "c"])"},
        {R"({"$split": ["abc", "x"]})", "{}", R"(["abc"])"},
        {R"({"$split": [",a,", ","]})", "{}", R"(["", "a", ""])"},
        {R"({"$split": [null, ","]})", "{}", "null"},
        {R"({"$split": ["abc", ""]})", "{}", "", ErrorCodes::Location40087},
        {R"({"$split": [1, ","]})", "{}", "", ErrorCodes::Location40085},
        {R"({"$split": ["a", 1]})", "{}", "", ErrorCodes::Location40086},
        {R"({"$trim": {"input": "  a b  "}})", "{}", R"("a b")"},
        {R"({"$ltrim": {"input": "  a  "}})", "{}", R"("a  ")"},
        {R"({"$rtrim": {"input": "  a  "}})", "{}", R"("  a")"},
        {R"({"$trim": {"input": "xxaxx", "chars": "x"}})", "{}", R"("a")"},
        {R"({"$trim": {"input": "éaé", "chars": "é"}})", "{}", R"("a")"},
        {R"({"$trim": {"input": null}})", "{}", "null"},
        {R"({"$trim": {"input": 5}})", "{}", "", kType},
        {R"({"$trim": {"chars": "x"}})", "{}", "", kBad},
        {R"({"$trim": {"input": "a", "foo": 1}})", "{}", "", kBad},
        {R"({"$strLenCP": "héllo"})", "{}", "5"},
        {R"({"$strLenBytes": "héllo"})", "{}", "6"},
        {R"({"$strLenCP": ""})", "{}", "0"},
        {R"({"$strLenCP": null})", "{}", "", ErrorCodes::Location34471},
        {R"({"$strLenBytes": 5})", "{}", "", ErrorCodes::Location34473},
        {R"({"$indexOfCP": ["héllo", "l"]})", "{}", "2"},
        {R"({"$indexOfCP": ["hello", "z"]})", "{}", "-1"},
        {R"({"$indexOfCP": ["hello", "l", 3]})", "{}", "3"},
        {R"({"$indexOfCP": ["hello", "l", 0, 2]})", "{}", "-1"},
        {R"({"$indexOfCP": ["hello", ""]})", "{}", "0"},
        {R"({"$indexOfCP": [null, "a"]})", "{}", "null"},
        {R"({"$indexOfCP": ["a", null]})", "{}", "", ErrorCodes::Location40094},
        {R"({"$indexOfCP": ["a", "a", -1]})", "{}", "", ErrorCodes::Location40097},
        {R"({"$indexOfBytes": ["héllo", "l"]})", "{}", "3"},
        {R"({"$regexMatch": {"input": "Hello", "regex": "^h"}})", "{}", "false"},
        {R"({"$regexMatch": {"input": "Hello", "regex": "^h", "options": "i"}})", "{}", "true"},
        {R"({"$regexMatch": {"input": "Hello", "regex": {"$regularExpression": {"pattern": "^h", )"
         R"("options": "i"}}}})",
         "{}", "true"},
        {R"({"$regexMatch": {"input": "a\nb", "regex": "^b", "options": "m"}})", "{}", "true"},
        {R"({"$regexMatch": {"input": "$missing", "regex": "a"}})", "{}", "false"},
        {R"({"$regexMatch": {"input": null, "regex": "a"}})", "{}", "false"},
        {R"({"$regexMatch": {"input": "a", "regex": null}})", "{}", "false"},
        {R"({"$regexMatch": {"input": 5, "regex": "a"}})", "{}", "", kType},
        {R"({"$regexMatch": {"input": "a", "regex": "("}})", "{}", "", kBad},
        {R"({"$regexMatch": {"input": "a", "regex": "a", "options": "q"}})", "{}", "", kBad},
        {R"({"$regexMatch": {"input": "a"}})", "{}", "", kBad},
        {R"({"$regexMatch": {"input": "$s", "regex": "^\\d+$"}})", R"({"s": "123"})", "true"},
    });
}

TEST(Expression, Arrays) {
    checkAll({
        {R"({"$size": [[1, 2, 3]]})", "{}", "3"},
        {R"({"$size": "$a"})", R"({"a": []})", "0"},
        {R"({"$size": "$a"})", "{}", "", ErrorCodes::Location17124},
        {R"({"$size": "$a"})", R"({"a": null})", "", ErrorCodes::Location17124},
        {R"({"$size": "$a"})", R"({"a": 5})", "", ErrorCodes::Location17124},
        {R"({"$arrayElemAt": [[1, 2, 3], 0]})", "{}", "1"},
        {R"({"$arrayElemAt": [[1, 2, 3], -1]})", "{}", "3"},
        {R"({"$arrayElemAt": [[1, 2, 3], 3]})", "{}", kMissing},
        {R"({"$arrayElemAt": [[1, 2, 3], -4]})", "{}", kMissing},
        {R"({"$arrayElemAt": ["$missing", 0]})", "{}", "null"},
        {R"({"$arrayElemAt": [[1], 0.5]})", "{}", "", ErrorCodes::Location28691},
        {R"({"$arrayElemAt": [[1], 0.0]})", "{}", "1"},
        {R"({"$arrayElemAt": ["abc", 0]})", "{}", "", ErrorCodes::Location28689},
        {R"({"$first": [[4, 5]]})", "{}", "4"},
        {R"({"$last": [[4, 5]]})", "{}", "5"},
        {R"({"$first": [[]]})", "{}", kMissing},
        {R"({"$first": null})", "{}", "null"},
        {R"({"$last": "x"})", "{}", "", kType},
        {R"({"$in": [2, [1, 2]]})", "{}", "true"},
        {R"({"$in": [2.0, [1, 2]]})", "{}", "true"},
        {R"({"$in": [3, [1, 2]]})", "{}", "false"},
        {R"({"$in": [null, [1, null]]})", "{}", "true"},
        {R"({"$in": [1, "$missing"]})", "{}", "", ErrorCodes::Location40081},
        {R"({"$in": [[1], [[1], 2]]})", "{}", "true"},
        {R"({"$slice": [[1, 2, 3, 4], 2]})", "{}", "[1, 2]"},
        {R"({"$slice": [[1, 2, 3, 4], -2]})", "{}", "[3, 4]"},
        {R"({"$slice": [[1, 2, 3, 4], 10]})", "{}", "[1, 2, 3, 4]"},
        {R"({"$slice": [[1, 2, 3, 4], -10]})", "{}", "[1, 2, 3, 4]"},
        {R"({"$slice": [[1, 2, 3, 4], 1, 2]})", "{}", "[2, 3]"},
        {R"({"$slice": [[1, 2, 3, 4], -3, 2]})", "{}", "[2, 3]"},
        {R"({"$slice": [[1, 2, 3, 4], 10, 2]})", "{}", "[]"},
        {R"({"$slice": [[1, 2, 3, 4], 1, 0]})", "{}", "", ErrorCodes::Location28729},
        {R"({"$slice": [null, 1]})", "{}", "null"},
        {R"({"$slice": ["abc", 1]})", "{}", "", ErrorCodes::Location28724},
        {R"({"$slice": [[1]]})", "{}", "", ErrorCodes::Location28667},
        {R"({"$concatArrays": [[1], [2, [3]], []]})", "{}", "[1, 2, [3]]"},
        {R"({"$concatArrays": [[1], null]})", "{}", "null"},
        {R"({"$concatArrays": [[1], "$missing"]})", "{}", "null"},
        {R"({"$concatArrays": [[1], 2]})", "{}", "", ErrorCodes::Location28664},
        {R"({"$isArray": [[1]]})", "{}", "true"},
        {R"({"$isArray": "$a"})", R"({"a": [1]})", "true"},
        {R"({"$isArray": "$a"})", R"({"a": 1})", "false"},
        {R"({"$isArray": "$missing"})", "{}", "false"},
        {R"({"$range": [0, 3]})", "{}", "[0, 1, 2]"},
        {R"({"$range": [0, 10, 4]})", "{}", "[0, 4, 8]"},
        {R"({"$range": [5, 0, -2]})", "{}", "[5, 3, 1]"},
        {R"({"$range": [3, 0]})", "{}", "[]"},
        {R"({"$range": [0, 3, 0]})", "{}", "", ErrorCodes::Location34449},
        {R"({"$range": [0, "a"]})", "{}", "", ErrorCodes::Location34445},
        {R"({"$range": [0.5, 3]})", "{}", "", ErrorCodes::Location34444},
        {R"({"$reverseArray": [[1, 2, 3]]})", "{}", "[3, 2, 1]"},
        {R"({"$reverseArray": null})", "{}", "null"},
        {R"({"$reverseArray": 1})", "{}", "", ErrorCodes::Location34435},
        {R"({"$indexOfArray": [["a", "b", "a"], "a"]})", "{}", "0"},
        {R"({"$indexOfArray": [["a", "b", "a"], "a", 1]})", "{}", "2"},
        {R"({"$indexOfArray": [["a", "b"], "c"]})", "{}", "-1"},
        {R"({"$indexOfArray": [[1, 2], 2.0]})", "{}", "1"},
        {R"({"$indexOfArray": [null, 1]})", "{}", "null"},
        {R"({"$indexOfArray": [1, 1]})", "{}", "", ErrorCodes::Location40090},
        {R"({"$filter": {"input": [1, 2, 3, 4], "cond": {"$gt": ["$$this", 2]}}})", "{}", "[3, 4]"},
        {R"({"$filter": {"input": "$a", "as": "x", "cond": {"$eq": ["$$x.k", 1]}}})",
         R"({"a": [{"k": 1}, {"k": 2}]})", R"([{"k": 1}])"},
        {R"({"$filter": {"input": [1, 2, 3], "cond": true, "limit": 2}})", "{}", "[1, 2]"},
        {R"({"$filter": {"input": [1, 2, 3], "cond": true, "limit": 0}})", "{}", "", kBad},
        {R"({"$filter": {"input": null, "cond": true}})", "{}", "null"},
        {R"({"$filter": {"input": 1, "cond": true}})", "{}", "", ErrorCodes::Location28651},
        {R"({"$filter": {"input": [1], "cond": "$$y"}})", "{}", "", kBad},
        {R"({"$filter": {"input": [1]}})", "{}", "", ErrorCodes::Location28650},
        {R"({"$filter": {"input": [1], "cond": true, "as": "Bad"}})", "{}", "", kBad},
        {R"({"$map": {"input": [1, 2], "in": {"$multiply": ["$$this", 10]}}})", "{}", "[10, 20]"},
        {R"({"$map": {"input": [1, 2], "as": "v", "in": {"$add": ["$$v", "$b"]}}})", R"({"b": 1})",
         "[2, 3]"},
        {R"({"$map": {"input": [{"a": 1}, {}], "in": "$$this.a"}})", "{}", "[1, null]"},
        {R"({"$map": {"input": "$missing", "in": 1}})", "{}", "null"},
        {R"({"$map": {"input": [1], "in": 1, "cond": 1}})", "{}", "", ErrorCodes::Location16879},
        {R"({"$reduce": {"input": [1, 2, 3], "initialValue": 0, "in": {"$add": ["$$value", )"
         R"("$$this"]}}})",
         "{}", "6"},
        {R"({"$reduce": {"input": ["a", "b"], "initialValue": "", "in": {"$concat": ["$$value", )"
         R"("$$this"]}}})",
         "{}", R"("ab")"},
        {R"({"$reduce": {"input": [], "initialValue": 7, "in": 0}})", "{}", "7"},
        {R"({"$reduce": {"input": null, "initialValue": 0, "in": 0}})", "{}", "null"},
        {R"({"$reduce": {"input": [1], "in": 0}})", "{}", "", ErrorCodes::Location40078},
        {R"({"$reduce": {"input": [[1, 2], [3]], "initialValue": [], )"
         R"("in": {"$concatArrays": ["$$value", "$$this"]}}})",
         "{}", "[1, 2, 3]"},
    });
}

TEST(Expression, Dates) {
    const char* doc = R"({"d": {"$date": "2021-03-07T13:04:05.678Z"}})";
    checkAll({
        {R"({"$year": "$d"})", doc, "2021"},
        {R"({"$month": "$d"})", doc, "3"},
        {R"({"$dayOfMonth": "$d"})", doc, "7"},
        {R"({"$hour": "$d"})", doc, "13"},
        {R"({"$minute": "$d"})", doc, "4"},
        {R"({"$second": "$d"})", doc, "5"},
        {R"({"$millisecond": "$d"})", doc, "678"},
        {R"({"$dayOfWeek": "$d"})", doc, "1"},
        {R"({"$dayOfYear": "$d"})", doc, "66"},
        {R"({"$year": ["$d"]})", doc, "2021"},
        {R"({"$hour": {"date": "$d", "timezone": "+02:00"}})", doc, "15"},
        {R"({"$hour": {"date": "$d", "timezone": "-0530"}})", doc, "7"},
        {R"({"$dayOfMonth": {"date": "$d", "timezone": "+12"}})", doc, "8"},
        {R"({"$hour": {"date": "$d", "timezone": "Mars/Base"}})", doc, "", kBad},
        {R"({"$year": "$missing"})", doc, "null"},
        {R"({"$year": null})", doc, "null"},
        {R"({"$year": "2021"})", doc, "", ErrorCodes::Location16006},
        {R"({"$year": {"$literal": {"$date": "1969-12-31T23:59:59.999Z"}}})", doc, "1969"},
        {R"({"$dayOfWeek": {"$toDate": {"$numberLong": "0"}}})", doc, "5"},
        {R"({"$year": {"$toDate": {"$numberLong": "-62135596800000"}}})", doc, "1"},
        {R"({"$dayOfYear": {"$dateFromString": {"dateString": "2020-12-31"}}})", doc, "366"},
        {R"({"$year": {"date": "$d", "bogus": 1}})", doc, "", kBad},
        {R"({"$year": "$t"})", R"({"t": {"$timestamp": {"t": 1609459200, "i": 1}}})", "2021"},
        {R"({"$dateToString": {"date": "$d"}})", doc, R"("2021-03-07T13:04:05.678Z")"},
        {R"({"$dateToString": {"date": "$d", "format": "%Y/%m/%d %H:%M:%S.%L"}})", doc,
         R"("2021/03/07 13:04:05.678")"},
        {R"({"$dateToString": {"date": "$d", "format": "%j %w %u %%"}})", doc, R"("066 1 7 %")"},
        {R"({"$dateToString": {"date": "$d", "format": "%H:%M %z", "timezone": "-03:30"}})", doc,
         R"("09:34 -0330")"},
        {R"({"$dateToString": {"date": "$d", "format": "%Q"}})", doc, "", kBad},
        {R"({"$dateToString": {"date": "$missing", "onNull": "none"}})", doc, R"("none")"},
        {R"({"$dateToString": {"date": null}})", doc, "null"},
        {R"({"$dateToString": {"date": 5}})", doc, "", ErrorCodes::Location16006},
        {R"({"$dateToString": {"format": "%Y"}})", doc, "", ErrorCodes::Location18628},
        {R"({"$dateFromString": {"dateString": "2021-03-07T13:04:05.678Z"}})", "{}",
         R"({"$date": "2021-03-07T13:04:05.678Z"})"},
        {R"({"$dateFromString": {"dateString": "2021-03-07T13:04:05+01:00"}})", "{}",
         R"({"$date": "2021-03-07T12:04:05Z"})"},
        {R"({"$dateFromString": {"dateString": "2021-03-07T13:04:05"}})", "{}",
         R"({"$date": "2021-03-07T13:04:05Z"})"},
        {R"({"$dateFromString": {"dateString": "2021-03-07T13:04:05", "timezone": "+01:00"}})",
         "{}", R"({"$date": "2021-03-07T12:04:05Z"})"},
        {R"({"$dateFromString": {"dateString": "2021-03-07"}})", "{}",
         R"({"$date": "2021-03-07T00:00:00Z"})"},
        {R"({"$dateFromString": {"dateString": "07/03/2021", "format": "%d/%m/%Y"}})", "{}",
         R"({"$date": "2021-03-07T00:00:00Z"})"},
        {R"({"$dateFromString": {"dateString": "2021-02-30"}})", "{}", "",
         ErrorCodes::ConversionFailure},
        {R"({"$dateFromString": {"dateString": "garbage"}})", "{}", "",
         ErrorCodes::ConversionFailure},
        {R"({"$dateFromString": {"dateString": "garbage", "onError": "bad"}})", "{}", R"("bad")"},
        {R"({"$dateFromString": {"dateString": "$missing", "onNull": 0}})", "{}", "0"},
        {R"({"$dateFromString": {"dateString": null}})", "{}", "null"},
        {R"({"$dateFromString": {"dateString": 5}})", "{}", "", ErrorCodes::ConversionFailure},
        {R"({"$dateFromString": {"format": "%Y"}})", "{}", "", ErrorCodes::Location40542},
    });
}

// {"$abs": {"$abs": ... 1}} with `levels` operator objects (built directly: the JSON parser
// stops at 100 levels itself).
void nestAbs(BsonBuilder& b, int levels) {
    if (levels == 1) {
        b.appendInt32("$abs", 1);
        return;
    }
    b.appendDocument("$abs", [&](BsonBuilder& child) { nestAbs(child, levels - 1); });
}

TEST(Expression, DepthIsCapped) {
    for (int levels : {100, 101, 150}) {
        BsonBuilder b;
        b.appendDocument("e", [&](BsonBuilder& child) { nestAbs(child, levels); });
        BsonObj spec = b.obj();
        bson_iter_t it;
        ASSERT_TRUE(spec.view().find("e", &it));
        auto e = parseExpression(it, ParseContext{});
        if (levels <= 100) {
            EXPECT_TRUE(e.isOK()) << levels << " " << e.getStatus().toString();
        } else {
            ASSERT_FALSE(e.isOK()) << levels;
            EXPECT_EQ(e.getStatus().code(), ErrorCodes::Overflow);
        }
    }

    std::string ok = "1";
    for (int i = 0; i < 40; ++i) ok = R"({"$abs": )" + ok + "}";
    check({ok.c_str(), "{}", "1"});
}

}  // namespace
}  // namespace mongosd::query

namespace mongosd::query {
namespace {

// Found by expression_fuzz: $reduce feeding $$value into an object literal nested one level
// per element, producing a result over 1,000 levels deep.
TEST(Expression, ReduceStopsAtTheDepthLimit) {
    const std::string nest =
        R"({"$reduce": {"input": {"$range": [0, N]}, "initialValue": 0,
                        "in": {"k": ["$$value", "$$this"]}}})";
    auto shallow = run(std::regex_replace(nest, std::regex("N"), "40"), "{}");
    EXPECT_TRUE(shallow.isOK()) << shallow.getStatus().toString();
    auto deep = run(std::regex_replace(nest, std::regex("N"), "929"), "{}");
    ASSERT_FALSE(deep.isOK());
    EXPECT_EQ(deep.getStatus().code(), ErrorCodes::Overflow);
}

}  // namespace
}  // namespace mongosd::query
