// CRUD through the HTTP API of a real `mongosd shard` process.
#include <gtest/gtest.h>

#include "tests/support/json_util.h"
#include "tests/support/server_process.h"

namespace mongosd::test {
namespace {

class HttpCrud : public ::testing::Test {
protected:
    void SetUp() override {
        server = std::make_unique<ServerProcess>(dir.path() + "/db");
        http = std::make_unique<HttpClient>(server->httpPort());
    }
    // POSTs an action on stargrad.courses with extra body fields.
    HttpResult action(const std::string& name, const std::string& fields) {
        std::string body = R"({"database": "stargrad", "collection": "courses")";
        if (!fields.empty()) body += ", " + fields;
        body += "}";
        return http->post("/api/v1/action/" + name, body);
    }
    BsonObj ok(const HttpResult& r) {
        EXPECT_EQ(r.status, 200) << r.body;
        return parseJson(r.body);
    }

    TempDir dir;
    std::unique_ptr<ServerProcess> server;
    std::unique_ptr<HttpClient> http;
};

TEST_F(HttpCrud, HealthAnswers) {
    auto r = http->get("/api/v1/health");
    ASSERT_EQ(r.status, 200);
    BsonObj b = parseJson(r.body);
    EXPECT_EQ(getInt(b, "ok"), 1);
    EXPECT_EQ(getString(b, "role"), "shard");
    EXPECT_TRUE(getString(b, "version").has_value());
}

TEST_F(HttpCrud, InsertFindUpdateDelete) {
    BsonObj ins = ok(action("insertOne", R"("document": {"_id": 1, "title": "Databases", "level": "beginner", "meta": {"weeks": 6}})"));
    EXPECT_EQ(getInt(ins, "insertedId"), 1);

    BsonObj many = ok(action("insertMany", R"("documents": [
        {"_id": 2, "title": "Distributed Systems", "level": "advanced", "tags": ["db", "net"]},
        {"_id": 3, "title": "Compilers", "level": "advanced", "meta": {"weeks": 10}},
        {"title": "Auto id", "level": "beginner"}])"));
    ASSERT_EQ(countAt(many, "insertedIds"), 3);
    bson_iter_t autoId;
    ASSERT_TRUE(findPath(many, "insertedIds.2", &autoId));
    EXPECT_TRUE(BSON_ITER_HOLDS_OID(&autoId));

    BsonObj one = ok(action("findOne", R"("filter": {"_id": 2})"));
    EXPECT_EQ(getString(one, "document.title"), "Distributed Systems");

    BsonObj adv = ok(action("find", R"("filter": {"level": "advanced"}, "projection": {"title": 1}, "sort": {"title": 1})"));
    ASSERT_EQ(countAt(adv, "documents"), 2);
    EXPECT_EQ(getString(adv, "documents.0.title"), "Compilers");
    EXPECT_EQ(getString(adv, "documents.1.title"), "Distributed Systems");
    EXPECT_FALSE(getString(adv, "documents.0.level").has_value()) << "projection kept level";

    // Dotted path and array element equality.
    EXPECT_EQ(countAt(ok(action("find", R"("filter": {"meta.weeks": 10})")), "documents"), 1);
    EXPECT_EQ(countAt(ok(action("find", R"("filter": {"tags": "net"})")), "documents"), 1);

    BsonObj upd = ok(action("updateOne", R"("filter": {"_id": 1}, "update": {"$set": {"level": "intermediate", "meta.weeks": 8}, "$inc": {"enrolled": 5}})"));
    EXPECT_EQ(getInt(upd, "matchedCount"), 1);
    EXPECT_EQ(getInt(upd, "modifiedCount"), 1);
    BsonObj after = ok(action("findOne", R"("filter": {"_id": 1})"));
    EXPECT_EQ(getString(after, "document.level"), "intermediate");
    EXPECT_EQ(getInt(after, "document.meta.weeks"), 8);
    EXPECT_EQ(getInt(after, "document.enrolled"), 5);

    ok(action("updateOne", R"("filter": {"_id": 1}, "update": {"$unset": {"meta": ""}, "$inc": {"enrolled": -2}})"));
    after = ok(action("findOne", R"("filter": {"_id": 1})"));
    EXPECT_FALSE(findPath(after, "document.meta", &autoId));
    EXPECT_EQ(getInt(after, "document.enrolled"), 3);

    BsonObj updMany = ok(action("updateMany", R"("filter": {"level": "advanced"}, "update": {"$set": {"hard": true}})"));
    EXPECT_EQ(getInt(updMany, "matchedCount"), 2);
    EXPECT_EQ(getInt(updMany, "modifiedCount"), 2);

    BsonObj ups = ok(action("updateOne", R"("filter": {"_id": 9}, "update": {"$set": {"title": "Upserted"}}, "upsert": true)"));
    EXPECT_EQ(getInt(ups, "matchedCount"), 0);
    EXPECT_EQ(getInt(ups, "upsertedId"), 9);

    BsonObj rep = ok(action("replaceOne", R"("filter": {"_id": 9}, "replacement": {"title": "Replaced"})"));
    EXPECT_EQ(getInt(rep, "modifiedCount"), 1);
    EXPECT_EQ(getString(ok(action("findOne", R"("filter": {"_id": 9})")), "document.title"), "Replaced");

    EXPECT_EQ(getInt(ok(action("countDocuments", R"("filter": {"level": "advanced"})")), "count"), 2);
    EXPECT_EQ(getInt(ok(action("estimatedDocumentCount", "")), "count"), 5);
    BsonObj distinct = ok(action("distinct", R"("key": "level")"));
    // advanced, beginner, intermediate, in comparison order (one document has no level)
    ASSERT_EQ(countAt(distinct, "values"), 3);
    EXPECT_EQ(getString(distinct, "values.0"), "advanced");
    EXPECT_EQ(getString(distinct, "values.2"), "intermediate");

    BsonObj fam = ok(action("findOneAndUpdate", R"("filter": {"_id": 2}, "update": {"$inc": {"views": 1}}, "returnDocument": "after")"));
    EXPECT_EQ(getInt(fam, "document.views"), 1);
    BsonObj famDel = ok(action("findOneAndDelete", R"("filter": {"_id": 3})"));
    EXPECT_EQ(getString(famDel, "document.title"), "Compilers");

    BsonObj agg = ok(action("aggregate", R"("pipeline": [{"$match": {"level": "advanced"}}, {"$count": "n"}])"));
    EXPECT_EQ(getInt(agg, "documents.0.n"), 1);

    BsonObj del = ok(action("deleteMany", R"("filter": {"level": "beginner"})"));
    EXPECT_EQ(getInt(del, "deletedCount"), 1);
    BsonObj delOne = ok(action("deleteOne", R"("filter": {"_id": 2})"));
    EXPECT_EQ(getInt(delOne, "deletedCount"), 1);
    EXPECT_TRUE(isNullAt(ok(action("findOne", R"("filter": {"_id": 2})")), "document"));
}

TEST_F(HttpCrud, CursorPagingWithGetMore) {
    std::string docs;
    for (int i = 0; i < 250; ++i) docs += (i ? "," : "") + std::string(R"({"_id": )") + std::to_string(i) + "}";
    ok(action("insertMany", "\"documents\": [" + docs + "]"));
    BsonObj first = ok(action("find", R"("batchSize": 100)"));
    ASSERT_EQ(countAt(first, "documents"), 100);
    auto cursorId = getString(first, "cursorId");
    ASSERT_TRUE(cursorId.has_value());
    int64_t seen = 100;
    while (cursorId) {
        BsonObj more = ok(action("getMore", R"("cursorId": ")" + *cursorId + R"(", "batchSize": 100)"));
        seen += countAt(more, "documents");
        cursorId = getString(more, "cursorId");
    }
    EXPECT_EQ(seen, 250);
    // The exhausted cursor is gone.
    auto gone = action("getMore", R"("cursorId": ")" + *getString(first, "cursorId") + "\"");
    EXPECT_EQ(gone.status, 404);
    EXPECT_EQ(getString(parseJson(gone.body), "error_code"), "CursorNotFound");

    // Default find: one batch with every document (under 16 MiB), no cursor.
    BsonObj all = ok(action("find", ""));
    EXPECT_EQ(countAt(all, "documents"), 250);
    EXPECT_FALSE(getString(all, "cursorId").has_value());
}

TEST_F(HttpCrud, CommandEndpoint) {
    auto r = http->post("/api/v1/command",
                        R"({"insert": "courses", "documents": [{"_id": "c1", "rating": 4.5}], "$db": "stargrad"})");
    BsonObj ins = ok(r);
    EXPECT_EQ(getInt(ins, "n"), 1);
    EXPECT_EQ(getDouble(ins, "ok"), 1.0);
    BsonObj found = ok(http->post("/api/v1/command",
                                  R"({"find": "courses", "filter": {"_id": "c1"}, "$db": "stargrad"})"));
    EXPECT_EQ(getDouble(found, "cursor.firstBatch.0.rating"), 4.5);
    EXPECT_EQ(getInt(found, "cursor.id"), 0);
    EXPECT_EQ(getString(found, "cursor.ns"), "stargrad.courses");
    // Relaxed output keeps a double's fraction.
    auto raw = http->post("/api/v1/command", R"({"find": "courses", "$db": "stargrad"})");
    EXPECT_NE(raw.body.find("\"rating\":4.5"), std::string::npos) << raw.body;

    BsonObj dbs = ok(http->post("/api/v1/command", R"({"listDatabases": 1, "$db": "admin"})"));
    EXPECT_EQ(getString(dbs, "databases.0.name"), "stargrad");
    BsonObj colls = ok(http->post("/api/v1/command", R"({"listCollections": 1, "$db": "stargrad"})"));
    EXPECT_EQ(getString(colls, "cursor.firstBatch.0.name"), "courses");
    for (const char* c : {"ping", "hello", "buildInfo", "serverStatus"}) {
        BsonObj rep = ok(http->post("/api/v1/command",
                                    std::string("{\"") + c + R"(": 1, "$db": "admin"})"));
        EXPECT_EQ(getDouble(rep, "ok"), 1.0) << c;
    }
    ok(http->post("/api/v1/command", R"({"create": "lessons", "$db": "stargrad"})"));
    auto exists = http->post("/api/v1/command", R"({"create": "lessons", "$db": "stargrad"})");
    EXPECT_EQ(exists.status, 409);
    EXPECT_EQ(getInt(parseJson(exists.body), "code"), 48);
    ok(http->post("/api/v1/command", R"({"drop": "lessons", "$db": "stargrad"})"));
    BsonObj count = ok(http->post("/api/v1/command", R"({"count": "courses", "$db": "stargrad"})"));
    EXPECT_EQ(getInt(count, "n"), 1);
    ok(http->post("/api/v1/command", R"({"dropDatabase": 1, "$db": "stargrad"})"));
    count = ok(http->post("/api/v1/command", R"({"count": "courses", "$db": "stargrad"})"));
    EXPECT_EQ(getInt(count, "n"), 0);
}

TEST_F(HttpCrud, CanonicalOutputOnRequest) {
    ok(action("insertOne", R"("document": {"_id": 1, "n": 5, "big": {"$numberLong": "9000000000"}, "when": {"$date": "2026-01-02T03:04:05.678Z"}})"));
    HttpClient c(server->httpPort());
    // The client sends Accept through a raw request.
    std::string body = R"({"database":"stargrad","collection":"courses","filter":{"_id":1}})";
    auto r = c.raw("POST /api/v1/action/findOne HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Accept: application/ejson\r\nConnection: close\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.body.find(R"("$numberInt":"5")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("$numberLong":"9000000000")"), std::string::npos) << r.body;
    auto relaxed = action("findOne", R"("filter": {"_id": 1})");
    EXPECT_NE(relaxed.body.find(R"("when":{"$date":"2026-01-02T03:04:05.678Z"})"), std::string::npos)
        << relaxed.body;
}

}  // namespace
}  // namespace mongosd::test
