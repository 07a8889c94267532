#include "query/update.h"

#include <gtest/gtest.h>

#include "common/json/ejson.h"
#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

std::string applied(const std::string& update, const std::string& doc) {
    auto spec = UpdateSpec::parse(parseJson(update));
    if (!spec.isOK()) return "parse error: " + spec.getStatus().toString();
    auto out = spec.getValue().apply(parseJson(doc));
    if (!out.isOK()) return "apply error: " + out.getStatus().toString();
    return json::toJson(out.getValue());
}

ErrorCodes::Error applyError(const std::string& update, const std::string& doc) {
    auto spec = UpdateSpec::parse(parseJson(update));
    if (!spec.isOK()) return spec.getStatus().code();
    return spec.getValue().apply(parseJson(doc)).getStatus().code();
}

TEST(Update, Set) {
    EXPECT_EQ(applied(R"({"$set": {"a": 2}})", R"({"_id":1,"a":1,"b":1})"), R"({"_id":1,"a":2,"b":1})");
    EXPECT_EQ(applied(R"({"$set": {"c": 3, "b": 2}})", R"({"_id":1})"), R"({"_id":1,"b":2,"c":3})");
    EXPECT_EQ(applied(R"({"$set": {"m.x": 1}})", R"({"_id":1})"), R"({"_id":1,"m":{"x":1}})");
    EXPECT_EQ(applied(R"({"$set": {"m.y": 2}})", R"({"_id":1,"m":{"x":1}})"),
              R"({"_id":1,"m":{"x":1,"y":2}})");
    EXPECT_EQ(applied(R"({"$set": {"a.1": 9}})", R"({"_id":1,"a":[1,2,3]})"), R"({"_id":1,"a":[1,9,3]})");
    EXPECT_EQ(applied(R"({"$set": {"a.4": 9}})", R"({"_id":1,"a":[1]})"),
              R"({"_id":1,"a":[1,null,null,null,9]})");
    EXPECT_EQ(applied(R"({"$set": {"a.0.b": 9}})", R"({"_id":1,"a":[{"b":1}]})"),
              R"({"_id":1,"a":[{"b":9}]})");
}

TEST(Update, Unset) {
    EXPECT_EQ(applied(R"({"$unset": {"a": ""}})", R"({"_id":1,"a":1,"b":1})"), R"({"_id":1,"b":1})");
    EXPECT_EQ(applied(R"({"$unset": {"zz": ""}})", R"({"_id":1})"), R"({"_id":1})");
    EXPECT_EQ(applied(R"({"$unset": {"m.x": ""}})", R"({"_id":1,"m":{"x":1,"y":2}})"),
              R"({"_id":1,"m":{"y":2}})");
    EXPECT_EQ(applied(R"({"$unset": {"a.0": ""}})", R"({"_id":1,"a":[1,2]})"), R"({"_id":1,"a":[null,2]})");
    EXPECT_EQ(applied(R"({"$unset": {"a.b": ""}})", R"({"_id":1,"a":5})"), R"({"_id":1,"a":5})");
}

TEST(Update, Inc) {
    EXPECT_EQ(applied(R"({"$inc": {"n": 2}})", R"({"_id":1,"n":1})"), R"({"_id":1,"n":3})");
    EXPECT_EQ(applied(R"({"$inc": {"n": 2}})", R"({"_id":1})"), R"({"_id":1,"n":2})");
    EXPECT_EQ(applied(R"({"$inc": {"n": 0.5}})", R"({"_id":1,"n":1})"), R"({"_id":1,"n":1.5})");
    // int32 overflow widens to int64.
    EXPECT_EQ(applied(R"({"$inc": {"n": 1}})", R"({"_id":1,"n":2147483647})"),
              R"({"_id":1,"n":2147483648})");
    EXPECT_EQ(applyError(R"({"$inc": {"n": 1}})", R"({"_id":1,"n":"x"})"), ErrorCodes::TypeMismatch);
    EXPECT_EQ(applyError(R"({"$inc": {"n": "x"}})", R"({"_id":1})"), ErrorCodes::TypeMismatch);
    EXPECT_EQ(applyError(R"({"$inc": {"n": 1}})", R"({"_id":1,"n":{"$numberLong":"9223372036854775807"}})"),
              ErrorCodes::BadValue);
}

TEST(Update, Replacement) {
    EXPECT_EQ(applied(R"({"x": 1})", R"({"_id":7,"a":1})"), R"({"_id":7,"x":1})");
    EXPECT_EQ(applied(R"({"x": 1, "_id": 7})", R"({"_id":7,"a":1})"), R"({"_id":7,"x":1})");
    EXPECT_EQ(applyError(R"({"_id": 8})", R"({"_id":7})"), ErrorCodes::ImmutableField);
}

TEST(Update, Errors) {
    EXPECT_EQ(applyError(R"({"$set": {"_id": 2}})", R"({"_id":1})"), ErrorCodes::ImmutableField);
    EXPECT_EQ(applyError(R"({"$set": {"a.b": 1}})", R"({"_id":1,"a":5})"), ErrorCodes::PathNotViable);
    EXPECT_EQ(applyError(R"({"$set": {"a": 1}, "$inc": {"a.b": 1}})", R"({"_id":1})"),
              ErrorCodes::ConflictingUpdateOperators);
    EXPECT_EQ(applyError(R"({"$set": {"a.b": 1}, "$unset": {"a": 1}})", R"({"_id":1})"),
              ErrorCodes::ConflictingUpdateOperators);
    EXPECT_EQ(applyError(R"({"$bogus": {"a": 1}})", R"({"_id":1})"), ErrorCodes::FailedToParse);
    EXPECT_EQ(applyError(R"({"$set": 5})", R"({"_id":1})"), ErrorCodes::FailedToParse);
    EXPECT_EQ(applyError(R"({"$set": {"a": 1}, "b": 2})", R"({"_id":1})"), ErrorCodes::FailedToParse);
    EXPECT_EQ(applyError(R"({"a": 1, "$set": {"b": 2}})", R"({"_id":1})"),
              ErrorCodes::DollarPrefixedFieldName);
}

TEST(Update, UpsertSeedsFromEqualityFilter) {
    auto spec = UpdateSpec::parse(parseJson(R"({"$set": {"b": 2}})"));
    ASSERT_TRUE(spec.isOK());
    bson_oid_t oid;
    bson_oid_init(&oid, nullptr);
    auto doc = spec.getValue().applyForUpsert(parseJson(R"({"a": 1, "c": {"$eq": 3}, "d": {"$gt": 1}})"), oid);
    ASSERT_TRUE(doc.isOK());
    std::string s = json::toJson(doc.getValue());
    EXPECT_NE(s.find(R"("a":1,"c":3,"b":2)"), std::string::npos) << s;
    EXPECT_EQ(s.find("\"d\""), std::string::npos) << s;
    EXPECT_EQ(s.find(R"({"_id":{"$oid")"), 0u) << s;
}

}  // namespace
}  // namespace mongosd::query
