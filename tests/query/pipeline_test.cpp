// Pipeline behaviour the golden files cannot reach: the memory caps (injected small), top-k
// coalescing, streaming (how much a stage pulls), $sample's seed, and the environment
// interface ($lookup, $unionWith, $out) over an in-memory fake.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "common/json/ejson.h"
#include "query/pipeline.h"
#include "query/update.h"
#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

// Yields `n` documents {_id: i, pad: "<bytes>"} and counts how many were pulled.
class CountingSource final : public DocumentSource {
public:
    CountingSource(int n, size_t padBytes, int* pulled)
        : _n(n), _pad(padBytes, 'x'), _pulled(pulled) {}
    StatusWith<std::optional<BsonObj>> next() override {
        if (_i >= _n) return std::optional<BsonObj>();
        ++*_pulled;
        BsonBuilder b;
        b.appendInt32("_id", _i++);
        b.appendString("pad", _pad);
        return std::optional<BsonObj>(b.obj());
    }

private:
    int _n;
    int _i = 0;
    std::string _pad;
    int* _pulled;
};

class FakeEnvironment final : public PipelineEnvironment {
public:
    std::map<std::string, std::vector<BsonObj>, std::less<>> collections;
    StatusWith<std::unique_ptr<DocumentSource>> scan(std::string_view coll) override {
        auto it = collections.find(coll);
        if (it == collections.end()) return makeVectorDocumentSource({});
        return makeVectorDocumentSource(it->second);
    }
    Status replaceCollection(std::string_view coll, std::vector<BsonObj> docs) override {
        collections[std::string(coll)] = std::move(docs);
        return Status::OK();
    }
    Status checkForInterrupt() override { return Status::OK(); }
};

Pipeline parsePipeline(const std::string& json) {
    BsonObj wrapped = parseJson("{\"p\": " + json + "}");
    bson_iter_t it;
    wrapped.view().find("p", &it);
    auto p = Pipeline::parse(subDocument(it));
    EXPECT_TRUE(p.isOK()) << p.getStatus().toString();
    return std::move(p.getValue());
}

// Runs the pipeline to the end; returns the documents as JSON or the error.
std::string runAll(const Pipeline& p, std::unique_ptr<DocumentSource> in,
                   const PipelineContext& ctx) {
    auto exec = p.execute(std::move(in), ctx);
    std::string out;
    while (true) {
        auto n = exec->next();
        if (!n.isOK()) return "error " + std::to_string(n.getStatus().code());
        if (!n.getValue()) return out;
        out += json::toJson(*n.getValue());
    }
}

PipelineContext smallCap() {
    PipelineContext ctx;
    ctx.memoryLimitBytes = 64 * 1024;
    ctx.diskUseMemoryLimitBytes = 256 * 1024;
    return ctx;
}

TEST(Pipeline, SortOverTheCapFailsButTopKSucceeds) {
    int pulled = 0;
    // 200 documents of ~1 KB: about three times the 64 KB cap.
    Pipeline sortOnly = parsePipeline(R"([{"$sort": {"_id": -1}}])");
    EXPECT_EQ(runAll(sortOnly, std::make_unique<CountingSource>(200, 1000, &pulled), smallCap()),
              "error 292");
    Pipeline topK =
        parsePipeline(R"([{"$sort": {"_id": -1}}, {"$limit": 2}, {"$project": {"pad": 0}}])");
    EXPECT_EQ(runAll(topK, std::make_unique<CountingSource>(200, 1000, &pulled), smallCap()),
              R"({"_id":199}{"_id":198})");
}

TEST(Pipeline, AllowDiskUseRaisesTheCapToTheCeiling) {
    int pulled = 0;
    Pipeline p = parsePipeline(R"([{"$sort": {"_id": 1}}, {"$count": "n"}])");
    PipelineContext ctx = smallCap();
    ctx.allowDiskUse = true;
    EXPECT_EQ(runAll(p, std::make_unique<CountingSource>(200, 1000, &pulled), ctx), R"({"n":200})");
    EXPECT_EQ(runAll(p, std::make_unique<CountingSource>(400, 1000, &pulled), ctx), "error 146");
}

TEST(Pipeline, GroupHasAMemoryCap) {
    int pulled = 0;
    Pipeline p = parsePipeline(R"([{"$group": {"_id": null, "all": {"$push": "$pad"}}}])");
    EXPECT_EQ(runAll(p, std::make_unique<CountingSource>(200, 1000, &pulled), smallCap()),
              "error 292");
    Pipeline counts = parsePipeline(R"([{"$group": {"_id": null, "n": {"$sum": 1}}}])");
    EXPECT_EQ(runAll(counts, std::make_unique<CountingSource>(200, 1000, &pulled), smallCap()),
              R"({"_id":null,"n":200})");
}

TEST(Pipeline, StreamingStagesPullOnlyWhatTheyNeed) {
    int pulled = 0;
    Pipeline p = parsePipeline(
        R"([{"$match": {"_id": {"$gte": 10}}}, {"$limit": 3}, {"$project": {"pad": 0}}])");
    EXPECT_EQ(runAll(p, std::make_unique<CountingSource>(1000, 10, &pulled), {}),
              R"({"_id":10}{"_id":11}{"_id":12})");
    EXPECT_EQ(pulled, 13);
}

TEST(Pipeline, SampleIsSeeded) {
    int pulled = 0;
    Pipeline p = parsePipeline(R"([{"$sample": {"size": 5}}, {"$project": {"pad": 0}}])");
    PipelineContext ctx;
    ctx.randomSeed = 42;
    std::string a = runAll(p, std::make_unique<CountingSource>(100, 1, &pulled), ctx);
    std::string b = runAll(p, std::make_unique<CountingSource>(100, 1, &pulled), ctx);
    EXPECT_EQ(a, b);
    EXPECT_EQ(std::count(a.begin(), a.end(), '{'), 5);
}

TEST(Pipeline, LookupUnionAndOutGoThroughTheEnvironment) {
    FakeEnvironment env;
    env.collections["items"] = {parseJson(R"({"_id": 1, "k": "a"})"),
                                parseJson(R"({"_id": 2, "k": "b"})")};
    PipelineContext ctx;
    ctx.env = &env;
    Pipeline p = parsePipeline(R"([{"$lookup": {"from": "items", "localField": "k",
        "foreignField": "k", "as": "m"}}, {"$unionWith": "items"}, {"$out": "result"}])");
    EXPECT_EQ(p.referencedCollections(), (std::vector<std::string>{"items", "items", "result"}));
    EXPECT_EQ(p.outCollection(), std::optional<std::string>("result"));
    auto in = makeVectorDocumentSource({parseJson(R"({"_id": 7, "k": "b"})")});
    EXPECT_EQ(runAll(p, std::move(in), ctx), "");
    std::string written;
    for (const auto& d : env.collections["result"]) written += json::toJson(d);
    EXPECT_EQ(written, R"({"_id":7,"k":"b","m":[{"_id":2,"k":"b"}]})"
                       R"({"_id":1,"k":"a"}{"_id":2,"k":"b"})");
}

// An environment whose operation "times out" on the second interrupt check.
class ExpiringEnvironment final : public PipelineEnvironment {
public:
    int checks = 0;
    StatusWith<std::unique_ptr<DocumentSource>> scan(std::string_view) override {
        return makeVectorDocumentSource({});
    }
    Status replaceCollection(std::string_view, std::vector<BsonObj>) override {
        return Status::OK();
    }
    Status checkForInterrupt() override {
        if (++checks < 2) return Status::OK();
        return Status(ErrorCodes::MaxTimeMSExpired, "operation exceeded time limit");
    }
};

TEST(Pipeline, BlockingStagesCheckForInterrupt) {
    int pulled = 0;
    ExpiringEnvironment env;
    PipelineContext ctx;
    ctx.env = &env;
    for (const char* json : {R"([{"$group": {"_id": "$_id"}}])", R"([{"$sort": {"pad": 1}}])",
                             R"([{"$facet": {"a": []}}])"}) {
        env.checks = 0;
        Pipeline p = parsePipeline(json);
        EXPECT_EQ(runAll(p, std::make_unique<CountingSource>(1000, 1, &pulled), ctx), "error 50")
            << json;
    }
}

TEST(Pipeline, CollectionStagesNeedAnEnvironment) {
    Pipeline p = parsePipeline(R"([{"$unionWith": "x"}])");
    EXPECT_EQ(runAll(p, makeVectorDocumentSource({}), {}), "error 20");
}

TEST(Pipeline, ParseErrors) {
    auto parse = [](const std::string& json) {
        BsonObj wrapped = parseJson("{\"p\": " + json + "}");
        bson_iter_t it;
        wrapped.view().find("p", &it);
        return Pipeline::parse(subDocument(it)).getStatus().code();
    };
    EXPECT_EQ(parse(R"([{"$bogus": 1}])"), 40324);
    EXPECT_EQ(parse(R"([{"$out": "a"}, {"$match": {}}])"), 40601);
    EXPECT_EQ(parse(R"([{"$limit": 0}])"), 15958);
    EXPECT_EQ(parse(R"([{"$group": {"_id": 1, "x": {"$nope": 1}}}])"), 15952);
    EXPECT_EQ(parse(R"([{"$addFields": {"x": "$$undefinedVar"}}])"), ErrorCodes::BadValue);
}

TEST(UpdatePipeline, AppliesStagesAndKeepsId) {
    BsonObj stages =
        parseJson(R"({"0": {"$set": {"b": {"$add": ["$a", 1]}}}, "1": {"$unset": "a"}})");
    auto spec = UpdateSpec::parsePipeline(stages);
    ASSERT_TRUE(spec.isOK()) << spec.getStatus().toString();
    EXPECT_TRUE(spec.getValue().isPipeline());
    auto out = spec.getValue().apply(parseJson(R"({"_id": 3, "a": 1})"));
    ASSERT_TRUE(out.isOK());
    EXPECT_EQ(json::toJson(out.getValue()), R"({"_id":3,"b":2})");
    BsonObj changeId = parseJson(R"({"0": {"$replaceWith": {"_id": 4}}})");
    auto bad = UpdateSpec::parsePipeline(changeId).getValue().apply(parseJson(R"({"_id": 3})"));
    EXPECT_EQ(bad.getStatus().code(), ErrorCodes::ImmutableField);
    BsonObj sort = parseJson(R"({"0": {"$sort": {"a": 1}}})");
    EXPECT_EQ(UpdateSpec::parsePipeline(sort).getStatus().code(), ErrorCodes::InvalidOptions);
}

}  // namespace
}  // namespace mongosd::query
