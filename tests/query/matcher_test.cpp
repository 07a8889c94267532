#include "query/matcher.h"

#include <gtest/gtest.h>

#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

bool matches(const std::string& filter, const std::string& doc) {
    auto m = parseFilter(parseJson(filter));
    EXPECT_TRUE(m.isOK()) << m.getStatus().toString();
    return m.isOK() && m.getValue()->matches(parseJson(doc));
}

TEST(Matcher, TopLevelEquality) {
    EXPECT_TRUE(matches(R"({"a": 1})", R"({"a": 1})"));
    EXPECT_FALSE(matches(R"({"a": 1})", R"({"a": 2})"));
    EXPECT_FALSE(matches(R"({"a": 1})", R"({"b": 1})"));
    EXPECT_TRUE(matches(R"({})", R"({"b": 1})"));
    EXPECT_TRUE(matches(R"({"a": 1, "b": "x"})", R"({"b": "x", "a": 1})"));
    EXPECT_FALSE(matches(R"({"a": 1, "b": "y"})", R"({"b": "x", "a": 1})"));
}

TEST(Matcher, NumbersCompareAcrossTypes) {
    EXPECT_TRUE(matches(R"({"a": 1})", R"({"a": 1.0})"));
    EXPECT_TRUE(matches(R"({"a": {"$numberLong": "1"}})", R"({"a": 1})"));
    EXPECT_FALSE(matches(R"({"a": 1})", R"({"a": "1"})"));
}

TEST(Matcher, DottedPathsAndArrays) {
    EXPECT_TRUE(matches(R"({"a.b": 1})", R"({"a": {"b": 1}})"));
    EXPECT_TRUE(matches(R"({"a.b": 2})", R"({"a": [{"b": 1}, {"b": 2}]})"));
    EXPECT_FALSE(matches(R"({"a.b": 3})", R"({"a": [{"b": 1}, {"b": 2}]})"));
    EXPECT_TRUE(matches(R"({"tags": "db"})", R"({"tags": ["sql", "db"]})"));
    EXPECT_TRUE(matches(R"({"tags": ["sql", "db"]})", R"({"tags": ["sql", "db"]})"));
    EXPECT_FALSE(matches(R"({"tags": ["db", "sql"]})", R"({"tags": ["sql", "db"]})"));
    EXPECT_TRUE(matches(R"({"a.0.b": 1})", R"({"a": [{"b": 1}, {"b": 2}]})"));
    EXPECT_FALSE(matches(R"({"a.1.b": 1})", R"({"a": [{"b": 1}, {"b": 2}]})"));
    EXPECT_TRUE(matches(R"({"a.1": 5})", R"({"a": [4, 5]})"));
    // Only one level of array expansion at the leaf.
    EXPECT_FALSE(matches(R"({"a": 1})", R"({"a": [[1, 2]]})"));
    EXPECT_TRUE(matches(R"({"a": [1, 2]})", R"({"a": [[1, 2]]})"));
    // Embedded document equality is exact, field order included.
    EXPECT_TRUE(matches(R"({"m": {"x": 1, "y": 2}})", R"({"m": {"x": 1, "y": 2}})"));
    EXPECT_FALSE(matches(R"({"m": {"x": 1, "y": 2}})", R"({"m": {"y": 2, "x": 1}})"));
}

TEST(Matcher, NullMatchesMissing) {
    EXPECT_TRUE(matches(R"({"a": null})", R"({"b": 1})"));
    EXPECT_TRUE(matches(R"({"a": null})", R"({"a": null})"));
    EXPECT_FALSE(matches(R"({"a": null})", R"({"a": 0})"));
    EXPECT_TRUE(matches(R"({"a.b": null})", R"({"a": [{"c": 1}]})"));
    EXPECT_TRUE(matches(R"({"a.b": null})", R"({"a": 5})"));
}

TEST(Matcher, EqAndAnd) {
    EXPECT_TRUE(matches(R"({"a": {"$eq": 1}})", R"({"a": 1})"));
    EXPECT_TRUE(matches(R"({"$and": [{"a": 1}, {"b": 2}]})", R"({"a": 1, "b": 2})"));
    EXPECT_FALSE(matches(R"({"$and": [{"a": 1}, {"b": 2}]})", R"({"a": 1, "b": 3})"));
}

TEST(Matcher, RejectsUnknownOperators) {
    auto m = parseFilter(parseJson(R"({"a": {"$frob": 1}})"));
    ASSERT_FALSE(m.isOK());
    EXPECT_EQ(m.getStatus().code(), ErrorCodes::BadValue);
    auto top = parseFilter(parseJson(R"({"$frob": [{"a": 1}]})"));
    ASSERT_FALSE(top.isOK());
    EXPECT_EQ(top.getStatus().code(), ErrorCodes::BadValue);
    auto badAnd = parseFilter(parseJson(R"({"$and": []})"));
    EXPECT_EQ(badAnd.getStatus().code(), ErrorCodes::BadValue);
    auto emptyPath = parseFilter(parseJson(R"({"a..b": 1})"));
    EXPECT_FALSE(emptyPath.isOK());
}

std::optional<size_t> positionOf(const std::string& filter, const std::string& doc) {
    auto m = parseFilter(parseJson(filter));
    EXPECT_TRUE(m.isOK());
    std::optional<size_t> pos;
    EXPECT_TRUE(m.getValue()->matchesRecordingPosition(parseJson(doc), &pos));
    return pos;
}

TEST(Matcher, RecordsTheMatchedArrayPosition) {
    EXPECT_EQ(positionOf(R"({"a": 2})", R"({"a": [1, 2, 2]})"), std::optional<size_t>(1));
    EXPECT_EQ(positionOf(R"({"a.b": 5})", R"({"a": [{"b": 1}, {"b": 5}]})"), std::optional<size_t>(1));
    EXPECT_EQ(positionOf(R"({"a.b": 5})", R"({"a": [{"b": 1}, {"b": [0, 5]}]})"),
              std::optional<size_t>(1));  // the outermost array's position
    EXPECT_EQ(positionOf(R"({"a": [1, 2]})", R"({"a": [1, 2]})"), std::nullopt);  // whole array
    EXPECT_EQ(positionOf(R"({"a": 1})", R"({"a": 1})"), std::nullopt);
    EXPECT_EQ(positionOf(R"({"x": 1, "a": 3})", R"({"x": 1, "a": [3]})"), std::optional<size_t>(0));
}

TEST(Matcher, ExtractsIdEquality) {
    EXPECT_TRUE(extractIdEquality(parseJson(R"({"_id": 5, "x": 1})")).has_value());
    EXPECT_TRUE(extractIdEquality(parseJson(R"({"_id": {"$eq": 5}})")).has_value());
    EXPECT_TRUE(extractIdEquality(parseJson(R"({"_id": {"a": 1}})")).has_value());
    EXPECT_FALSE(extractIdEquality(parseJson(R"({"x": 1})")).has_value());
    EXPECT_FALSE(extractIdEquality(parseJson(R"({"_id": {"$gt": 5}})")).has_value());
}

}  // namespace
}  // namespace mongosd::query
