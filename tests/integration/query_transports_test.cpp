// The query language through every transport of a real server: the same aggregation, projection,
// $expr filter and update pipeline answer the same documents over an HTTP Data API action,
// POST /api/v1/command and the binary protocol, and their errors carry the same code.
#include <gtest/gtest.h>

#include "common/bson.h"
#include "common/json/ejson.h"
#include "common/net/wire_client.h"
#include "tests/support/json_util.h"
#include "tests/support/server_process.h"

namespace mongosd::test {
namespace {

class QueryTransports : public ::testing::Test {
protected:
    void SetUp() override {
        server = std::make_unique<ServerProcess>(dir.path() + "/db");
        http = std::make_unique<HttpClient>(server->httpPort());
        auto c = net::WireClient::connect("127.0.0.1", server->port(), std::chrono::seconds(10));
        ASSERT_TRUE(c.isOK()) << c.getStatus().toString();
        wire = std::move(c.getValue());
        wireRun(R"({"insert": "courses", "$db": "stargrad", "documents": [
            {"_id": 1, "title": "Databases", "level": "beginner", "weeks": 6,
             "sessions": [{"week": 1, "min": 40}, {"week": 2, "min": 95}]},
            {"_id": 2, "title": "Distributed Systems", "level": "advanced", "weeks": 10,
             "sessions": [{"week": 1, "min": 120}]},
            {"_id": 3, "title": "Compilers", "level": "advanced", "weeks": 12, "sessions": []}]})");
        wireRun(R"({"insert": "enrollments", "$db": "stargrad", "documents": [
            {"_id": 10, "course": 1}, {"_id": 11, "course": 1}, {"_id": 12, "course": 2}]})");
    }

    BsonObj wireRun(const std::string& cmd) {
        auto reply = wire->runCommand(parseJson(cmd));
        EXPECT_TRUE(reply.isOK()) << reply.getStatus().toString();
        return reply.isOK() ? reply.getValue() : BsonObj();
    }
    // The reply of a command sent as POST /api/v1/command (any HTTP status).
    BsonObj httpCommand(const std::string& cmd, int* status = nullptr) {
        HttpResult r = http->post("/api/v1/command", cmd);
        if (status) *status = r.status;
        return parseJson(r.body);
    }
    BsonObj httpAction(const std::string& name, const std::string& fields, int* status = nullptr) {
        HttpResult r = http->post("/api/v1/action/" + name,
                                  R"({"database": "stargrad", "collection": "courses", )" +
                                      fields + "}");
        if (status) *status = r.status;
        return parseJson(r.body);
    }
    // The array at `path` as canonical Extended JSON, so types compare exactly.
    static std::string arrayAt(BsonView doc, const std::string& path) {
        bson_iter_t it;
        if (!findPath(doc, path, &it) || !BSON_ITER_HOLDS_ARRAY(&it)) return "<no array>";
        std::string out;
        json::appendJsonArray(subDocument(it), json::JsonMode::kCanonical, out);
        return out;
    }

    TempDir dir;
    std::unique_ptr<ServerProcess> server;
    std::unique_ptr<HttpClient> http;
    std::unique_ptr<net::WireClient> wire;
};

TEST_F(QueryTransports, AggregationAnswersTheSameEverywhere) {
    const std::string pipeline = R"([
        {"$lookup": {"from": "enrollments", "localField": "_id", "foreignField": "course",
                     "as": "enrolled"}},
        {"$addFields": {"students": {"$size": "$enrolled"}}},
        {"$group": {"_id": "$level", "courses": {"$sum": 1}, "students": {"$sum": "$students"},
                    "titles": {"$push": {"$toUpper": "$title"}}}},
        {"$sort": {"_id": 1}}])";
    BsonObj viaWire = wireRun(R"({"aggregate": "courses", "$db": "stargrad", "cursor": {},
                                  "pipeline": )" + pipeline + "}");
    BsonObj viaCommand = httpCommand(R"({"aggregate": "courses", "$db": "stargrad", "cursor": {},
                                         "pipeline": )" + pipeline + "}");
    BsonObj viaAction = httpAction("aggregate", R"("pipeline": )" + pipeline);

    std::string expected = arrayAt(viaWire, "cursor.firstBatch");
    EXPECT_EQ(getString(viaWire, "cursor.firstBatch.0._id"), "advanced");
    EXPECT_EQ(getInt(viaWire, "cursor.firstBatch.0.courses"), 2);
    EXPECT_EQ(getInt(viaWire, "cursor.firstBatch.0.students"), 1);
    EXPECT_EQ(getString(viaWire, "cursor.firstBatch.0.titles.0"), "DISTRIBUTED SYSTEMS");
    EXPECT_EQ(getInt(viaWire, "cursor.firstBatch.1.students"), 2);
    EXPECT_EQ(arrayAt(viaCommand, "cursor.firstBatch"), expected);
    EXPECT_EQ(arrayAt(viaAction, "documents"), expected);
}

TEST_F(QueryTransports, FindLanguageAnswersTheSameEverywhere) {
    // $expr comparing two fields, positional projection of the matched session, a computed field.
    const std::string filter =
        R"({"$expr": {"$gt": ["$weeks", 7]}, "sessions.min": {"$gt": 100}})";
    const std::string projection =
        R"({"title": 1, "sessions.$": 1, "hours": {"$divide": ["$weeks", 2]}})";
    BsonObj viaWire = wireRun(R"({"find": "courses", "$db": "stargrad", "filter": )" + filter +
                              R"(, "projection": )" + projection + "}");
    BsonObj viaCommand = httpCommand(R"({"find": "courses", "$db": "stargrad", "filter": )" +
                                     filter + R"(, "projection": )" + projection + "}");
    BsonObj viaAction =
        httpAction("find", R"("filter": )" + filter + R"(, "projection": )" + projection);

    std::string expected = arrayAt(viaWire, "cursor.firstBatch");
    EXPECT_EQ(expected,
              R"([{"_id":{"$numberInt":"2"},"title":"Distributed Systems",)"
              R"("sessions":[{"week":{"$numberInt":"1"},"min":{"$numberInt":"120"}}],)"
              R"("hours":{"$numberDouble":"5.0"}}])");
    EXPECT_EQ(arrayAt(viaCommand, "cursor.firstBatch"), expected);
    EXPECT_EQ(arrayAt(viaAction, "documents"), expected);
}

TEST_F(QueryTransports, UpdatePipelineOverHttpIsSeenOverTheWire) {
    int status = 0;
    BsonObj r = httpAction("updateMany",
                           R"("filter": {"level": "advanced"},
                              "update": [{"$set": {"hours": {"$multiply": ["$weeks", 3]}}},
                                         {"$unset": "sessions"}])",
                           &status);
    ASSERT_EQ(status, 200) << json::toJson(r);
    EXPECT_EQ(getInt(r, "matchedCount"), 2);
    EXPECT_EQ(getInt(r, "modifiedCount"), 2);
    BsonObj seen = wireRun(
        R"({"find": "courses", "$db": "stargrad", "filter": {"hours": {"$exists": true}},
            "projection": {"hours": 1, "sessions": 1}})");
    EXPECT_EQ(arrayAt(seen, "cursor.firstBatch"),
              R"([{"_id":{"$numberInt":"2"},"hours":{"$numberInt":"30"}},)"
              R"({"_id":{"$numberInt":"3"},"hours":{"$numberInt":"36"}}])");
}

TEST_F(QueryTransports, ErrorsCarryTheSameCodeEverywhere) {
    struct Case {
        const char* pipeline;
        int code;
    };
    const Case cases[] = {
        {R"([{"$nosuchstage": {}}])", 40324},                      // unrecognised stage
        {R"([{"$group": {"_id": null, "x": {"$nosuchacc": 1}}}])", 15952},  // unknown accumulator
        {R"([{"$project": {"x": {"$nosuchop": 1}}}])", 31325},  // unknown projection operator
        {R"([{"$out": "other"}, {"$match": {}}])", 40601},          // $out not last
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.pipeline);
        BsonObj viaWire = wire->runCommand(parseJson(std::string(R"({"aggregate": "courses",
            "$db": "stargrad", "cursor": {}, "pipeline": )") + c.pipeline + "}"))
                              .getValue();
        EXPECT_EQ(getInt(viaWire, "code"), c.code) << json::toJson(viaWire);
        int status = 0;
        BsonObj viaCommand = httpCommand(std::string(R"({"aggregate": "courses",
            "$db": "stargrad", "cursor": {}, "pipeline": )") + c.pipeline + "}",
                                         &status);
        EXPECT_EQ(status, 400);
        EXPECT_EQ(getInt(viaCommand, "code"), c.code) << json::toJson(viaCommand);
        BsonObj viaAction = httpAction("aggregate", std::string(R"("pipeline": )") + c.pipeline,
                                       &status);
        EXPECT_EQ(status, 400);
        EXPECT_EQ(getInt(viaAction, "code"), c.code) << json::toJson(viaAction);
    }
    // A filter whose $expr fails at run time: the query fails, the server keeps serving.
    int status = 0;
    BsonObj bad = httpAction("find", R"("filter": {"$expr": {"$add": ["$title", 1]}})", &status);
    EXPECT_EQ(status, 400) << json::toJson(bad);
    EXPECT_TRUE(getInt(bad, "code").has_value());
    EXPECT_EQ(http->get("/api/v1/health").status, 200);
}

}  // namespace
}  // namespace mongosd::test
