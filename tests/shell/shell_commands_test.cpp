// Shell statements mapped to the commands they send.
#include <gtest/gtest.h>

#include "common/json/ejson.h"
#include "shell/shell_commands.h"

namespace mongosd::shell {
namespace {

std::string commandOf(std::string_view text, const std::string& db = "stargrad") {
    auto st = parseStatement(text);
    EXPECT_TRUE(st.isOK()) << st.getStatus().toString();
    if (!st.isOK()) return "";
    auto plan = commandFor(st.getValue(), db);
    if (!plan.isOK()) return plan.getStatus().toString();
    return json::toJson(plan.getValue().command.view());
}

TEST(ShellCommands, FindWithCursorMethods) {
    EXPECT_EQ(commandOf("db.courses.find({level: 'x'}, {title: 1}).sort({rating: -1}).limit(5)"),
              R"({"find":"courses","filter":{"level":"x"},"projection":{"title":1},)"
              R"("sort":{"rating":-1},"limit":5,"batchSize":20,"$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.find().skip(2).hint('a_1')"),
              R"({"find":"c","filter":{},"skip":2,"hint":"a_1","batchSize":20,"$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.find({a: 1}).count()"),
              R"({"count":"c","query":{"a":1},"$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.find({a: 1}).explain()"),
              R"({"explain":{"find":"c","filter":{"a":1}},"verbosity":"queryPlanner","$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.findOne({a: 1})"),
              R"({"find":"c","filter":{"a":1},"limit":1,"singleBatch":true,"$db":"stargrad"})");
}

// As mongosh, the shell gives documents without an _id a fresh ObjectId (first field), so it can
// print insertedId(s); two documents get two different ids.
TEST(ShellCommands, InsertsNameTheirDocuments) {
    auto st = parseStatement("db.c.insertMany([{a: 1}, {_id: 5}, {b: 2}])");
    ASSERT_TRUE(st.isOK());
    auto plan = commandFor(st.getValue(), "d");
    ASSERT_TRUE(plan.isOK());
    bson_iter_t docs, d, id;
    ASSERT_TRUE(plan.getValue().command.view().find("documents", &docs));
    bson_iter_recurse(&docs, &d);
    std::vector<std::string> ids;
    while (bson_iter_next(&d)) {
        BsonView doc = subDocument(d);
        ASSERT_EQ(doc.firstFieldName(), "_id");
        ASSERT_TRUE(doc.find("_id", &id));
        ids.push_back(json::toJson(doc));
    }
    ASSERT_EQ(ids.size(), 3u);
    EXPECT_EQ(ids[0].substr(0, 16), R"({"_id":{"$oid":")");
    EXPECT_NE(ids[0].find(R"("a":1)"), std::string::npos);
    EXPECT_EQ(ids[1], R"({"_id":5})");
    EXPECT_EQ(ids[2].substr(0, 16), R"({"_id":{"$oid":")");
    EXPECT_NE(ids[0].substr(0, 40), ids[2].substr(0, 40));
}

TEST(ShellCommands, WritesIndexesAndAggregation) {
    EXPECT_EQ(commandOf("db.c.insertOne({_id: 7, a: 1})"),
              R"({"insert":"c","documents":[{"_id":7,"a":1}],"$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.insertMany([{a: 1, _id: 'x'}, {_id: 2}])"),
              R"({"insert":"c","documents":[{"a":1,"_id":"x"},{"_id":2}],"$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.updateMany({a: 1}, {$set: {b: 2}}, {upsert: true})"),
              R"({"update":"c","updates":[{"q":{"a":1},"u":{"$set":{"b":2}},"multi":true,"upsert":true}],"$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.deleteOne({a: 1})"),
              R"({"delete":"c","deletes":[{"q":{"a":1},"limit":1}],"$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.aggregate([{$count: 'n'}])"),
              R"({"aggregate":"c","pipeline":[{"$count":"n"}],"cursor":{"batchSize":20},"$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.createIndex({a: 1}, {unique: true})"),
              R"({"createIndexes":"c","indexes":[{"key":{"a":1},"unique":true}],"$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.dropIndex('a_1')"),
              R"({"dropIndexes":"c","index":"a_1","$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.c.getIndexes()"), R"({"listIndexes":"c","$db":"stargrad"})");
}

TEST(ShellCommands, DbMethodsAndHelpers) {
    EXPECT_EQ(commandOf("show dbs"), R"({"listDatabases":1,"$db":"admin"})");
    EXPECT_EQ(commandOf("show collections", "t"), R"({"listCollections":1,"nameOnly":true,"$db":"t"})");
    EXPECT_EQ(commandOf("db.runCommand({ping: 1})"), R"({"ping":1,"$db":"stargrad"})");
    EXPECT_EQ(commandOf("db.adminCommand({listDatabases: 1})"), R"({"listDatabases":1,"$db":"admin"})");
    EXPECT_EQ(commandOf("sh.status()"), R"({"shardingStatus":1,"$db":"admin"})");
    EXPECT_EQ(commandOf("sh.shardCollection('s.c', {k: 'hashed'})"),
              R"({"shardCollection":"s.c","key":{"k":"hashed"},"$db":"admin"})");
    EXPECT_EQ(commandOf("sh.stopBalancer()"), R"({"balancerStop":1,"$db":"admin"})");
    EXPECT_EQ(commandOf("rs.stepDown(60)"), R"({"replSetStepDown":60,"$db":"admin"})");
}

TEST(ShellCommands, BadMethodsAndArguments) {
    EXPECT_EQ(commandOf("db.c.fnd()"), "BadValue: fnd(): is not a collection method the shell knows");
    EXPECT_EQ(commandOf("db.c.find('x')"), "BadValue: find(): argument 1 must be an object");
    EXPECT_EQ(commandOf("db.c.find().limit('x')"), "BadValue: limit(): expects a number");
    EXPECT_EQ(commandOf("db.c.insertOne()"), "BadValue: insertOne(): argument 1 is required");
    EXPECT_EQ(commandOf("db.c.insertMany({a: 1})"), "BadValue: insertMany(): expects an array of documents");
    EXPECT_EQ(commandOf("db.c.drop().limit(1)"), "BadValue: limit(): cannot follow drop()");
    EXPECT_EQ(commandOf("sh.frobnicate()"), "BadValue: sh.frobnicate(): is not a helper the shell knows");
}

}  // namespace
}  // namespace mongosd::shell
