// Extended JSON codec benchmarks on a YCSB-shaped document (_id + 10 string fields of 100 bytes,
// ~1.1 KB), next to libbson's own JSON reader and writer as the peer.
//   build-release/bin/json_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "common/bson.h"
#include "common/json/ejson.h"

namespace mongosd::json {
namespace {

// Deterministic YCSB-like record: printable ASCII values like YCSB's random byte strings.
BsonObj ycsbDocument() {
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> printable(' ', '~');
    BsonBuilder b;
    b.appendString("_id", "user6284781860667377211");
    for (int f = 0; f < 10; ++f) {
        std::string value(100, ' ');
        for (char& c : value) c = static_cast<char>(printable(rng));
        b.appendString("field" + std::to_string(f), value);
    }
    return b.obj();
}

// A mixed document: numbers, a date, an ObjectId, nesting, an array.
BsonObj mixedDocument() {
    auto r = parseJsonObject(
        R"({"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"title":"Intro to Databases",)"
        R"("level":2,"credits":3.5,"enrolled":5000000000,"open":true,"room":null,)"
        R"("start":{"$date":"2026-01-02T03:04:05.678Z"},"tags":["db","sql","storage",1,2,3],)"
        R"("teacher":{"name":"Ada","office":{"building":"B","floor":3},"rating":4.75},)"
        R"("sessions":[{"day":1,"slot":"09:00"},{"day":3,"slot":"11:00"}]})");
    return r.getValue();
}

void parseBench(benchmark::State& state, const BsonObj& doc) {
    std::string json = toJson(doc);
    for (auto _ : state) {
        auto r = parseJsonObject(json);
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
    state.counters["json_bytes"] = static_cast<double>(json.size());
}

void writeBench(benchmark::State& state, const BsonObj& doc, JsonMode mode) {
    std::string out;
    for (auto _ : state) {
        out.clear();
        appendJson(doc, mode, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}

void BM_ParseYcsb(benchmark::State& state) { parseBench(state, ycsbDocument()); }
void BM_ParseMixed(benchmark::State& state) { parseBench(state, mixedDocument()); }
void BM_WriteYcsbRelaxed(benchmark::State& state) {
    writeBench(state, ycsbDocument(), JsonMode::kRelaxed);
}
void BM_WriteYcsbCanonical(benchmark::State& state) {
    writeBench(state, ycsbDocument(), JsonMode::kCanonical);
}
void BM_WriteMixedRelaxed(benchmark::State& state) {
    writeBench(state, mixedDocument(), JsonMode::kRelaxed);
}
// toJson() as a server would call it: a fresh string per document.
void BM_ToJsonYcsb(benchmark::State& state) {
    BsonObj doc = ycsbDocument();
    for (auto _ : state) benchmark::DoNotOptimize(toJson(doc));
}

// Peer: libbson's Relaxed Extended JSON writer.
void libbsonWrite(benchmark::State& state, const BsonObj& doc) {
    bson_t b = doc.view().asBsonT();
    size_t len = 0;
    for (auto _ : state) {
        char* json = bson_as_relaxed_extended_json(&b, &len);
        benchmark::DoNotOptimize(json);
        bson_free(json);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len));
}
void BM_LibbsonWriteYcsbRelaxed(benchmark::State& state) { libbsonWrite(state, ycsbDocument()); }
void BM_LibbsonWriteMixedRelaxed(benchmark::State& state) { libbsonWrite(state, mixedDocument()); }

// Peer: libbson's JSON reader.
void libbsonParse(benchmark::State& state, const BsonObj& doc) {
    std::string json = toJson(doc);
    for (auto _ : state) {
        bson_error_t error;
        bson_t* b = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                       static_cast<ssize_t>(json.size()), &error);
        benchmark::DoNotOptimize(b);
        bson_destroy(b);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
void BM_LibbsonParseYcsb(benchmark::State& state) { libbsonParse(state, ycsbDocument()); }
void BM_LibbsonParseMixed(benchmark::State& state) { libbsonParse(state, mixedDocument()); }

BENCHMARK(BM_ParseYcsb);
BENCHMARK(BM_LibbsonParseYcsb);
BENCHMARK(BM_WriteYcsbRelaxed);
BENCHMARK(BM_WriteYcsbCanonical);
BENCHMARK(BM_ToJsonYcsb);
BENCHMARK(BM_LibbsonWriteYcsbRelaxed);
BENCHMARK(BM_ParseMixed);
BENCHMARK(BM_LibbsonParseMixed);
BENCHMARK(BM_WriteMixedRelaxed);
BENCHMARK(BM_LibbsonWriteMixedRelaxed);

}  // namespace
}  // namespace mongosd::json

BENCHMARK_MAIN();
