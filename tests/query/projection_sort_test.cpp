#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "common/json/ejson.h"
#include "query/projection.h"
#include "query/sort.h"
#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

std::string projected(const std::string& spec, const std::string& doc) {
    auto p = Projection::parse(parseJson(spec));
    if (!p.isOK()) return "error: " + p.getStatus().toString();
    auto out = p.getValue().apply(parseJson(doc));
    if (!out.isOK()) return "error: " + out.getStatus().toString();
    return json::toJson(out.getValue());
}

TEST(Projection, InclusionAndExclusion) {
    const std::string doc = R"({"_id":1,"a":1,"b":{"c":2,"d":3},"e":[{"c":1,"x":0},{"c":2},5]})";
    EXPECT_EQ(projected(R"({"a":1})", doc), R"({"_id":1,"a":1})");
    EXPECT_EQ(projected(R"({"a":1,"_id":0})", doc), R"({"a":1})");
    EXPECT_EQ(projected(R"({"b.c":1})", doc), R"({"_id":1,"b":{"c":2}})");
    EXPECT_EQ(projected(R"({"e.c":1})", doc), R"({"_id":1,"e":[{"c":1},{"c":2}]})");
    EXPECT_EQ(projected(R"({"a":0,"b":0})", doc), R"({"_id":1,"e":[{"c":1,"x":0},{"c":2},5]})");
    EXPECT_EQ(projected(R"({"b.d":0})", doc), R"({"_id":1,"a":1,"b":{"c":2},"e":[{"c":1,"x":0},{"c":2},5]})");
    EXPECT_EQ(projected(R"({"_id":0})", doc), R"({"a":1,"b":{"c":2,"d":3},"e":[{"c":1,"x":0},{"c":2},5]})");
    EXPECT_EQ(projected(R"({})", doc), doc);
    EXPECT_EQ(projected(R"({"_id":1})", doc), R"({"_id":1})");
    EXPECT_EQ(projected(R"({"_id":true})", R"({"a":1})"), R"({})");
}

// Parser errors in detail: projection_test.cpp.
TEST(Projection, Errors) {
    EXPECT_NE(projected(R"({"a":1,"b":0})", "{}").find("31254"), std::string::npos);
    EXPECT_NE(projected(R"({"a":1,"a.b":1})", "{}").find("31249"), std::string::npos);
    EXPECT_EQ(projected(R"({"a":"x"})", R"({"_id":1})"), R"({"_id":1,"a":"x"})");
}

std::string sortedIds(const std::string& spec, std::vector<std::string> docs) {
    auto s = SortSpec::parse(parseJson(spec));
    EXPECT_TRUE(s.isOK());
    std::vector<BsonObj> objs;
    for (auto& d : docs) objs.push_back(parseJson(d));
    s.getValue().sort(objs);
    std::string out;
    for (auto& o : objs) {
        bson_iter_t it;
        o.view().find("_id", &it);
        out += std::to_string(bson_iter_as_int64(&it));
    }
    return out;
}

TEST(Sort, MultipleKeysAndTypes) {
    std::vector<std::string> docs = {R"({"_id":1,"r":4.5,"t":"b"})", R"({"_id":2,"r":5,"t":"a"})",
                                     R"({"_id":3,"r":4.5,"t":"a"})", R"({"_id":4})",
                                     R"({"_id":5,"r":"str"})"};
    EXPECT_EQ(sortedIds(R"({"r":-1,"t":1})", docs), "52314");  // string > numbers > missing(null)
    EXPECT_EQ(sortedIds(R"({"r":1,"t":1})", docs), "43125");
    EXPECT_EQ(sortedIds(R"({"_id":-1})", docs), "54321");
}

TEST(Sort, ArraysUseMinAscendingMaxDescending) {
    std::vector<std::string> docs = {R"({"_id":1,"a":[1,9]})", R"({"_id":2,"a":5})"};
    EXPECT_EQ(sortedIds(R"({"a":1})", docs), "12");
    EXPECT_EQ(sortedIds(R"({"a":-1})", docs), "12");
}

TEST(Sort, RejectsBadDirections) {
    EXPECT_FALSE(SortSpec::parse(parseJson(R"({"a":2})")).isOK());
    EXPECT_FALSE(SortSpec::parse(parseJson(R"({"a":"up"})")).isOK());
}

// A top-k keeps exactly what a full stable sort would put first, ties in arrival order, and
// never holds more than k documents.
TEST(Sort, TopKSorterEqualsTheHeadOfAFullStableSort) {
    auto spec = SortSpec::parse(parseJson(R"({"a": -1, "b": 1})").view());
    ASSERT_TRUE(spec.isOK());
    std::mt19937 rng(7);
    for (int round = 0; round < 50; ++round) {
        std::vector<BsonObj> docs;
        const int n = 1 + int(rng() % 200);
        for (int i = 0; i < n; ++i) {
            // Few distinct keys: many ties; some documents miss a field.
            std::string d = R"({"seq": )" + std::to_string(i);
            if (rng() % 5) d += R"(, "a": )" + std::to_string(rng() % 4);
            if (rng() % 5) d += R"(, "b": )" + std::to_string(rng() % 3);
            docs.push_back(parseJson(d + "}"));
        }
        std::vector<BsonObj> full = docs;
        spec.getValue().sort(full);
        const int64_t k = int64_t(rng() % 30);  // 0: unbounded
        TopKSorter sorter(spec.getValue(), k);
        size_t maxBytes = 0, oneDoc = 0;
        for (const auto& d : docs) {
            sorter.add(d);
            maxBytes = std::max(maxBytes, sorter.bytes());
            oneDoc = std::max(oneDoc, d.size());
        }
        std::vector<BsonObj> top = sorter.finish();
        const size_t expect = k > 0 ? std::min<size_t>(size_t(k), full.size()) : full.size();
        ASSERT_EQ(top.size(), expect);
        for (size_t i = 0; i < expect; ++i)
            ASSERT_EQ(json::toJson(top[i].view()), json::toJson(full[i].view())) << "round " << round;
        // Documents and keys of at most k entries (a key is smaller than its document here).
        if (k > 0) {
            EXPECT_LE(maxBytes, size_t(k) * 2 * oneDoc);
        }
        EXPECT_EQ(sorter.bytes(), 0u);
    }
}

}  // namespace
}  // namespace mongosd::query
