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

Status parseError(const std::string& filter, int maxDepth = 100) {
    FilterLimits limits;
    limits.maxDepth = maxDepth;
    auto m = parseFilter(parseJson(filter), limits);
    return m.isOK() ? Status::OK() : m.getStatus();
}

// {"$and": [{"$and": [... {"a": 1} ...]}]} with `levels` $and levels.
std::string nestedAnd(int levels) {
    std::string s = R"({"a": 1})";
    for (int i = 0; i < levels; ++i) s = R"({"$and": [)" + s + "]}";
    return s;
}

std::string nestedNot(int levels) {
    std::string s = R"({"$eq": 1})";
    for (int i = 0; i < levels; ++i) s = R"({"$not": )" + s + "}";
    return R"({"a": )" + s + "}";
}

std::string nestedElemMatch(int levels) {
    std::string s = R"({"$eq": 1})";
    for (int i = 0; i < levels; ++i) s = R"({"$elemMatch": )" + s + "}";
    return R"({"a": )" + s + "}";
}

TEST(Matcher, DepthIsCapped) {
    // Small limits keep the JSON within the test parser's own depth limit.
    EXPECT_TRUE(parseError(nestedAnd(10), 10).isOK());
    EXPECT_EQ(parseError(nestedAnd(11), 10).code(), ErrorCodes::BadValue);
    EXPECT_TRUE(parseError(nestedNot(10), 10).isOK());
    EXPECT_EQ(parseError(nestedNot(11), 10).code(), ErrorCodes::BadValue);
    EXPECT_TRUE(parseError(nestedElemMatch(10), 10).isOK());
    EXPECT_EQ(parseError(nestedElemMatch(11), 10).code(), ErrorCodes::BadValue);
    EXPECT_EQ(parseError(nestedAnd(30)).code(), ErrorCodes::OK);
    EXPECT_TRUE(matches(nestedNot(2), R"({"a": 1})"));
    EXPECT_FALSE(matches(nestedNot(3), R"({"a": 1})"));
}

TEST(Matcher, ComparisonTypeBracketing) {
    EXPECT_TRUE(matches(R"({"a": {"$gt": 5}})", R"({"a": 6.5})"));
    EXPECT_FALSE(matches(R"({"a": {"$gt": 5}})", R"({"a": "6"})"));
    EXPECT_FALSE(matches(R"({"a": {"$gt": 5}})", R"({"a": {"$numberDouble": "NaN"}})"));
    EXPECT_TRUE(matches(R"({"a": {"$gte": null}})", R"({"b": 1})"));
    EXPECT_FALSE(matches(R"({"a": {"$gt": null}})", R"({"b": 1})"));
    // A missing field is MongoDB's EOO element: above MinKey and below MaxKey.
    EXPECT_TRUE(matches(R"({"a": {"$gt": {"$minKey": 1}}})", R"({"b": 1})"));
    EXPECT_TRUE(matches(R"({"a": {"$lt": {"$maxKey": 1}}})", R"({"b": 1})"));
    EXPECT_FALSE(matches(R"({"a": {"$lt": {"$minKey": 1}}})", R"({"b": 1})"));
    EXPECT_EQ(
        parseError(R"({"a": {"$gt": {"$regularExpression": {"pattern": "x", "options": ""}}}})")
            .code(),
        ErrorCodes::BadValue);
}

TEST(Matcher, NegationsCoverEveryElement) {
    EXPECT_FALSE(matches(R"({"a": {"$ne": 1}})", R"({"a": [2, 1]})"));
    EXPECT_TRUE(matches(R"({"a": {"$ne": 1}})", R"({"b": 1})"));
    EXPECT_FALSE(matches(R"({"a": {"$nin": [3, 1]}})", R"({"a": [2, 1]})"));
    EXPECT_TRUE(matches(R"({"a": {"$nin": [3]}})", R"({"a": [2, 1]})"));
    EXPECT_FALSE(matches(R"({"a.b": {"$ne": 1}})", R"({"a": [{"b": 2}, {"b": 1}]})"));
}

TEST(Matcher, RegexOptionsAndErrors) {
    EXPECT_TRUE(matches(R"({"s": {"$regex": "^A", "$options": "im"}})", R"({"s": "x\nab"})"));
    EXPECT_FALSE(matches(R"({"s": {"$regex": "^A", "$options": "i"}})", R"({"s": "x\nab"})"));
    EXPECT_EQ(parseError(R"({"s": {"$regex": "a", "$options": "q"}})").code(),
              ErrorCodes::BadValue);
    EXPECT_EQ(parseError(R"({"s": {"$regex": "a["}})").code(), ErrorCodes::Location51091);
    EXPECT_EQ(
        parseError(R"({"s": {"$regex": {"$regularExpression": {"pattern": "a", "options": "i"}},
                                    "$options": "m"}})")
            .code(),
        ErrorCodes::BadValue);
}

TEST(Matcher, ElemMatchValueFormTestsElementsThemselves) {
    EXPECT_TRUE(matches(R"({"a": {"$elemMatch": {"$gt": 1, "$lt": 3}}})", R"({"a": [0, 2]})"));
    EXPECT_FALSE(matches(R"({"a": {"$elemMatch": {"$gt": 1, "$lt": 3}}})", R"({"a": [0, 5]})"));
    EXPECT_FALSE(matches(R"({"a": {"$elemMatch": {"$gt": 1}}})", R"({"a": 5})"));
    EXPECT_TRUE(matches(R"({"a": {"$elemMatch": {"$all": [2]}}})", R"({"a": [1, 2]})"));
    EXPECT_TRUE(matches(R"({"a": {"$elemMatch": {"$regex": "^x"}}})", R"({"a": ["y", "xz"]})"));
    // Arrays inside the array are documents with keys "0", "1", ... to the object form.
    EXPECT_TRUE(matches(R"({"a": {"$elemMatch": {"0": 7}}})", R"({"a": [[7, 8]]})"));
}

TEST(Matcher, ArgumentErrors) {
    EXPECT_EQ(parseError(R"({"a": {"$type": []}})").code(), ErrorCodes::FailedToParse);
    EXPECT_EQ(parseError(R"({"a": {"$mod": [{"$numberDouble": "NaN"}, 1]}})").code(),
              ErrorCodes::BadValue);
    EXPECT_EQ(parseError(R"({"a": {"$mod": [1, "x"]}})").code(), ErrorCodes::BadValue);
    EXPECT_EQ(parseError(R"({"a": {"$size": {"$numberLong": "4294967296"}}})").code(),
              ErrorCodes::BadValue);
    EXPECT_EQ(parseError(R"({"a": {"$in": [{"$undefined": true}]}})").code(), ErrorCodes::BadValue);
    EXPECT_EQ(parseError(R"({"a": {"$where": "1"}})").code(), ErrorCodes::BadValue);
    // $expr stands without a path, at top level or in $and/$or/$nor only.
    EXPECT_EQ(parseError(R"({"a": {"$expr": {"$eq": ["$a", 1]}}})").code(), ErrorCodes::BadValue);
    EXPECT_EQ(parseError(R"({"a": {"$elemMatch": {"$expr": true}}})").code(), ErrorCodes::BadValue);
    EXPECT_EQ(parseError(R"({"$expr": {"$nope": 1}})").code(), ErrorCodes::InvalidPipelineOperator);
    EXPECT_EQ(parseError(R"({"$expr": "$$undefinedVar"})").code(), ErrorCodes::BadValue);
}

TEST(Matcher, ModExtremes) {
    EXPECT_TRUE(matches(R"({"a": {"$mod": [-1, 0]}})",
                        R"({"a": {"$numberLong": "-9223372036854775808"}})"));
    EXPECT_FALSE(matches(R"({"a": {"$mod": [2, 0]}})", R"({"a": 1e300})"));
    EXPECT_TRUE(matches(R"({"a": {"$mod": [5, 3]}})", R"({"a": {"$numberDecimal": "1.3E1"}})"));
}

TEST(Matcher, DBRefIsAValueNotOperators) {
    EXPECT_TRUE(matches(R"({"r": {"$ref": "c", "$id": 1}})", R"({"r": {"$ref": "c", "$id": 1}})"));
    EXPECT_FALSE(matches(R"({"r": {"$ref": "c", "$id": 1}})", R"({"r": {"$ref": "c", "$id": 2}})"));
}

// filter_fuzz: {a: {$in: [<empty array whose terminator byte is 7>]}} passed validateBson, then
// copying the array failed inside the matcher (an invariant). Validation must reject it.
TEST(Matcher, FuzzRegressionNestedTerminator) {
    const uint8_t bytes[] = {0x1f, 0x00, 0x00, 0x00, 0x03, 'a',  0x00, 0x17, 0x00, 0x00, 0x00,
                             0x04, '$',  'i',  'n',  0x00, 0x0d, 0x00, 0x00, 0x00, 0x04, '0',
                             0x00, 0x05, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00};
    EXPECT_EQ(validateBson(bytes, sizeof(bytes)).code(), ErrorCodes::InvalidBSON);
}

}  // namespace
}  // namespace mongosd::query
