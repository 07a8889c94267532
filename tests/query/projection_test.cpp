// Projection parsing errors (MongoDB's codes) and the find/aggregate language differences.
// Whole-command behaviour lives in tests/query/golden/projection/*.json.
#include <gtest/gtest.h>

#include "common/json/ejson.h"
#include "query/expression.h"
#include "query/projection.h"
#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

int parseCode(const std::string& spec, ProjectionPolicy policy = ProjectionPolicy::kFind) {
    auto p = Projection::parse(parseJson(spec), policy);
    return p.isOK() ? 0 : p.getStatus().code();
}

std::string applied(const std::string& spec, const std::string& doc,
                    ProjectionPolicy policy = ProjectionPolicy::kFind,
                    std::optional<size_t> position = std::nullopt) {
    auto p = Projection::parse(parseJson(spec), policy);
    if (!p.isOK()) return "parse error " + std::to_string(p.getStatus().code());
    auto out = p.getValue().apply(parseJson(doc), ProjectionContext{position, nullptr});
    if (!out.isOK()) return "error " + std::to_string(out.getStatus().code());
    return json::toJson(out.getValue());
}

TEST(ProjectionParse, MixingAndCollisions) {
    EXPECT_EQ(parseCode(R"({"a": 1, "b": 0})"), 31254);
    EXPECT_EQ(parseCode(R"({"a": 0, "b": 1})"), 31253);
    EXPECT_EQ(parseCode(R"({"a": {"b": 1}, "a.b": 1})"), 31250);
    EXPECT_EQ(parseCode(R"({"a.b": 1, "a": 1})"), 31250);
    EXPECT_EQ(parseCode(R"({"a": 1, "a.b": 1})"), 31249);
    EXPECT_EQ(parseCode(R"({"a": {"b": 1}, "a.b": 0})"), 31250);
    EXPECT_EQ(parseCode(R"({"a": 0, "b": "$x"})"), 31310);
    EXPECT_EQ(parseCode(R"({"a": 0, "b": {"$add": [1, 2]}})"), 31252);
    EXPECT_EQ(parseCode(R"({"b": {"$add": [1, 2]}, "a": 0})"), 31254);
    EXPECT_EQ(parseCode(R"({"_id": 0, "a": 1})"), 0);
    EXPECT_EQ(parseCode(R"({"_id": 1, "a": 0})"), 0);
    EXPECT_EQ(parseCode(R"({"a": {"$bogus": 1}})"), 31325);
    EXPECT_EQ(parseCode(R"({"a": {}})"), 51270);
    EXPECT_EQ(parseCode(R"({"$a": 1})"), 16410);
    EXPECT_EQ(parseCode(R"({"a..b": 1})"), 15998);
    EXPECT_EQ(parseCode(R"({"a": {"b": 1, "$c": 1}})"), 16410);
}

TEST(ProjectionParse, FindOperators) {
    EXPECT_EQ(parseCode(R"({"a": {"$slice": [1]}})"),
              ErrorCodes::Location28667);  // expression arity
    EXPECT_EQ(parseCode(R"({"a": {"$slice": "x"}})"), ErrorCodes::Location28667);
    EXPECT_EQ(parseCode(R"({"a": {"$slice": ["$b", 1]}})"), 0);  // the expression $slice
    EXPECT_EQ(parseCode(R"({"a": {"$slice": 1}, "b": 1})"), 0);
    EXPECT_EQ(parseCode(R"({"a": {"$slice": 1}, "b": 0})"), 0);
    EXPECT_EQ(parseCode(R"({"a": {"$elemMatch": 1}})"), 31274);
    EXPECT_EQ(parseCode(R"({"a.b": {"$elemMatch": {"x": 1}}})"), 31275);
    EXPECT_EQ(parseCode(R"({"a": {"b": {"$elemMatch": {"x": 1}}}})"), 31275);
    EXPECT_EQ(parseCode(R"({"a": {"$elemMatch": {"$bad": 1}}})"), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"a.$": 1, "b.$": 1})"), 31276);
    EXPECT_EQ(parseCode(R"({"a.$": 1, "b": {"$elemMatch": {"x": 1}}})"), 31255);
    EXPECT_EQ(parseCode(R"({"b": {"$elemMatch": {"x": 1}}, "a.$": 1})"), 31256);
    EXPECT_EQ(parseCode(R"({"a.$.b.$": 1})"), 31287);
    EXPECT_EQ(parseCode(R"({"a.$": {"$slice": 1}})"), 31271);
    EXPECT_EQ(parseCode(R"({"a.$": "x"})"), 31308);
    EXPECT_EQ(parseCode(R"({"a.$": 1, "b": 0})"), 31254);
    EXPECT_EQ(parseCode(R"({"b": 0, "a.$": 1})"), 31253);
    EXPECT_EQ(parseCode(R"({"a.$.b": 1})"), 0);
}

TEST(ProjectionParse, AggregatePolicy) {
    const auto agg = ProjectionPolicy::kAggregate;
    EXPECT_EQ(parseCode("{}", agg), 51272);
    EXPECT_EQ(parseCode("{}"), 0);
    EXPECT_EQ(parseCode(R"({"a.$": 1})", agg), 31324);
    EXPECT_EQ(parseCode(R"({"a": {"$elemMatch": {"x": 1}}})", agg),
              ErrorCodes::InvalidPipelineOperator);
    EXPECT_EQ(parseCode(R"({"a": {"$slice": 1}})", agg), ErrorCodes::Location28667);
    EXPECT_EQ(parseCode(R"({"a": "$$nope"})", agg), ErrorCodes::BadValue);
    EXPECT_EQ(parseCode(R"({"_id": 0})", agg), 0);
}

TEST(ProjectionParse, ScopeVariablesAreKnownAtParseTime) {
    Variables scope(parseJson("{}").view());
    scope.bound.emplace_back("limit", Value::int32(7));
    auto p =
        Projection::parse(parseJson(R"({"x": "$$limit"})"), ProjectionPolicy::kAggregate, &scope);
    ASSERT_TRUE(p.isOK()) << p.getStatus().toString();
    auto out = p.getValue().apply(parseJson(R"({"_id": 1})"), ProjectionContext{{}, &scope});
    ASSERT_TRUE(out.isOK());
    EXPECT_EQ(json::toJson(out.getValue()), R"({"_id":1,"x":7})");
}

TEST(ProjectionApply, ComputedFieldsAndRemove) {
    const auto agg = ProjectionPolicy::kAggregate;
    EXPECT_EQ(applied(R"({"x": {"$add": ["$a", 1]}, "a": 1})", R"({"_id": 1, "a": 2, "b": 3})"),
              R"({"_id":1,"a":2,"x":3})");
    EXPECT_EQ(applied(R"({"a": "$$REMOVE", "b": 1})", R"({"_id": 1, "a": 2, "b": 3})", agg),
              R"({"_id":1,"b":3})");
    EXPECT_EQ(applied(R"({"a.b": {"$literal": 1}})", R"({"_id": 1, "a": 5})", agg),
              R"({"_id":1,"a":{"b":1}})");
    EXPECT_EQ(applied(R"({"a.b": {"$literal": 1}})", R"({"_id": 1, "a": [{"c": 1}, {}]})", agg),
              R"({"_id":1,"a":[{"b":1},{"b":1}]})");
    EXPECT_EQ(applied(R"({"x": {"$add": ["$s", 1]}})", R"({"_id": 1, "s": "str"})"),
              "error " + std::to_string(ErrorCodes::Location16554));
}

TEST(ProjectionApply, NestedArraysAreDescendedInBothPolicies) {
    const std::string doc = R"({"_id": 1, "a": [[{"b": 1, "c": 2}, 7], {"b": 3}]})";
    EXPECT_EQ(applied(R"({"a.b": 1})", doc), R"({"_id":1,"a":[[{"b":1}],{"b":3}]})");
    EXPECT_EQ(applied(R"({"a.b": 1})", doc, ProjectionPolicy::kAggregate),
              R"({"_id":1,"a":[[{"b":1}],{"b":3}]})");
    EXPECT_EQ(applied(R"({"a.c": 0})", doc), R"({"_id":1,"a":[[{"b":1},7],{"b":3}]})");
}

TEST(ProjectionApply, SliceElemMatchPositional) {
    const std::string doc = R"({"_id": 1, "a": [1, 2, 3, 4], "b": 5})";
    EXPECT_EQ(applied(R"({"a": {"$slice": 2}})", doc), R"({"_id":1,"a":[1,2],"b":5})");
    EXPECT_EQ(applied(R"({"a": {"$slice": -1}, "_id": 0})", doc), R"({"a":[4],"b":5})");
    EXPECT_EQ(applied(R"({"a": {"$slice": [-3, 2]}, "_id": 1})", doc), R"({"_id":1,"a":[2,3]})");
    EXPECT_EQ(applied(R"({"b": {"$slice": 1}})", doc), R"({"_id":1,"a":[1,2,3,4],"b":5})");
    EXPECT_EQ(applied(R"({"a": {"$elemMatch": {"$gt": 2}}})", doc), R"({"_id":1,"a":[3]})");
    EXPECT_EQ(applied(R"({"a": {"$elemMatch": {"$gt": 9}}})", doc), R"({"_id":1})");
    EXPECT_EQ(applied(R"({"a.$": 1})", doc, ProjectionPolicy::kFind, 2), R"({"_id":1,"a":[3]})");
    EXPECT_EQ(applied(R"({"a.$": 1})", doc), "error 51246");
    EXPECT_EQ(applied(R"({"a.$": 1})", doc, ProjectionPolicy::kFind, 7), "error 51247");
    EXPECT_EQ(applied(R"({"b.$": 1})", doc), R"({"_id":1,"b":5})");
}

}  // namespace
}  // namespace mongosd::query
