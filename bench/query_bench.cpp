// Per-document cost of the matcher and of the update engine on a 1.1 KB starGrad course document
// (strings, a nested document, an array of tags and an array of 10 session subdocuments). Each
// family has a peer measured in the same run, so the figures read as ratios:
//   matcher -> BM_Peer_IterWalk: a recursive bson_iter walk over every element of the document;
//   update  -> BM_Peer_Copy: copying the document into a new BsonObj (what any update must do).
//   build-release/bin/query_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "common/bson.h"
#include "common/json/ejson.h"
#include "query/matcher.h"
#include "query/update.h"

namespace mongosd::query {
namespace {

BsonObj fromJson(const std::string& json) {
    auto r = json::parseJsonObject(json);
    if (!r.isOK()) std::abort();
    return r.getValue();
}

std::string sessionsJson() {
    std::string out = "[";
    for (int i = 0; i < 10; ++i) {
        if (i) out += ",";
        out += R"({"week":)" + std::to_string(i + 1) + R"(,"topic":"Week )" +
               std::to_string(i + 1) + R"(: raft labs","minutes":)" +
               std::to_string(45 + 5 * i) + R"(,"published":true})";
    }
    return out + "]";
}

const BsonObj& courseDocument() {
    static const BsonObj doc =
        fromJson(R"({"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},)"
                 R"("title":"Distributed Systems Fundamentals","category":"Systems",)"
                 R"("level":"intermediate","rating":4.8,"weeks":10,"enrolled":1037,)"
                 R"("published":{"$date":"2026-02-11T09:00:00.000Z"},)"
                 R"("tags":["replication","consensus","sharding","raft","paxos"],)"
                 R"("instructor":{"name":"Prof. Lin Wei","email":"lin.wei@stargrad.example",)"
                 R"("office":{"building":"B","floor":3},"rating":4.75},)"
                 R"("description":"Replicated state machines, leader election and quorums.",)"
                 R"("sessions":)" +
                 sessionsJson() + "}");
    return doc;
}

void setDocCounters(benchmark::State& state) {
    state.counters["doc_bytes"] = static_cast<double>(courseDocument().size());
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// --- peers -------------------------------------------------------------------------------------

size_t walk(const bson_iter_t& start) {
    bson_iter_t it = start;
    size_t n = 0;
    while (bson_iter_next(&it)) {
        ++n;
        if (BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it)) {
            bson_iter_t child;
            if (bson_iter_recurse(&it, &child)) n += walk(child);
        } else if (BSON_ITER_HOLDS_UTF8(&it)) {
            uint32_t len = 0;
            n += bson_iter_utf8(&it, &len)[0] == 'x';  // touch the value like a comparison would
        }
    }
    return n;
}

void BM_Peer_IterWalk(benchmark::State& state) {
    const BsonObj& doc = courseDocument();
    for (auto _ : state) {
        bson_iter_t it;
        doc.view().iterInit(&it);
        benchmark::DoNotOptimize(walk(it));
    }
    setDocCounters(state);
}
BENCHMARK(BM_Peer_IterWalk);

void BM_Peer_Copy(benchmark::State& state) {
    const BsonObj& doc = courseDocument();
    for (auto _ : state) {
        BsonObj copy = BsonObj::copyOf(doc.view());
        benchmark::DoNotOptimize(copy.data());
    }
    setDocCounters(state);
}
BENCHMARK(BM_Peer_Copy);

// --- matcher -----------------------------------------------------------------------------------

void matchBench(benchmark::State& state, const char* filterJson, bool expected) {
    auto filter = parseFilter(fromJson(filterJson));
    if (!filter.isOK()) {
        state.SkipWithError(filter.getStatus().toString().c_str());
        return;
    }
    const BsonObj& doc = courseDocument();
    if (filter.getValue()->matches(doc) != expected) {
        state.SkipWithError("unexpected match result");
        return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(filter.getValue()->matches(doc));
    setDocCounters(state);
}

BENCHMARK_CAPTURE(matchBench, Eq_TopLevel, R"({"level":"intermediate"})", true);
BENCHMARK_CAPTURE(matchBench, Range_NestedPath, R"({"instructor.office.floor":{"$gte":2,"$lt":5}})",
                  true);
BENCHMARK_CAPTURE(matchBench, In_10,
                  R"({"category":{"$in":["Art","Biology","Chemistry","Data","Economics",)"
                  R"("French","Geology","History","Music","Systems"]}})",
                  true);
// No session matches, so every one of the 10 subdocuments is tested.
BENCHMARK_CAPTURE(matchBench, ElemMatch_10Subdocs,
                  R"({"sessions":{"$elemMatch":{"minutes":{"$gt":90},"published":true}}})", false);
BENCHMARK_CAPTURE(matchBench, Regex_Prefix, R"({"title":{"$regex":"^Distrib"}})", true);
// The first two branches fail; the third matches the third tag.
BENCHMARK_CAPTURE(matchBench, Or_3,
                  R"({"$or":[{"level":"advanced"},{"rating":{"$gte":4.9}},{"tags":"sharding"}]})",
                  true);

// --- update engine -----------------------------------------------------------------------------

void updateBench(benchmark::State& state, const char* updateJson, const char* arrayFiltersJson) {
    BsonObj update = fromJson(updateJson);
    std::optional<BsonObj> filters;
    if (arrayFiltersJson) filters = fromJson(arrayFiltersJson);
    auto spec = UpdateSpec::parse(
        update, filters ? std::optional<BsonView>(filters->view()) : std::nullopt);
    if (!spec.isOK()) {
        state.SkipWithError(spec.getStatus().toString().c_str());
        return;
    }
    const BsonObj& doc = courseDocument();
    auto once = spec.getValue().apply(doc);
    if (!once.isOK() || once.getValue().view().binaryEqual(doc.view())) {
        state.SkipWithError("update failed or changed nothing");
        return;
    }
    for (auto _ : state) {
        auto out = spec.getValue().apply(doc);
        benchmark::DoNotOptimize(out);
    }
    setDocCounters(state);
}

BENCHMARK_CAPTURE(updateBench, Set_OneField, R"({"$set":{"level":"advanced"}})", nullptr);
BENCHMARK_CAPTURE(updateBench, Inc_Nested, R"({"$inc":{"instructor.office.floor":1}})", nullptr);
BENCHMARK_CAPTURE(updateBench, Push_EachSlice,
                  R"({"$push":{"tags":{"$each":["labs","quorums"],"$slice":-5}}})", nullptr);
// arrayFilters is an array; the JSON parser takes objects, so it is given as {"0": ...}.
BENCHMARK_CAPTURE(updateBench, ArrayFilters_Set, R"({"$set":{"sessions.$[s].published":false}})",
                  R"({"0":{"s.week":{"$gte":5}}})");

}  // namespace
}  // namespace mongosd::query

BENCHMARK_MAIN();
