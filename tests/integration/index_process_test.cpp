// Index builds through real process deaths, and the TTL monitor in a real server process.
// Index builds: a crash in the middle of a build leaves no index
// (and no half-built table in use), a crash after the build, before any checkpoint, comes back
// with the index rebuilt and in step with the writes replayed after it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <string>

#include "tests/support/json_util.h"
#include "tests/support/server_process.h"

namespace mongosd::test {
namespace {

HttpResult command(HttpClient& http, const std::string& cmd) {
    return http.post("/api/v1/command", cmd);
}

void insertDocs(HttpClient& http, int from, int to) {
    for (int first = from; first < to; first += 1000) {
        std::string docs;
        for (int i = first; i < std::min(to, first + 1000); ++i) {
            docs += (i > first ? "," : "") + std::string(R"({"_id": )") + std::to_string(i) +
                    R"(, "k": )" + std::to_string(i % 97) + R"(, "tags": [)" +
                    std::to_string(i % 5) + "," + std::to_string(i % 3) + "]}";
        }
        auto r = command(http, R"({"insert": "c", "documents": [)" + docs +
                                   R"(], "writeConcern": {"j": true}, "$db": "t"})");
        ASSERT_EQ(r.status, 200) << r.body;
    }
}

void expectValid(HttpClient& http, int64_t nrecords) {
    auto r = command(http, R"({"validate": "c", "$db": "t"})");
    ASSERT_EQ(r.status, 200) << r.body;
    BsonObj reply = parseJson(r.body);
    bson_iter_t valid;
    ASSERT_TRUE(findPath(reply.view(), "valid", &valid));
    EXPECT_TRUE(bson_iter_as_bool(&valid)) << r.body;
    EXPECT_EQ(getInt(reply.view(), "nrecords"), nrecords);
}

int64_t recoveryCounter(HttpClient& http, const std::string& name) {
    auto r = command(http, R"({"serverStatus": 1, "$db": "admin"})");
    return getInt(parseJson(r.body), "storageEngine.recovery." + name).value_or(-1);
}

int64_t indexCount(HttpClient& http) {
    auto r = command(http, R"({"listIndexes": "c", "$db": "t"})");
    return countAt(parseJson(r.body), "cursor.firstBatch");
}

TEST(IndexCrash, CrashInTheMiddleOfABuildLeavesNoIndex) {
    TempDir dir;
    const std::string db = dir.path() + "/db";
    {
        ServerProcess server(db, {"--failpoint", "indexBuildCrashAfterRows=5000"});
        HttpClient http(server.httpPort());
        insertDocs(http, 0, 12000);
        // 24,000 keys to write: the server dies after 5,000 of them.
        auto r = command(http, R"({"createIndexes": "c", "indexes": [{"key": {"tags": 1}}], "$db": "t"})");
        EXPECT_EQ(r.status, 0) << "the build should have crashed the server: " << r.body;
        for (int i = 0; i < 100 && server.running(); ++i) usleep(50 * 1000);
        EXPECT_FALSE(server.running());
    }
    ServerProcess server(db);
    HttpClient http(server.httpPort());
    EXPECT_EQ(indexCount(http), 1);  // only _id_
    EXPECT_EQ(recoveryCounter(http, "orphanTablesDropped"), 1);  // the half-built index table
    expectValid(http, 12000);
    auto r = command(http, R"({"createIndexes": "c", "indexes": [{"key": {"tags": 1}}], "$db": "t"})");
    ASSERT_EQ(r.status, 200) << r.body;
    expectValid(http, 12000);
    r = command(http, R"({"count": "c", "query": {"tags": 4}, "$db": "t"})");
    EXPECT_EQ(getInt(parseJson(r.body), "n"), 12000 / 5);
}

TEST(IndexCrash, CrashAfterABuildRebuildsTheIndexAndReplaysWrites) {
    TempDir dir;
    const std::string db = dir.path() + "/db";
    {
        // No checkpoint runs during the test: everything after startup is replayed.
        ServerProcess server(db, {"--checkpoint-interval-ms", "3600000"});
        HttpClient http(server.httpPort());
        insertDocs(http, 0, 3000);
        auto r = command(http, R"({"createIndexes": "c", "indexes": [{"key": {"k": 1}}, {"key": {"tags": -1}, "name": "tags"}], "$db": "t"})");
        ASSERT_EQ(r.status, 200) << r.body;
        insertDocs(http, 3000, 4000);
        r = command(http, R"({"update": "c", "updates": [{"q": {"k": 5}, "u": {"$set": {"k": 500, "tags": [9]}}, "multi": true}], "writeConcern": {"j": true}, "$db": "t"})");
        ASSERT_EQ(r.status, 200) << r.body;
        r = command(http, R"({"delete": "c", "deletes": [{"q": {"k": 6}, "limit": 0}], "writeConcern": {"j": true}, "$db": "t"})");
        ASSERT_EQ(r.status, 200) << r.body;
        server.kill9();
    }
    ServerProcess server(db);
    HttpClient http(server.httpPort());
    EXPECT_EQ(indexCount(http), 3);
    EXPECT_EQ(recoveryCounter(http, "indexesRebuilt"), 2);
    EXPECT_GT(recoveryCounter(http, "entriesReplayed"), 4000);
    const int64_t k6 = 4000 / 97 + (4000 % 97 > 6 ? 1 : 0);
    expectValid(http, 4000 - k6);
    auto r = command(http, R"({"count": "c", "query": {"k": 500}, "$db": "t"})");
    EXPECT_EQ(getInt(parseJson(r.body), "n"), 4000 / 97 + (4000 % 97 > 5 ? 1 : 0));
    r = command(http, R"({"count": "c", "query": {"tags": 9}, "hint": "tags", "$db": "t"})");
    EXPECT_EQ(getInt(parseJson(r.body), "n"), 4000 / 97 + (4000 % 97 > 5 ? 1 : 0));
    r = command(http, R"({"explain": {"find": "c", "filter": {"k": 6}}, "verbosity": "executionStats", "$db": "t"})");
    BsonObj explain = parseJson(r.body);
    EXPECT_EQ(getString(explain.view(), "queryPlanner.winningPlan.inputStage.stage"), "IXSCAN") << r.body;
    EXPECT_EQ(getInt(explain.view(), "executionStats.nReturned"), 0);
}

// The TTL monitor's own thread (every 300 ms here) deletes expired documents.
TEST(TtlMonitor, BackgroundPassesDeleteExpiredDocuments) {
    TempDir dir;
    ServerProcess server(dir.path() + "/db", {"--ttl-monitor-interval-ms", "300"});
    HttpClient http(server.httpPort());
    auto r = command(http, R"({"insert": "c", "documents": [
        {"_id": 1, "at": {"$date": "2020-01-01T00:00:00Z"}},
        {"_id": 2, "at": {"$date": "2021-01-01T00:00:00Z"}},
        {"_id": 3, "at": {"$date": "2100-01-01T00:00:00Z"}}], "$db": "t"})");
    ASSERT_EQ(r.status, 200) << r.body;
    r = command(http, R"({"createIndexes": "c", "indexes": [{"key": {"at": 1}, "expireAfterSeconds": 60}], "$db": "t"})");
    ASSERT_EQ(r.status, 200) << r.body;
    int64_t left = -1;
    for (int i = 0; i < 100 && left != 1; ++i) {
        usleep(100 * 1000);
        r = command(http, R"({"count": "c", "query": {}, "$db": "t"})");
        left = getInt(parseJson(r.body), "n").value_or(-1);
    }
    EXPECT_EQ(left, 1);
    r = command(http, R"({"serverStatus": 1, "$db": "admin"})");
    EXPECT_EQ(getInt(parseJson(r.body), "metrics.ttl.deletedDocuments"), 2);
    expectValid(http, 1);
}

}  // namespace
}  // namespace mongosd::test
