// Durability through real process deaths: clean restarts keep data, and after kill -9 every
// write acknowledged with j:true is there and nothing is half-applied.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "tests/support/json_util.h"
#include "tests/support/server_process.h"

namespace mongosd::test {
namespace {

std::string body(const std::string& fields) {
    return R"({"database": "crash", "collection": "c", )" + fields + "}";
}

// A payload derived from the id, so a half-written document is detectable.
std::string payloadFor(const std::string& id) {
    std::string p;
    uint32_t h = 2166136261u;
    for (char c : id) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
    for (int i = 0; i < 40; ++i) p += static_cast<char>('a' + (h >> (i % 28)) % 26);
    return p;
}

TEST(Restart, CleanShutdownKeepsData) {
    TempDir dir;
    std::string db = dir.path() + "/db";
    {
        ServerProcess server(db);
        HttpClient http(server.httpPort());
        std::string docs;
        for (int i = 0; i < 100; ++i)
            docs += (i ? "," : "") + std::string(R"({"_id": )") + std::to_string(i) + R"(, "v": "x"})";
        auto r = http.post("/api/v1/action/insertMany", body("\"documents\": [" + docs + "]"));
        ASSERT_EQ(r.status, 200) << r.body;
        r = http.post("/api/v1/action/updateOne",
                      body(R"("filter": {"_id": 5}, "update": {"$set": {"v": "changed"}})"));
        ASSERT_EQ(r.status, 200) << r.body;
        r = http.post("/api/v1/action/deleteOne", body(R"("filter": {"_id": 6})"));
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(server.stop(), 0);
    }
    ServerProcess server(db);
    HttpClient http(server.httpPort());
    auto r = http.post("/api/v1/action/countDocuments", body("\"filter\": {}"));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(getInt(parseJson(r.body), "count"), 99);
    r = http.post("/api/v1/action/findOne", body(R"("filter": {"_id": 5})"));
    EXPECT_EQ(getString(parseJson(r.body), "document.v"), "changed");
    r = http.post("/api/v1/action/findOne", body(R"("filter": {"_id": 6})"));
    EXPECT_TRUE(isNullAt(parseJson(r.body), "document"));
}

struct Acked {
    std::mutex mu;
    std::vector<std::string> ids;
    std::map<int, int64_t> counterAcked;    // thread -> acknowledged increments
    std::map<int, int64_t> counterStarted;  // thread -> increments sent
};

void writer(uint16_t port, int thread, int cycle, std::atomic<bool>& stop, Acked& acked) {
    HttpClient http(port);
    for (int seq = 0; !stop.load(); ++seq) {
        std::string id = "c" + std::to_string(cycle) + "-t" + std::to_string(thread) + "-" + std::to_string(seq);
        auto r = http.post("/api/v1/action/insertOne",
                           body(R"("document": {"_id": ")" + id + R"(", "payload": ")" + payloadFor(id) +
                                R"("}, "writeConcern": {"w": 1, "j": true})"));
        if (r.status != 200) return;  // the server died under us
        {
            std::lock_guard lk(acked.mu);
            acked.ids.push_back(id);
            acked.counterStarted[thread]++;
        }
        r = http.post("/api/v1/action/updateOne",
                      body(R"("filter": {"_id": "counter-)" + std::to_string(thread) +
                           R"("}, "update": {"$inc": {"n": 1}}, "upsert": true, "writeConcern": {"j": true})"));
        if (r.status != 200) return;
        std::lock_guard lk(acked.mu);
        acked.counterAcked[thread]++;
    }
}

TEST(Crash, Kill9KeepsEveryAcknowledgedJournaledWrite) {
    TempDir dir;
    std::string db = dir.path() + "/db";
    std::mt19937 rng(std::random_device{}());
    Acked acked;
    constexpr int kThreads = 4;
    constexpr int kCycles = 5;
    for (int cycle = 0; cycle < kCycles; ++cycle) {
        // Frequent checkpoints so crashes land before, during and after them.
        ServerProcess server(db, {"--checkpoint-interval-ms", "300"});
        HttpClient check(server.httpPort());

        // Everything acknowledged in earlier cycles survived the previous crash.
        for (const auto& id : acked.ids) {
            auto r = check.post("/api/v1/action/findOne", body(R"("filter": {"_id": ")" + id + "\"}"));
            ASSERT_EQ(r.status, 200);
            BsonObj doc = parseJson(r.body);
            ASSERT_EQ(getString(doc, "document.payload"), payloadFor(id))
                << "acknowledged write " << id << " lost or damaged after crash " << cycle;
        }
        auto all = check.post("/api/v1/action/find", body(R"("filter": {}, "projection": {"payload": 1})"));
        ASSERT_EQ(all.status, 200);
        BsonObj docs = parseJson(all.body);
        int64_t n = countAt(docs, "documents");
        int64_t counters = 0;
        for (int64_t i = 0; i < n; ++i) {
            auto id = getString(docs, "documents." + std::to_string(i) + "._id");
            ASSERT_TRUE(id.has_value());
            if (id->rfind("counter-", 0) == 0) {
                ++counters;
                continue;
            }
            // Documents never acknowledged may exist (in flight at the kill), but whole.
            EXPECT_EQ(getString(docs, "documents." + std::to_string(i) + ".payload"), payloadFor(*id));
        }
        EXPECT_GE(n - counters, static_cast<int64_t>(acked.ids.size()));
        for (int t = 0; t < kThreads; ++t) {
            if (!acked.counterAcked.count(t)) continue;
            auto r = check.post("/api/v1/action/findOne",
                                body(R"("filter": {"_id": "counter-)" + std::to_string(t) + "\"}"));
            auto value = getInt(parseJson(r.body), "document.n");
            ASSERT_TRUE(value.has_value());
            EXPECT_GE(*value, acked.counterAcked[t]) << "acknowledged $inc lost";
            EXPECT_LE(*value, acked.counterStarted[t]) << "an increment applied twice";
        }

        std::atomic<bool> stop{false};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back(writer, server.httpPort(), t, cycle, std::ref(stop), std::ref(acked));
        std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 1200));
        server.kill9();
        stop = true;
        for (auto& th : threads) th.join();
    }
    std::printf("crash test: %zu journaled inserts acknowledged over %d kill -9 cycles\n", acked.ids.size(), kCycles);
    EXPECT_GT(acked.ids.size(), 20u) << "too few writes acknowledged to mean anything";
}

}  // namespace
}  // namespace mongosd::test
