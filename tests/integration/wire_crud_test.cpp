// CRUD through the binary protocol (OP_MSG) against a real server.
#include <gtest/gtest.h>

#include "common/bson.h"
#include "common/json/ejson.h"
#include "common/net/wire_client.h"
#include "tests/support/json_util.h"
#include "tests/support/server_process.h"

namespace mongosd::test {
namespace {

class WireCrud : public ::testing::Test {
protected:
    void SetUp() override {
        server = std::make_unique<ServerProcess>(dir.path() + "/db");
        auto c = net::WireClient::connect("127.0.0.1", server->port(), std::chrono::seconds(10));
        ASSERT_TRUE(c.isOK()) << c.getStatus().toString();
        client = std::move(c.getValue());
    }
    BsonObj run(const std::string& cmdJson) {
        auto reply = client->runCommand(parseJson(cmdJson));
        EXPECT_TRUE(reply.isOK()) << reply.getStatus().toString();
        return reply.isOK() ? reply.getValue() : BsonObj();
    }

    TempDir dir;
    std::unique_ptr<ServerProcess> server;
    std::unique_ptr<net::WireClient> client;
};

TEST_F(WireCrud, InsertFindUpdateDelete) {
    BsonObj r = run(R"({"insert": "courses", "documents": [{"_id": 1, "t": "a"}, {"_id": 2, "t": "b"}], "$db": "sg"})");
    EXPECT_EQ(getInt(r, "n"), 2);
    r = run(R"({"find": "courses", "filter": {"t": "b"}, "$db": "sg"})");
    EXPECT_EQ(getInt(r, "cursor.firstBatch.0._id"), 2);
    r = run(R"({"update": "courses", "updates": [{"q": {"_id": 1}, "u": {"$set": {"t": "z"}}}], "$db": "sg"})");
    EXPECT_EQ(getInt(r, "nModified"), 1);
    r = run(R"({"find": "courses", "filter": {"_id": 1}, "$db": "sg"})");
    EXPECT_EQ(getString(r, "cursor.firstBatch.0.t"), "z");
    r = run(R"({"delete": "courses", "deletes": [{"q": {}, "limit": 0}], "$db": "sg"})");
    EXPECT_EQ(getInt(r, "n"), 2);
    r = run(R"({"count": "courses", "$db": "sg"})");
    EXPECT_EQ(getInt(r, "n"), 0);
}

TEST_F(WireCrud, ErrorsComeBackAsReplies) {
    BsonObj r = run(R"({"nosuchcommand": 1, "$db": "sg"})");
    EXPECT_EQ(getDouble(r, "ok"), 0.0);
    EXPECT_EQ(getInt(r, "code"), 59);
    EXPECT_EQ(getString(r, "codeName"), "CommandNotFound");
    run(R"({"insert": "c", "documents": [{"_id": 1}], "$db": "sg"})");
    r = run(R"({"insert": "c", "documents": [{"_id": 1}], "$db": "sg"})");
    EXPECT_EQ(getInt(r, "writeErrors.0.code"), 11000);
}

TEST_F(WireCrud, CursorsAcrossGetMore) {
    std::string docs;
    for (int i = 0; i < 300; ++i) docs += (i ? "," : "") + std::string("{\"_id\": ") + std::to_string(i) + "}";
    run(R"({"insert": "c", "documents": [)" + docs + R"(], "$db": "sg"})");
    BsonObj r = run(R"({"find": "c", "batchSize": 7, "$db": "sg"})");
    EXPECT_EQ(countAt(r, "cursor.firstBatch"), 7);
    bson_iter_t idIt;
    ASSERT_TRUE(findPath(r, "cursor.id", &idIt));
    int64_t id = bson_iter_int64(&idIt);
    ASSERT_NE(id, 0);
    int64_t seen = 7, last = 6;
    while (id != 0) {
        BsonBuilder gm;
        gm.appendInt64("getMore", id).appendString("collection", "c").appendInt32("batchSize", 50);
        gm.appendString("$db", "sg");
        auto more = client->runCommand(gm.obj());
        ASSERT_TRUE(more.isOK());
        int64_t n = countAt(more.getValue(), "cursor.nextBatch");
        for (int64_t i = 0; i < n; ++i) {
            auto v = getInt(more.getValue(), "cursor.nextBatch." + std::to_string(i) + "._id");
            ASSERT_TRUE(v.has_value());
            EXPECT_EQ(*v, last + 1) << "results out of order or repeated";
            last = *v;
        }
        seen += n;
        findPath(more.getValue(), "cursor.id", &idIt);
        id = bson_iter_int64(&idIt);
    }
    EXPECT_EQ(seen, 300);
}

}  // namespace
}  // namespace mongosd::test
