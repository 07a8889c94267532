// Table tests of the planner: bounds and their explain text for each predicate kind, compound
// prefixes, directions, sort, multikey, hashed, sparse and partial indexes, hints, query shape.
// The randomized proof that the bounds are correct is planner_property_test.cpp.
#include <gtest/gtest.h>

#include "common/json/ejson.h"
#include "common/key_string.h"
#include "query/expression.h"
#include "query/planner.h"
#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

IndexInfo makeIndex(const std::string& name, const std::string& pattern,
                    std::vector<bool> multikey = {}, bool sparse = false,
                    const std::string& partial = "") {
    IndexInfo info;
    info.name = name;
    auto p = IndexKeyPattern::parse(parseJson(pattern));
    EXPECT_TRUE(p.isOK()) << pattern;
    info.pattern = p.getValue();
    info.multikey = multikey.empty() ? std::vector<bool>(info.pattern.size(), false) : multikey;
    info.sparse = sparse;
    if (!partial.empty()) info.partialFilter = parseJson(partial);
    return info;
}

class PlannerTest : public ::testing::Test {
protected:
    StatusWith<PlannerOutput> tryPlan(const std::string& filter, const std::string& sort = "{}",
                                      const std::string& hint = "{}", size_t maxRanges = 0) {
        _filter = parseJson(filter);
        _sort = parseJson(sort);
        _hint = parseJson(hint);
        PlannerInput in;
        in.filter = _filter;
        in.sort = _sort;
        in.hint = _hint;
        in.indexes = &indexes;
        if (maxRanges) in.maxScanRanges = maxRanges;
        return planQuery(in);
    }

    PlannerOutput plan(const std::string& filter, const std::string& sort = "{}",
                       const std::string& hint = "{}") {
        auto out = tryPlan(filter, sort, hint);
        EXPECT_TRUE(out.isOK()) << filter << " " << out.getStatus().reason();
        return out.isOK() ? out.getValue() : PlannerOutput{};
    }

    // The candidate on index `name`, or null.
    std::optional<IndexScanPlan> candidate(const PlannerOutput& out, const std::string& name) {
        for (const auto& c : out.candidates) {
            if (indexes[c.index].name == name) return c;
        }
        return std::nullopt;
    }

    // explainBounds of the single index's plan for `filter`, or "none" when not a candidate.
    std::string bounds(const std::string& filter, const std::string& sort = "{}") {
        auto c = candidate(plan(filter, sort), indexes.at(0).name);
        return c ? json::toJson(c->explainBounds) : "none";
    }

    std::vector<IndexInfo> indexes;
    BsonObj _filter, _sort, _hint;
};

TEST_F(PlannerTest, EqualityIsAPoint) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    EXPECT_EQ(bounds(R"J({"a": 5})J"), R"J({"a":["[5, 5]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$eq": "x"}})J"), R"J({"a":["[\"x\", \"x\"]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"x": 1}})J"), R"J({"a":["[{ x: 1 }, { x: 1 }]"]})J");
    auto c = candidate(plan(R"J({"a": 5})J"), "a_1");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->equalityPrefix, 1u);
    EXPECT_EQ(c->boundedFields, 1u);
    EXPECT_FALSE(c->multikey);
    ASSERT_EQ(c->ranges.size(), 1u);
    EXPECT_EQ(c->ranges[0].start, c->ranges[0].end);
    BsonObj five = parseJson(R"J({"": 5})J");
    bson_iter_t it;
    ASSERT_TRUE(five.view().iterInit(&it) && bson_iter_next(&it));
    EXPECT_EQ(c->ranges[0].start, keystring::encodeValue(it));
}

TEST_F(PlannerTest, NullAlsoCoversUndefinedAndMissing) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    EXPECT_EQ(bounds(R"J({"a": null})J"), R"J({"a":["[undefined, undefined]","[null, null]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$gte": null}})J"),
              R"J({"a":["[undefined, undefined]","[null, null]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$gt": null}})J"), R"J({"a":[]})J");
}

TEST_F(PlannerTest, RangesStayInTheirTypeBracket) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    EXPECT_EQ(bounds(R"J({"a": {"$gt": 5}})J"), R"J({"a":["(5, inf.0]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$lt": 5.5}})J"), R"J({"a":["[-inf.0, 5.5)"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$gt": 5, "$lte": 10}})J"), R"J({"a":["(5, 10]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$gte": 2.0, "$lt": {"$numberLong": "7"}}})J"),
              R"J({"a":["[2.0, 7)"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$gt": "abc"}})J"), R"J({"a":["(\"abc\", {})"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$lte": "b"}})J"), R"J({"a":["[\"\", \"b\"]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$gt": {"x": 1}}})J"), R"J({"a":["({ x: 1 }, [])"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$gte": {"$date": {"$numberLong": "5"}}}})J"),
              R"J({"a":["[new Date(5), new Date(9223372036854775807)]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$lt": true}})J"), R"J({"a":["[false, true)"]})J");
    // Different brackets never meet: the intersection is empty and nothing is scanned.
    EXPECT_EQ(bounds(R"J({"a": {"$gt": 5, "$lt": "z"}})J"), R"J({"a":[]})J");
    auto c = candidate(plan(R"J({"a": {"$gt": 5, "$lt": "z"}})J"), "a_1");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->ranges.empty());
}

TEST_F(PlannerTest, NaNAndMinMaxKeyOperands) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    EXPECT_EQ(bounds(R"J({"a": {"$numberDouble": "NaN"}})J"), R"J({"a":["[nan.0, nan.0]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$gte": {"$numberDouble": "NaN"}}})J"),
              R"J({"a":["[nan.0, nan.0]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$gt": {"$numberDouble": "NaN"}}})J"), R"J({"a":[]})J");
    // $gt MinKey matches every value, including an array [MinKey] (indexed as MinKey).
    EXPECT_EQ(bounds(R"J({"a": {"$gt": {"$minKey": 1}}})J"), R"J({"a":["[MinKey, MaxKey]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$lte": {"$minKey": 1}}})J"), R"J({"a":["[MinKey, MinKey]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$gt": {"$maxKey": 1}}})J"), R"J({"a":[]})J");
}

TEST_F(PlannerTest, InIsAUnionOfPoints) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    EXPECT_EQ(bounds(R"J({"a": {"$in": [3, 1, 2, 1.0]}})J"),
              R"J({"a":["[1, 1]","[2, 2]","[3, 3]"]})J");
    EXPECT_EQ(
        bounds(
            R"J({"a": {"$in": [5, {"$regularExpression": {"pattern": "^ab", "options": ""}}]}})J"),
        R"J({"a":["[5, 5]","[\"ab\", \"ac\")","[/^ab/, /^ab/]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$in": [null, 1]}})J"),
              R"J({"a":["[undefined, undefined]","[null, null]","[1, 1]"]})J");
}

TEST_F(PlannerTest, ArrayEqualityCoversTheArrayAndItsFirstElement) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    EXPECT_EQ(bounds(R"J({"a": [2, 1]})J"), R"J({"a":["[2, 2]","[[ 2, 1 ], [ 2, 1 ]]"]})J");
    EXPECT_EQ(bounds(R"J({"a": []})J"), R"J({"a":["[undefined, undefined]","[[], []]"]})J");
    // Ranges over arrays compare whole arrays, which the index does not hold.
    EXPECT_EQ(bounds(R"J({"a": {"$gt": [1]}})J"), "none");
}

TEST_F(PlannerTest, AnchoredRegexPrefix) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    auto re = [](const std::string& pattern, const std::string& options = "") {
        return "{\"a\": {\"$regularExpression\": {\"pattern\": \"" + pattern +
               "\", \"options\": \"" + options + "\"}}}";
    };
    EXPECT_EQ(bounds(re("^abc")), R"J({"a":["[\"abc\", \"abd\")","[/^abc/, /^abc/]"]})J");
    EXPECT_EQ(bounds(re("^abc.*x")), R"J({"a":["[\"abc\", \"abd\")","[/^abc.*x/, /^abc.*x/]"]})J");
    EXPECT_EQ(bounds(re("^abc*")), R"J({"a":["[\"ab\", \"ac\")","[/^abc*/, /^abc*/]"]})J");
    EXPECT_EQ(bounds(re("abc")), R"J({"a":["[\"\", {})","[/abc/, /abc/]"]})J");
    EXPECT_EQ(bounds(re("^abc", "i")), R"J({"a":["[\"\", {})","[/^abc/i, /^abc/i]"]})J");
    EXPECT_EQ(bounds(re("^a|b")), R"J({"a":["[\"\", {})","[/^a|b/, /^a|b/]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$regex": "^ab", "$options": ""}})J"),
              R"J({"a":["[\"ab\", \"ac\")","[/^ab/, /^ab/]"]})J");
}

TEST_F(PlannerTest, PredicatesWithoutBounds) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    for (const char* f :
         {R"J({"a": {"$ne": 5}})J", R"J({"a": {"$nin": [5]}})J", R"J({"a": {"$not": {"$gt": 5}}})J",
          R"J({"a": {"$exists": true}})J", R"J({"a": {"$type": "number"}})J",
          R"J({"a": {"$size": 1}})J", R"J({"a": {"$mod": [2, 0]}})J",
          R"J({"$or": [{"a": 1}, {"a": 2}]})J", R"J({"$nor": [{"a": 1}]})J",
          R"J({"$expr": {"$eq": ["$a", 1]}})J", R"J({"b": 1})J"}) {
        EXPECT_EQ(bounds(f), "none") << f;
    }
    // A single-clause $or and nested $and are conjunctions.
    EXPECT_EQ(bounds(R"J({"$or": [{"a": 1}]})J"), R"J({"a":["[1, 1]"]})J");
    EXPECT_EQ(bounds(R"J({"$and": [{"$and": [{"a": {"$gt": 1}}]}, {"a": {"$lt": 4}}]})J"),
              R"J({"a":["(1, 4)"]})J");
}

TEST_F(PlannerTest, AllAndElemMatch) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    // Not multikey: a single value cannot equal both.
    EXPECT_EQ(bounds(R"J({"a": {"$all": [1, 2]}})J"), R"J({"a":[]})J");
    indexes = {makeIndex("a_1", R"J({"a": 1})J", {true})};
    EXPECT_EQ(bounds(R"J({"a": {"$all": [1, 2]}})J"), R"J({"a":["[1, 1]"]})J");
    // One element satisfies every operator of $elemMatch: they intersect even when multikey.
    EXPECT_EQ(bounds(R"J({"a": {"$elemMatch": {"$gt": 1, "$lt": 5}}})J"), R"J({"a":["(1, 5)"]})J");
    indexes = {makeIndex("n.x_1", R"J({"n.x": 1})J", {true})};
    EXPECT_EQ(bounds(R"J({"n": {"$elemMatch": {"x": 5, "y": 1}}})J"), R"J({"n.x":["[5, 5]"]})J");
}

TEST_F(PlannerTest, MultikeyFieldsNeverIntersect) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J", {true})};
    auto c = candidate(plan(R"J({"a": {"$gt": 5, "$lt": 10}})J"), "a_1");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->multikey);
    EXPECT_EQ(json::toJson(c->explainBounds), R"J({"a":["(5, inf.0]"]})J");
    // A point set is preferred.
    EXPECT_EQ(bounds(R"J({"$and": [{"a": {"$gt": 5}}, {"a": {"$in": [7, 8]}}, {"a": 9}]})J"),
              R"J({"a":["[9, 9]"]})J");
    // An unknown multikey state (a vector of the wrong size) is taken as multikey.
    indexes[0].multikey.clear();
    EXPECT_EQ(bounds(R"J({"a": {"$gt": 5, "$lt": 10}})J"), R"J({"a":["(5, inf.0]"]})J");
}

TEST_F(PlannerTest, CompoundPrefixes) {
    indexes = {makeIndex("a_1_b_-1_c_1", R"J({"a": 1, "b": -1, "c": 1})J")};
    auto c =
        candidate(plan(R"J({"a": {"$in": [1, 2]}, "b": {"$gt": 3}, "c": 4})J"), "a_1_b_-1_c_1");
    ASSERT_TRUE(c);
    EXPECT_EQ(json::toJson(c->explainBounds),
              R"J({"a":["[1, 1]","[2, 2]"],"b":["[inf.0, 3)"],"c":["[MinKey, MaxKey]"]})J");
    EXPECT_EQ(c->equalityPrefix, 1u);
    EXPECT_EQ(c->boundedFields, 2u);
    EXPECT_EQ(c->ranges.size(), 2u);
    EXPECT_EQ(bounds(R"J({"a": 1, "b": 2, "c": {"$in": [3, 4]}})J"),
              R"J({"a":["[1, 1]"],"b":["[2, 2]"],"c":["[3, 3]","[4, 4]"]})J");
    // Fields after the first range are not bounded.
    EXPECT_EQ(bounds(R"J({"a": {"$gt": 1}, "b": 2})J"),
              R"J({"a":["(1, inf.0]"],"b":["[MaxKey, MinKey]"],"c":["[MinKey, MaxKey]"]})J");
    // Without bounds on the first field the index is no candidate.
    EXPECT_EQ(bounds(R"J({"b": 2})J"), "none");
}

TEST_F(PlannerTest, CompoundRangeKeysUseTheSmallestAndLargestComponents) {
    indexes = {makeIndex("a_1_b_-1", R"J({"a": 1, "b": -1})J")};
    auto c = candidate(plan(R"J({"a": 5})J"), "a_1_b_-1");
    ASSERT_TRUE(c);
    ASSERT_EQ(c->ranges.size(), 1u);
    BsonObj five = parseJson(R"J({"": 5})J");
    bson_iter_t it;
    ASSERT_TRUE(five.view().iterInit(&it) && bson_iter_next(&it));
    keystring::Builder start, end;
    start.appendValue(it);
    start.appendMaxKey(keystring::Direction::kDescending);
    end.appendValue(it);
    end.appendMinKey(keystring::Direction::kDescending);
    EXPECT_EQ(c->ranges[0].start, start.bytes());
    EXPECT_EQ(c->ranges[0].end, end.bytes());
    EXPECT_TRUE(c->ranges[0].startInclusive && c->ranges[0].endInclusive);

    // An exclusive start skips every key with that value: the later fields take their
    // largest bytes there.
    c = candidate(plan(R"J({"a": {"$gt": 5}})J"), "a_1_b_-1");
    ASSERT_TRUE(c);
    ASSERT_EQ(c->ranges.size(), 1u);
    EXPECT_FALSE(c->ranges[0].startInclusive);
    keystring::Builder exclusiveStart;
    exclusiveStart.appendValue(it);
    exclusiveStart.appendMinKey(keystring::Direction::kDescending);
    EXPECT_EQ(c->ranges[0].start, exclusiveStart.bytes());
}

TEST_F(PlannerTest, DescendingFieldsListIntervalsInScanOrder) {
    indexes = {makeIndex("a_-1", R"J({"a": -1})J")};
    EXPECT_EQ(bounds(R"J({"a": {"$gt": 5}})J"), R"J({"a":["[inf.0, 5)"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$in": [1, 2]}})J"), R"J({"a":["[2, 2]","[1, 1]"]})J");
    auto c = candidate(plan(R"J({"a": {"$in": [1, 2]}})J"), "a_-1");
    ASSERT_TRUE(c);
    ASSERT_EQ(c->ranges.size(), 2u);
    EXPECT_LT(c->ranges[0].end, c->ranges[1].start);  // ranges are ascending in key bytes
}

TEST_F(PlannerTest, SortFromIndexOrder) {
    indexes = {makeIndex("a_1_b_-1", R"J({"a": 1, "b": -1})J")};
    auto c = candidate(plan(R"J({"a": {"$gt": 5}})J", R"J({"a": -1, "b": 1})J"), "a_1_b_-1");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->providesSort);
    EXPECT_TRUE(c->reverse);
    EXPECT_EQ(json::toJson(c->explainBounds), R"J({"a":["[inf.0, 5)"],"b":["[MinKey, MaxKey]"]})J");
    c = candidate(plan(R"J({"a": {"$gt": 5}})J", R"J({"a": 1, "b": -1})J"), "a_1_b_-1");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->providesSort);
    EXPECT_FALSE(c->reverse);
    c = candidate(plan(R"J({"a": {"$gt": 5}})J", R"J({"a": 1, "b": 1})J"), "a_1_b_-1");
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->providesSort);
    // A field pinned to one value drops out of the order.
    c = candidate(plan(R"J({"a": 5})J", R"J({"b": 1})J"), "a_1_b_-1");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->providesSort);
    EXPECT_TRUE(c->reverse);
    c = candidate(plan(R"J({"a": {"$in": [5, 6]}})J", R"J({"b": 1})J"), "a_1_b_-1");
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->providesSort);
    // An index that only provides the order is still a candidate, over its whole range.
    c = candidate(plan(R"J({"x": 1})J", R"J({"a": 1})J"), "a_1_b_-1");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->providesSort);
    EXPECT_EQ(c->boundedFields, 0u);
    EXPECT_EQ(json::toJson(c->explainBounds),
              R"J({"a":["[MinKey, MaxKey]"],"b":["[MaxKey, MinKey]"]})J");
}

TEST_F(PlannerTest, NoSortFromMultikeyOrHashedFields) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J", {true}), makeIndex("h", R"J({"b": "hashed"})J"),
               makeIndex("c_1_d_1", R"J({"c": 1, "d": 1})J", {true, false})};
    auto out = plan("{}", R"J({"a": 1})J");
    EXPECT_TRUE(out.candidates.empty());
    EXPECT_TRUE(plan("{}", R"J({"b": 1})J").candidates.empty());
    // A pinned multikey field still orders the rest; but its own sort key is not pinned.
    auto c = candidate(plan(R"J({"c": 1})J", R"J({"d": 1})J"), "c_1_d_1");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->providesSort);
    c = candidate(plan(R"J({"c": 1})J", R"J({"c": 1, "d": 1})J"), "c_1_d_1");
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->providesSort);
}

TEST_F(PlannerTest, HashedFieldsTakeEqualityOnly) {
    indexes = {makeIndex("a_hashed", R"J({"a": "hashed"})J")};
    BsonObj one = parseJson(R"J({"": 1})J");
    bson_iter_t it;
    ASSERT_TRUE(one.view().iterInit(&it) && bson_iter_next(&it));
    std::string h = std::to_string(hashIndexValue(it));
    EXPECT_EQ(bounds(R"J({"a": 1})J"), "{\"a\":[\"[" + h + ", " + h + "]\"]}");
    // 1, 1.0 and NumberLong(1) hash alike.
    EXPECT_EQ(bounds(R"J({"a": {"$in": [1, 1.0, {"$numberLong": "1"}]}})J"),
              "{\"a\":[\"[" + h + ", " + h + "]\"]}");
    EXPECT_EQ(bounds(R"J({"a": {"$gt": 1}})J"), "none");
    EXPECT_EQ(bounds(R"J({"a": {"$regularExpression": {"pattern": "^a", "options": ""}}})J"),
              "none");
    auto c = candidate(plan(R"J({"a": null})J"), "a_hashed");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->ranges.size(), 2u);  // null and undefined
}

TEST_F(PlannerTest, SparseIndexesNeedBoundsExcludingMissing) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J", {}, /*sparse=*/true)};
    EXPECT_NE(bounds(R"J({"a": {"$gt": 5}})J"), "none");
    EXPECT_NE(bounds(R"J({"a": {"$in": [1, 2]}})J"), "none");
    EXPECT_EQ(bounds(R"J({"a": null})J"), "none");
    EXPECT_EQ(bounds(R"J({"a": {"$in": [1, null]}})J"), "none");
    EXPECT_EQ(bounds("{}", R"J({"a": 1})J"), "none");
    // Hinted, it is used anyway (MongoDB's behaviour: the hint wins).
    auto out = plan(R"J({"a": null})J", "{}", R"J({"": "a_1"})J");
    ASSERT_EQ(out.candidates.size(), 1u);
    EXPECT_FALSE(out.collectionScanAllowed);
    indexes = {makeIndex("a_1_b_1", R"J({"a": 1, "b": 1})J", {}, /*sparse=*/true)};
    EXPECT_NE(bounds(R"J({"a": null, "b": 5})J"), "none");
}

TEST_F(PlannerTest, PartialIndexesNeedTheFilterToImplyTheirs) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J", {}, false, R"J({"a": {"$gt": 5}})J")};
    EXPECT_NE(bounds(R"J({"a": 7})J"), "none");
    EXPECT_NE(bounds(R"J({"a": {"$gt": 6, "$lt": 9}})J"), "none");
    EXPECT_NE(bounds(R"J({"a": {"$in": [6, 7]}})J"), "none");
    EXPECT_NE(bounds(R"J({"a": {"$gt": 5}})J"), "none");
    EXPECT_EQ(bounds(R"J({"a": {"$gte": 5}})J"), "none");
    EXPECT_EQ(bounds(R"J({"a": 3})J"), "none");
    EXPECT_EQ(bounds(R"J({"a": {"$in": [6, null]}})J"), "none");
    EXPECT_EQ(bounds(R"J({"a": {"$gt": 6}, "$or": [{"b": 1}, {"c": 1}]})J").substr(0, 5),
              "{\"a\":");

    indexes = {makeIndex("b_1", R"J({"b": 1})J", {}, false,
                         R"J({"a": {"$exists": true}, "c": {"$type": "string"}})J")};
    EXPECT_NE(bounds(R"J({"b": 1, "a": 5, "c": {"$type": "string"}})J"), "none");
    EXPECT_EQ(bounds(R"J({"b": 1, "a": null, "c": {"$type": "string"}})J"), "none");
    EXPECT_EQ(bounds(R"J({"b": 1, "a": 5})J"), "none");
    EXPECT_EQ(bounds(R"J({"b": 1, "a": 5, "c": "x"})J"), "none");  // only identical $type
    auto out = plan(R"J({"b": 1})J", "{}", R"J({"b": 1})J");
    EXPECT_EQ(out.candidates.size(), 1u);
}

TEST_F(PlannerTest, Hints) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J"), makeIndex("a_1_b_-1", R"J({"a": 1, "b": -1})J")};
    auto out = plan(R"J({"a": 5})J", "{}", R"J({"": "a_1_b_-1"})J");
    ASSERT_EQ(out.candidates.size(), 1u);
    EXPECT_EQ(out.candidates[0].index, 1u);
    EXPECT_FALSE(out.collectionScanAllowed);
    out = plan(R"J({"a": 5})J", "{}", R"J({"a": 1.0})J");
    ASSERT_EQ(out.candidates.size(), 1u);
    EXPECT_EQ(out.candidates[0].index, 0u);
    out = plan(R"J({"a": 5})J", "{}", R"J({"": {"a": 1, "b": -1}})J");
    ASSERT_EQ(out.candidates.size(), 1u);
    EXPECT_EQ(out.candidates[0].index, 1u);
    // A hinted index without bounds is scanned whole.
    out = plan(R"J({"x": 5})J", "{}", R"J({"": "a_1"})J");
    ASSERT_EQ(out.candidates.size(), 1u);
    EXPECT_EQ(out.candidates[0].boundedFields, 0u);
    EXPECT_EQ(json::toJson(out.candidates[0].explainBounds), R"J({"a":["[MinKey, MaxKey]"]})J");
    out = plan(R"J({"a": 5})J", "{}", R"J({"$natural": -1})J");
    EXPECT_TRUE(out.candidates.empty());
    EXPECT_TRUE(out.collectionScanAllowed);
    EXPECT_TRUE(out.naturalReverse);
    out = plan(R"J({"a": 5})J", "{}", "{}");
    EXPECT_EQ(out.candidates.size(), 2u);
    EXPECT_TRUE(out.collectionScanAllowed);
    for (const char* bad :
         {R"J({"": "nope"})J", R"J({"b": 1})J", R"J({"a": -1})J", R"J({"b": -1, "a": 1})J"}) {
        auto r = tryPlan(R"J({"a": 5})J", "{}", bad);
        ASSERT_FALSE(r.isOK()) << bad;
        EXPECT_EQ(r.getStatus().code(), ErrorCodes::BadValue);
        EXPECT_EQ(r.getStatus().reason(), "hint provided does not correspond to an existing index");
    }
}

TEST_F(PlannerTest, RangeCapFallsBackToAShorterPrefix) {
    indexes = {makeIndex("a_1_b_1", R"J({"a": 1, "b": 1})J")};
    auto out = tryPlan(R"J({"a": {"$in": [1, 2, 3]}, "b": {"$in": [4, 5, 6]}})J", "{}", "{}", 5);
    ASSERT_TRUE(out.isOK());
    ASSERT_EQ(out.getValue().candidates.size(), 1u);
    const auto& c = out.getValue().candidates[0];
    EXPECT_EQ(c.ranges.size(), 3u);
    EXPECT_EQ(c.equalityPrefix, 1u);
    EXPECT_EQ(json::toJson(c.explainBounds),
              R"J({"a":["[1, 1]","[2, 2]","[3, 3]"],"b":["[MinKey, MaxKey]"]})J");
    out = tryPlan(R"J({"a": {"$in": [1, 2, 3]}, "b": {"$in": [4, 5, 6]}})J");
    ASSERT_TRUE(out.isOK());
    EXPECT_EQ(out.getValue().candidates[0].ranges.size(), 9u);
}

TEST_F(PlannerTest, ExplainValueForms) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    EXPECT_EQ(bounds(R"J({"a": {"$numberLong": "5"}})J"), R"J({"a":["[5, 5]"]})J");
    EXPECT_EQ(bounds(R"J({"a": true})J"), R"J({"a":["[true, true]"]})J");
    EXPECT_EQ(
        bounds(R"J({"a": {"$oid": "0123456789abcdef01234567"}})J"),
        R"J({"a":["[ObjectId('0123456789ABCDEF01234567'), ObjectId('0123456789ABCDEF01234567')]"]})J");
    EXPECT_EQ(bounds(R"J({"a": 0.1})J"), R"J({"a":["[0.1, 0.1]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$minKey": 1}})J"), R"J({"a":["[MinKey, MinKey]"]})J");
    EXPECT_EQ(bounds(R"J({"a": {"$timestamp": {"t": 1, "i": 2}}})J"),
              R"J({"a":["[Timestamp(1, 2), Timestamp(1, 2)]"]})J");
}

TEST_F(PlannerTest, ErrorsPassThrough) {
    indexes = {makeIndex("a_1", R"J({"a": 1})J")};
    auto r = tryPlan(R"J({"a": {"$foo": 1}})J");
    ASSERT_FALSE(r.isOK());
    EXPECT_EQ(r.getStatus().code(), ErrorCodes::BadValue);
    r = tryPlan("{}", R"J({"a": 2})J");
    EXPECT_FALSE(r.isOK());
    EXPECT_TRUE(tryPlan("{}", "{}", "{}").isOK());
    auto none = tryPlan(R"J({"a": 1})J");
    ASSERT_TRUE(none.isOK());
    PlannerInput noIndexes;
    BsonObj f = parseJson(R"J({"a": 1})J");
    noIndexes.filter = f;
    auto empty = planQuery(noIndexes);
    ASSERT_TRUE(empty.isOK());
    EXPECT_TRUE(empty.getValue().candidates.empty());
    EXPECT_TRUE(empty.getValue().collectionScanAllowed);
}

TEST_F(PlannerTest, FilterVariablesReachTheParser) {
    indexes = {makeIndex("a_1", R"({"a": 1})")};
    BsonObj filter = parseJson(R"({"a": 5, "$expr": {"$eq": ["$b", "$$limit"]}})");
    PlannerInput in;
    in.filter = filter;
    in.indexes = &indexes;
    EXPECT_FALSE(planQuery(in).isOK());  // $$limit is undefined
    BsonObj empty;
    Variables root(empty);
    Variables let(&root, {{"limit", Value::int32(3)}});
    in.filterLimits.variables = &let;
    auto out = planQuery(in);
    ASSERT_TRUE(out.isOK()) << out.getStatus().reason();
    ASSERT_EQ(out.getValue().candidates.size(), 1u);
    EXPECT_EQ(json::toJson(out.getValue().candidates[0].explainBounds), R"J({"a":["[5, 5]"]})J");
}

TEST(QueryShape, ValuesBecomeTypes) {
    auto shape = [](const std::string& f, const std::string& s = "{}",
                    const std::string& p = "{}") {
        return queryShape(parseJson(f), parseJson(s), parseJson(p));
    };
    EXPECT_EQ(shape(R"J({"a": 5})J"), shape(R"J({"a": 7.5})J"));
    EXPECT_NE(shape(R"J({"a": 5})J"), shape(R"J({"a": "x"})J"));
    EXPECT_NE(shape(R"J({"a": 5})J"), shape(R"J({"a": null})J"));
    EXPECT_NE(shape(R"J({"a": 5})J"), shape(R"J({"b": 5})J"));
    EXPECT_NE(shape(R"J({"a": 5})J"), shape(R"J({"a": {"$gt": 5}})J"));
    EXPECT_EQ(shape(R"J({"a": {"$in": [1, 2]}})J"), shape(R"J({"a": {"$in": [3]}})J"));
    EXPECT_NE(shape(R"J({"a": {"$in": [1, "x"]}})J"), shape(R"J({"a": {"$in": [3]}})J"));
    EXPECT_EQ(shape(R"J({"a": 1, "$comment": "x"})J"), shape(R"J({"a": 2})J"));
    EXPECT_NE(shape(R"J({"a": {"$exists": true}})J"), shape(R"J({"a": {"$exists": false}})J"));
    EXPECT_EQ(shape(R"J({"$or": [{"a": 1}, {"b": {"$lt": 2}}]})J"),
              shape(R"J({"$or": [{"a": 3}, {"b": {"$lt": 4}}]})J"));
    EXPECT_NE(shape("{}", R"J({"a": 1})J"), shape("{}", R"J({"a": -1})J"));
    EXPECT_NE(shape("{}", "{}", R"J({"a": 1})J"), shape("{}", "{}", R"J({"b": 1})J"));
    EXPECT_EQ(shape(R"J({"a": {"$gt": 1}})J"), R"J({a:{$gt:number}} sort:{} projection:{})J");
}

}  // namespace
}  // namespace mongosd::query
