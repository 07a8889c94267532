// Key patterns and the keys a document contributes to an index (query/index_key.h).
#include <gtest/gtest.h>

#include "common/json/ejson.h"
#include "common/key_string.h"
#include "query/index_key.h"
#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

IndexKeyPattern pattern(const std::string& json) {
    auto p = IndexKeyPattern::parse(parseJson(json));
    EXPECT_TRUE(p.isOK()) << json << " " << p.getStatus().reason();
    return p.getValue();
}

// The keys of `doc` decoded back to values, as JSON: ["{\"\":1}", ...].
std::vector<std::string> keysOf(const std::string& patternJson, const std::string& doc,
                                bool sparse = false) {
    IndexKeyPattern p = pattern(patternJson);
    auto keys = generateIndexKeys(p, parseJson(doc), sparse);
    EXPECT_TRUE(keys.isOK()) << doc << " " << keys.getStatus().reason();
    std::vector<std::string> out;
    for (const auto& k : keys.getValue().keys) {
        auto decoded = keystring::decode(k, p.size(), p.directions());
        EXPECT_TRUE(decoded.isOK());
        out.push_back(json::toJson(decoded.getValue()));
    }
    return out;
}

using Keys = std::vector<std::string>;

TEST(IndexKeyPattern, ParsesDirectionsAndHashed) {
    IndexKeyPattern p = pattern(R"({"a": 1, "b.c": -1, "d": "hashed"})");
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p.fields()[0].kind, IndexFieldKind::kAscending);
    EXPECT_EQ(p.fields()[1].kind, IndexFieldKind::kDescending);
    EXPECT_EQ(p.fields()[1].path.dotted(), "b.c");
    EXPECT_EQ(p.fields()[2].kind, IndexFieldKind::kHashed);
    EXPECT_TRUE(p.hasHashed());
    EXPECT_EQ(p.directions(),
              (std::vector<keystring::Direction>{keystring::Direction::kAscending,
                                                 keystring::Direction::kDescending,
                                                 keystring::Direction::kAscending}));
    EXPECT_FALSE(pattern(R"({"a": 0.5, "b": {"$numberDecimal": "-2"}})").hasHashed());
    EXPECT_EQ(pattern(R"({"a": {"$numberDecimal": "-2"}})").fields()[0].kind,
              IndexFieldKind::kDescending);
}

TEST(IndexKeyPattern, RejectsWhatCreateIndexesRejects) {
    std::string tooMany = "{";
    for (int i = 0; i < 33; ++i) tooMany += (i ? ", \"f" : "\"f") + std::to_string(i) + "\": 1";
    tooMany += "}";
    for (const std::string& bad :
         {std::string("{}"), std::string(R"({"a": 0})"), std::string(R"({"a": "text"})"),
          std::string(R"({"a": "hashed", "b": "hashed"})"), std::string(R"({"a": true})"),
          std::string(R"({"a..b": 1})"), std::string(R"({"$a": 1})"), tooMany}) {
        auto p = IndexKeyPattern::parse(parseJson(bad));
        ASSERT_FALSE(p.isOK()) << bad;
        EXPECT_EQ(p.getStatus().code(), ErrorCodes::CannotCreateIndex) << bad;
    }
}

TEST(IndexKeys, ScalarsMissingAndNull) {
    EXPECT_EQ(keysOf(R"({"a": 1})", R"({"a": 5})"), Keys{R"({"":5})"});
    EXPECT_EQ(keysOf(R"({"a": 1})", R"({"b": 5})"), Keys{R"({"":null})"});
    EXPECT_EQ(keysOf(R"({"a": 1})", R"({"a": null})"), Keys{R"({"":null})"});
    EXPECT_EQ(keysOf(R"({"a.b": 1})", R"({"a": {"b": "x"}})"), Keys{R"({"":"x"})"});
    // A scalar met before the end of the path is a dead end: null.
    EXPECT_EQ(keysOf(R"({"a.b": 1})", R"({"a": 3})"), Keys{R"({"":null})"});
    // Embedded documents are values too.
    EXPECT_EQ(keysOf(R"({"a": 1})", R"({"a": {"x": 1}})"), Keys{R"({"":{"x":1}})"});
}

TEST(IndexKeys, ArraysGiveOneKeyPerDistinctElement) {
    IndexKeyPattern p = pattern(R"({"a": 1})");
    auto keys = generateIndexKeys(p, parseJson(R"({"a": [3, 1, 1.0, [2]]})"), false);
    ASSERT_TRUE(keys.isOK());
    EXPECT_EQ(keys.getValue().multikey, std::vector<bool>{true});
    EXPECT_EQ(keysOf(R"({"a": 1})", R"({"a": [3, 1, 1.0, [2]]})"),
              (Keys{R"({"":1})", R"({"":3})", R"({"":[2]})"}));
    EXPECT_EQ(keysOf(R"({"a": 1})", R"({"a": []})"), Keys{R"({"":{"$undefined":true}})"});
    auto scalar = generateIndexKeys(p, parseJson(R"({"a": 3})"), false);
    EXPECT_EQ(scalar.getValue().multikey, std::vector<bool>{false});
}

TEST(IndexKeys, PathsThroughArrays) {
    // Elements without the field (and non-document elements) give null.
    EXPECT_EQ(keysOf(R"({"a.b": 1})", R"({"a": [{"b": 2}, {"c": 1}, 7]})"),
              (Keys{R"({"":null})", R"({"":2})"}));
    EXPECT_EQ(keysOf(R"({"a.b": 1})", R"({"a": [{"b": [1, 2]}, {"b": 2}]})"),
              (Keys{R"({"":1})", R"({"":2})"}));
    auto keys =
        generateIndexKeys(pattern(R"({"a.b": 1})"), parseJson(R"({"a": [{"b": 1}]})"), false);
    EXPECT_EQ(keys.getValue().multikey, std::vector<bool>{true});
}

TEST(IndexKeys, NumericComponentsReadPositionsAndFields) {
    EXPECT_EQ(keysOf(R"({"a.0": 1})", R"({"a": [5, 6]})"), (Keys{R"({"":null})", R"({"":5})"}));
    // {"a.0": null} matches a: [{x: 1}] (no element has a field "0"), so the key holds null.
    EXPECT_EQ(keysOf(R"({"a.0.x": 1})", R"({"a": [{"x": 1}]})"),
              (Keys{R"({"":null})", R"({"":1})"}));
    EXPECT_EQ(keysOf(R"({"a.0": 1})", R"({"a": [{"0": 7}]})"),
              (Keys{R"({"":7})", R"({"":{"0":7}})"}));
    EXPECT_EQ(keysOf(R"({"a.0": 1})", R"({"a": {"0": 4}})"), Keys{R"({"":4})"});
}

TEST(IndexKeys, CompoundKeysAreCartesianProducts) {
    EXPECT_EQ(keysOf(R"({"a": 1, "b": -1})", R"({"a": [1, 2], "b": "x"})"),
              (Keys{R"({"":1,"":"x"})", R"({"":2,"":"x"})"}));
    // Two fields under the same array are allowed (every combination is indexed).
    EXPECT_EQ(
        keysOf(R"({"a.x": 1, "a.y": 1})", R"({"a": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]})").size(),
        4u);
    auto parallel = generateIndexKeys(pattern(R"({"a": 1, "b": 1})"),
                                      parseJson(R"({"a": [1], "b": [2]})"), false);
    ASSERT_FALSE(parallel.isOK());
    EXPECT_EQ(parallel.getStatus().code(), ErrorCodes::CannotIndexParallelArrays);
}

TEST(IndexKeys, DescendingComponentsAreInvertedBytes) {
    IndexKeyPattern asc = pattern(R"({"a": 1})");
    IndexKeyPattern desc = pattern(R"({"a": -1})");
    BsonObj doc = parseJson(R"({"a": "abc"})");
    std::string up = generateIndexKeys(asc, doc, false).getValue().keys.at(0);
    std::string down = generateIndexKeys(desc, doc, false).getValue().keys.at(0);
    ASSERT_EQ(up.size(), down.size());
    for (size_t i = 0; i < up.size(); ++i) EXPECT_EQ(static_cast<char>(~up[i]), down[i]);
    // So keys of a descending index sort in reverse value order.
    std::string five = generateIndexKeys(desc, parseJson(R"({"a": 5})"), false).getValue().keys[0];
    std::string six = generateIndexKeys(desc, parseJson(R"({"a": 6})"), false).getValue().keys[0];
    EXPECT_GT(five, six);
}

TEST(IndexKeys, HashedFields) {
    IndexKeyPattern p = pattern(R"({"a": "hashed"})");
    auto key = [&](const std::string& doc) {
        auto k = generateIndexKeys(p, parseJson(doc), false);
        EXPECT_TRUE(k.isOK()) << doc;
        return k.getValue().keys.at(0);
    };
    EXPECT_EQ(key(R"({"a": 1})"), key(R"({"a": 1.0})"));
    EXPECT_EQ(key(R"({"a": 1})"), key(R"({"a": {"$numberLong": "1"}})"));
    EXPECT_NE(key(R"({"a": 1})"), key(R"({"a": 2})"));
    EXPECT_EQ(key(R"({"b": 1})"), key(R"({"a": null})"));
    auto arr = generateIndexKeys(p, parseJson(R"({"a": [1]})"), false);
    ASSERT_FALSE(arr.isOK());
    EXPECT_EQ(arr.getStatus().code(), ErrorCodes::Location16766);
    // The stored component is NumberLong(hash).
    BsonObj one = parseJson(R"({"": 1})");
    bson_iter_t it;
    ASSERT_TRUE(one.view().iterInit(&it) && bson_iter_next(&it));
    EXPECT_EQ(keysOf(R"({"a": "hashed"})", R"({"a": 1})"),
              Keys{"{\"\":" + std::to_string(hashIndexValue(it)) + "}"});
}

TEST(IndexKeys, HashValuesAreStable) {
    // Pinned: changing the hash breaks existing hashed indexes and hashed shard keys.
    auto hashOf = [](const std::string& json) {
        BsonObj v = parseJson(json);
        bson_iter_t it;
        EXPECT_TRUE(v.view().iterInit(&it) && bson_iter_next(&it));
        return hashIndexValue(it);
    };
    EXPECT_EQ(hashOf(R"({"": 1})"), 5469906913059837110LL);
    EXPECT_EQ(hashOf(R"({"": 1})"), hashOf(R"({"": {"$numberDecimal": "1.00"}})"));
    EXPECT_NE(hashOf(R"({"": 1})"), hashOf(R"({"": 2})"));
    EXPECT_NE(hashOf(R"({"": "1"})"), hashOf(R"({"": 1})"));
}

TEST(IndexKeys, SparseSkipsDocumentsMissingEveryField) {
    IndexKeyPattern p = pattern(R"({"a": 1, "b": 1})");
    auto none = generateIndexKeys(p, parseJson(R"({"c": 1})"), true);
    ASSERT_TRUE(none.isOK());
    EXPECT_TRUE(none.getValue().skipped);
    EXPECT_TRUE(none.getValue().keys.empty());
    // One present field (null counts as present) is enough.
    auto one = generateIndexKeys(p, parseJson(R"({"b": null})"), true);
    EXPECT_FALSE(one.getValue().skipped);
    EXPECT_EQ(one.getValue().keys.size(), 1u);
    // Not sparse: always indexed.
    EXPECT_FALSE(generateIndexKeys(p, parseJson(R"({"c": 1})"), false).getValue().skipped);
    // A path that only dead-ends is missing.
    auto dead =
        generateIndexKeys(pattern(R"({"a.b": 1})"), parseJson(R"({"a": [1, {"c": 2}]})"), true);
    EXPECT_TRUE(dead.getValue().skipped);
}

TEST(IndexKeys, TooManyKeysIsAnError) {
    std::string doc = R"({"a": [)";
    for (int i = 0; i < 400; ++i)
        doc += (i ? "," : "") + std::string(R"({"x": )") + std::to_string(i) + R"(, "y": )" +
               std::to_string(i) + "}";
    doc += "]}";
    auto keys = generateIndexKeys(pattern(R"({"a.x": 1, "a.y": 1})"), parseJson(doc), false);
    ASSERT_FALSE(keys.isOK());
    EXPECT_EQ(keys.getStatus().code(), ErrorCodes::BadValue);
}

TEST(IndexKeys, KeysAreSortedAndDistinct) {
    IndexKeyPattern p = pattern(R"({"a": 1, "b": -1})");
    auto keys = generateIndexKeys(p, parseJson(R"({"a": [3, 1, 2, 1], "b": 7})"), false);
    ASSERT_TRUE(keys.isOK());
    const auto& k = keys.getValue().keys;
    ASSERT_EQ(k.size(), 3u);
    EXPECT_TRUE(std::is_sorted(k.begin(), k.end()));
    EXPECT_TRUE(std::adjacent_find(k.begin(), k.end()) == k.end());
}

}  // namespace
}  // namespace mongosd::query
