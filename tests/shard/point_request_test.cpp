// Which commands the binary-protocol server may run on its io thread (ShardService::
// isPointRequest): only bounded ones — a find pinned to one _id, and the handshake commands.
#include <gtest/gtest.h>

#include "shard/service.h"
#include "tests/support/json_util.h"

namespace mongosd::shard {
namespace {

bool isPoint(const std::string& json) {
    return ShardService::isPointRequest(test::parseJson(json).view());
}

TEST(PointRequest, OnlyBoundedCommands) {
    EXPECT_TRUE(isPoint(R"({"find": "c", "filter": {"_id": "user1"}, "$db": "d"})"));
    EXPECT_TRUE(isPoint(R"({"find": "c", "filter": {"_id": {"$eq": 5}}, "limit": 1, "$db": "d"})"));
    EXPECT_TRUE(isPoint(R"({"find": "c", "filter": {"_id": 5, "a": 1}, "$db": "d"})"));
    EXPECT_TRUE(isPoint(R"({"ping": 1, "$db": "admin"})"));
    EXPECT_TRUE(isPoint(R"({"hello": 1, "$db": "admin"})"));
    EXPECT_TRUE(isPoint(R"({"buildInfo": 1, "$db": "admin"})"));

    // Ranges, $in, other fields, no filter, a hint (may force another plan): the pool.
    EXPECT_FALSE(isPoint(R"({"find": "c", "filter": {"_id": {"$gte": 5}}, "$db": "d"})"));
    EXPECT_FALSE(isPoint(R"({"find": "c", "filter": {"_id": {"$in": [1, 2]}}, "$db": "d"})"));
    EXPECT_FALSE(isPoint(R"({"find": "c", "filter": {"a": 1}, "$db": "d"})"));
    // The IDHACK lookup reads _id at the top level only; a $and goes through the planner.
    EXPECT_FALSE(isPoint(R"({"find": "c", "filter": {"$and": [{"_id": 5}, {"a": 1}]}, "$db": "d"})"));
    EXPECT_FALSE(isPoint(R"({"find": "c", "$db": "d"})"));
    EXPECT_FALSE(isPoint(R"({"find": "c", "filter": {"_id": 1}, "hint": {"a": 1}, "$db": "d"})"));
    // Writes and everything else may block (write concern, locks, scans).
    EXPECT_FALSE(isPoint(R"({"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"a": 1}}}], "$db": "d"})"));
    EXPECT_FALSE(isPoint(R"({"insert": "c", "documents": [{"_id": 1}], "$db": "d"})"));
    EXPECT_FALSE(isPoint(R"({"aggregate": "c", "pipeline": [{"$match": {"_id": 1}}], "cursor": {}, "$db": "d"})"));
    EXPECT_FALSE(isPoint(R"({"getMore": 5, "collection": "c", "$db": "d"})"));
    EXPECT_FALSE(isPoint(R"({"find": "c", "filter": 5, "$db": "d"})"));
}

}  // namespace
}  // namespace mongosd::shard
