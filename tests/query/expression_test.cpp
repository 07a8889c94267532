#include "query/expression.h"

#include <gtest/gtest.h>

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
        {R"({"$add": [1, 2], "x": 1})", "{}", "", kBad},
        {R"({"x": {"$bogus": 1}})", "{}", "", ErrorCodes::InvalidPipelineOperator},
    });
}

TEST(Expression, Let) {
    checkAll({
        {R"({"$let": {"vars": {"x": 2}, "in": {"$multiply": ["$$x", "$a"]}}})", R"({"a": 4})", "8"},
        {R"({"$let": {"vars": {"x": "$a"}, "in": "$$x.b"}})", R"({"a": {"b": 7}})", "7"},
        {R"({"$let": {"vars": {"x": 1}, "in": {"$let": {"vars": {"x": 2}, "in": "$$x"}}}})", "{}", "2"},
        {R"({"$let": {"vars": {"x": 1}, "in": "$$y"}})", "{}", "", kBad},
        {R"({"$let": {"vars": {"X": 1}, "in": 1}})", "{}", "", kBad},
        {R"({"$let": {"in": 1}})", "{}", "", kBad},
        {R"({"$let": {"vars": {}, "in": 1, "z": 1}})", "{}", "", kBad},
        {R"({"$let": {"vars": {"x": "$$x"}, "in": 1}})", "{}", "", kBad},
    });
}

TEST(Expression, Arithmetic) {
    checkAll({
        {R"({"$add": [1, 2]})", "{}", "3"},
        {R"({"$add": [1, {"$numberLong": "2"}]})", "{}", R"({"$numberLong": "3"})"},
        {R"({"$add": [1, 2.5]})", "{}", "3.5"},
        {R"({"$add": [2147483647, 1]})", "{}", R"({"$numberLong": "2147483648"})"},
        {R"({"$add": [{"$numberLong": "9223372036854775807"}, 1]})", "{}", R"({"$numberDouble": "9.2233720368547758E+18"})"},
        {R"({"$add": []})", "{}", "0"},
        {R"({"$add": [1, null]})", "{}", "null"},
        {R"({"$add": [1, "$missing"]})", "{}", "null"},
        {R"({"$add": [1, "a"]})", "{}", "", kType},
        {R"({"$add": [{"$date": "2020-01-01T00:00:00Z"}, 1000]})", "{}", R"({"$date": "2020-01-01T00:00:01Z"})"},
        {R"({"$add": [{"$date": "2020-01-01T00:00:00Z"}, {"$date": "2020-01-01T00:00:00Z"}]})", "{}", "", kBad},
        {R"({"$add": "$a"})", R"({"a": 4})", "4"},
        {R"({"$subtract": [5, 3]})", "{}", "2"},
        {R"({"$subtract": [5, 3.5]})", "{}", "1.5"},
        {R"({"$subtract": [-2147483648, 1]})", "{}", R"({"$numberLong": "-2147483649"})"},
        {R"({"$subtract": [{"$date": "2020-01-01T00:00:01Z"}, {"$date": "2020-01-01T00:00:00Z"}]})", "{}", R"({"$numberLong": "1000"})"},
        {R"({"$subtract": [{"$date": "2020-01-01T00:00:01Z"}, 1000]})", "{}", R"({"$date": "2020-01-01T00:00:00Z"})"},
        {R"({"$subtract": [1, {"$date": "2020-01-01T00:00:01Z"}]})", "{}", "", kType},
        {R"({"$subtract": [1, null]})", "{}", "null"},
        {R"({"$subtract": [1]})", "{}", "", kBad},
        {R"({"$subtract": [1, 2, 3]})", "{}", "", kBad},
        {R"({"$multiply": [2, 3]})", "{}", "6"},
        {R"({"$multiply": [2, 1.5]})", "{}", "3.0"},
        {R"({"$multiply": [65536, 65536]})", "{}", R"({"$numberLong": "4294967296"})"},
        {R"({"$multiply": [2, "$missing"]})", "{}", "null"},
        {R"({"$multiply": [2, true]})", "{}", "", kType},
        {R"({"$multiply": []})", "{}", "1"},
        {R"({"$divide": [6, 3]})", "{}", "2.0"},
        {R"({"$divide": [1, 4]})", "{}", "0.25"},
        {R"({"$divide": [1, 0]})", "{}", "", kBad},
        {R"({"$divide": [1, 0.0]})", "{}", "", kBad},
        {R"({"$divide": [null, 0]})", "{}", "null"},
        {R"({"$divide": ["a", 1]})", "{}", "", kType},
        {R"({"$mod": [7, 3]})", "{}", "1"},
        {R"({"$mod": [-7, 3]})", "{}", "-1"},
        {R"({"$mod": [7, {"$numberLong": "3"}]})", "{}", R"({"$numberLong": "1"})"},
        {R"({"$mod": [7.5, 2]})", "{}", "1.5"},
        {R"({"$mod": [7, 0]})", "{}", "", kBad},
        {R"({"$mod": [null, 0]})", "{}", "null"},
        {R"({"$abs": -5})", "{}", "5"},
        {R"({"$abs": -2147483648})", "{}", R"({"$numberLong": "2147483648"})"},
        {R"({"$abs": -2.5})", "{}", "2.5"},
        {R"({"$abs": null})", "{}", "null"},
        {R"({"$abs": "$missing"})", "{}", "null"},
        {R"({"$abs": "x"})", "{}", "", kType},
        {R"({"$abs": [1, 2]})", "{}", "", kBad},
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
        {R"({"$round": [null, 1]})", "{}", "null"},
        {R"({"$trunc": 2.7})", "{}", "2.0"},
        {R"({"$trunc": -2.7})", "{}", "-2.0"},
        {R"({"$trunc": [1.789, 1]})", "{}", "1.7"},
        {R"({"$sqrt": 16})", "{}", "4.0"},
        {R"({"$sqrt": -1})", "{}", "", kBad},
        {R"({"$sqrt": null})", "{}", "null"},
        {R"({"$pow": [2, 10]})", "{}", "1024"},
        {R"({"$pow": [2, 40]})", "{}", R"({"$numberLong": "1099511627776"})"},
        {R"({"$pow": [2, -1]})", "{}", "0.5"},
        {R"({"$pow": [-1, -3]})", "{}", "-1"},
        {R"({"$pow": [2.0, 3]})", "{}", "8.0"},
        {R"({"$pow": [0, -1]})", "{}", "", kBad},
        {R"({"$pow": [null, 2]})", "{}", "null"},
        {R"({"$exp": 0})", "{}", "1.0"},
        {R"({"$ln": 1})", "{}", "0.0"},
        {R"({"$ln": 0})", "{}", "", kBad},
        {R"({"$log10": 1000})", "{}", "3.0"},
        {R"({"$log10": -1})", "{}", "", kBad},
        {R"({"$log10": null})", "{}", "null"},
        {R"({"$log": [8, 2]})", "{}", "3.0"},
        {R"({"$log": [8, 1]})", "{}", "", kBad},
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
        {R"({"$eq": [1]})", "{}", "", kBad},
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
        {R"({"$not": [1, 2]})", "{}", "", kBad},
    });
}

TEST(Expression, Conditionals) {
    checkAll({
        {R"({"$cond": [true, 1, 2]})", "{}", "1"},
        {R"({"$cond": [null, 1, 2]})", "{}", "2"},
        {R"({"$cond": {"if": {"$gt": ["$a", 5]}, "then": "big", "else": "small"}})", R"({"a": 7})", R"("big")"},
        {R"({"$cond": {"if": "$missing", "then": 1, "else": "$$REMOVE"}})", "{}", kMissing},
        {R"({"$cond": [true, 1]})", "{}", "", kBad},
        {R"({"$cond": {"if": true, "then": 1}})", "{}", "", kBad},
        {R"({"$cond": {"if": true, "then": 1, "else": 2, "x": 3}})", "{}", "", kBad},
        {R"({"$cond": [false, {"$divide": [1, 0]}, 3]})", "{}", "3"},
        {R"({"$ifNull": ["$a", "d"]})", "{}", R"("d")"},
        {R"({"$ifNull": ["$a", "d"]})", R"({"a": null})", R"("d")"},
        {R"({"$ifNull": ["$a", "d"]})", R"({"a": 0})", "0"},
        {R"({"$ifNull": ["$a", "$b", "d"]})", R"({"b": 2})", "2"},
        {R"({"$ifNull": ["$a", "$b"]})", "{}", kMissing},
        {R"({"$ifNull": ["$a"]})", "{}", "", kBad},
        {R"({"$switch": {"branches": [{"case": {"$eq": ["$a", 1]}, "then": "one"}, {"case": {"$eq": ["$a", 2]}, "then": "two"}], "default": "many"}})", R"({"a": 2})", R"("two")"},
        {R"({"$switch": {"branches": [{"case": false, "then": 1}], "default": "d"}})", "{}", R"("d")"},
        {R"({"$switch": {"branches": [{"case": false, "then": 1}]}})", "{}", "", kBad},
        {R"({"$switch": {"branches": []}})", "{}", "", kBad},
        {R"({"$switch": {"branches": [{"case": true}]}})", "{}", "", kBad},
        {R"({"$switch": {"branches": [{"case": true, "then": 1}], "foo": 1}})", "{}", "", kBad},
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
        {R"({"$toString": {"$date": "2020-01-02T03:04:05.006Z"}})", "{}", R"("2020-01-02T03:04:05.006Z")"},
        {R"({"$toString": "$a"})", R"({"a": {"$oid": "5f0000000000000000000001"}})", R"("5f0000000000000000000001")"},
        {R"({"$toString": [[1]]})", "{}", "", ErrorCodes::ConversionFailure},
        {R"({"$toBool": 0})", "{}", "false"},
        {R"({"$toBool": ""})", "{}", "true"},
        {R"({"$toBool": 2.5})", "{}", "true"},
        {R"({"$toDate": {"$numberLong": "0"}})", "{}", R"({"$date": "1970-01-01T00:00:00Z"})"},
        {R"({"$toDate": "2021-05-06T07:08:09Z"})", "{}", R"({"$date": "2021-05-06T07:08:09Z"})"},
        {R"({"$toObjectId": "5f0000000000000000000001"})", "{}", R"({"$oid": "5f0000000000000000000001"})"},
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
