// {$expr: ...} in filters: parsing rules, truthiness, let-variables from FilterLimits, and
// run-time errors, which matches() treats as "no match" and matchesChecked() reports.
#include <gtest/gtest.h>

#include "query/expression.h"
#include "query/matcher.h"
#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

std::unique_ptr<MatchExpression> parsed(const std::string& filter,
                                        const FilterLimits& limits = {}) {
    auto m = parseFilter(parseJson(filter), limits);
    EXPECT_TRUE(m.isOK()) << m.getStatus().toString();
    return m.isOK() ? std::move(m.getValue()) : nullptr;
}

bool matches(const std::string& filter, const std::string& doc) {
    auto m = parsed(filter);
    return m && m->matches(parseJson(doc));
}

TEST(ExprMatch, Truthiness) {
    EXPECT_TRUE(matches(R"({"$expr": "$a"})", R"({"a": 1})"));
    EXPECT_TRUE(matches(R"({"$expr": "$a"})", R"({"a": ""})"));
    EXPECT_TRUE(matches(R"({"$expr": "$a"})", R"({"a": []})"));
    EXPECT_FALSE(matches(R"({"$expr": "$a"})", R"({"a": 0})"));
    EXPECT_FALSE(matches(R"({"$expr": "$a"})", R"({"a": 0.0})"));
    EXPECT_FALSE(matches(R"({"$expr": "$a"})", R"({"a": null})"));
    EXPECT_FALSE(matches(R"({"$expr": "$a"})", R"({"a": false})"));
    EXPECT_FALSE(matches(R"({"$expr": "$a"})", R"({})"));
    EXPECT_TRUE(matches(R"({"$expr": {"$eq": ["$$ROOT", "$$CURRENT"]}})", R"({"a": 1})"));
}

TEST(ExprMatch, FieldComparisons) {
    EXPECT_TRUE(matches(R"({"$expr": {"$gt": ["$a", "$b"]}})", R"({"a": 3, "b": 2.5})"));
    EXPECT_FALSE(matches(R"({"$expr": {"$gt": ["$a", "$b"]}})", R"({"a": 2, "b": 2.5})"));
    // Expressions do not expand arrays: an array compares as a whole.
    EXPECT_FALSE(matches(R"({"$expr": {"$eq": ["$a", 1]}})", R"({"a": [1, 2]})"));
    EXPECT_TRUE(
        matches(R"({"$expr": {"$eq": ["$a.b", [1, 2]]}})", R"({"a": [{"b": 1}, {"b": 2}]})"));
}

TEST(ExprMatch, RunTimeErrors) {
    auto m = parsed(R"({"$or": [{"x": 1}, {"$expr": {"$add": ["$s", 1]}}]})");
    ASSERT_TRUE(m);
    BsonObj bad = parseJson(R"({"s": "text"})");
    EXPECT_FALSE(m->matches(bad));
    auto checked = m->matchesChecked(bad);
    ASSERT_FALSE(checked.isOK());
    EXPECT_EQ(checked.getStatus().code(), ErrorCodes::Location16554);
    auto fine = m->matchesChecked(parseJson(R"({"s": 2})"));
    ASSERT_TRUE(fine.isOK());
    EXPECT_TRUE(fine.getValue());
    // $nor must not turn an error into a match.
    auto nor = parsed(R"({"$nor": [{"$expr": {"$add": ["$s", 1]}}]})");
    EXPECT_FALSE(nor->matchesChecked(bad).isOK());
}

TEST(ExprMatch, PositionStillRecordedBesideExpr) {
    auto m = parsed(R"({"a": 3, "$expr": {"$gt": ["$b", 0]}})");
    std::optional<size_t> pos;
    auto r = m->matchesChecked(parseJson(R"({"a": [1, 3], "b": 1})"), &pos);
    ASSERT_TRUE(r.isOK());
    EXPECT_TRUE(r.getValue());
    ASSERT_TRUE(pos.has_value());
    EXPECT_EQ(*pos, 1u);
}

TEST(ExprMatch, VariablesFromFilterLimits) {
    Variables let(parseJson("{}").view());
    let.bound.emplace_back("target", Value::int32(5));
    FilterLimits limits;
    limits.variables = &let;
    auto m = parsed(R"({"$expr": {"$eq": ["$a", "$$target"]}})", limits);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->matches(parseJson(R"({"a": 5})")));
    EXPECT_FALSE(m->matches(parseJson(R"({"a": 4})")));
    // $$ROOT is the document, not the outer scope's root.
    auto root = parsed(R"({"$expr": {"$eq": ["$$ROOT.a", "$$target"]}})", limits);
    EXPECT_TRUE(root->matches(parseJson(R"({"a": 5})")));
    // Without the variables in scope the name is unknown at parse time.
    EXPECT_FALSE(parseFilter(parseJson(R"({"$expr": "$$target"})")).isOK());
}

TEST(ExprMatch, ParseErrors) {
    auto code = [](const std::string& f) {
        auto m = parseFilter(parseJson(f));
        return m.isOK() ? ErrorCodes::OK : m.getStatus().code();
    };
    EXPECT_EQ(code(R"({"a": {"$expr": true}})"), ErrorCodes::BadValue);
    EXPECT_EQ(code(R"({"a": {"$elemMatch": {"$expr": true}}})"), ErrorCodes::BadValue);
    EXPECT_EQ(code(R"({"a": {"$elemMatch": {"$or": [{"$expr": true}]}}})"), ErrorCodes::BadValue);
    EXPECT_EQ(code(R"({"$expr": {"$unknownOp": 1}})"), ErrorCodes::InvalidPipelineOperator);
    EXPECT_EQ(code(R"({"$expr": {"$add": 1, "$sub": 2}})"), ErrorCodes::Location15983);
    EXPECT_EQ(code(R"({"$and": [{"$expr": true}], "$or": [{"$expr": 1}]})"), ErrorCodes::OK);
}

}  // namespace
}  // namespace mongosd::query
