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

TEST(Update, MulMinMax) {
    EXPECT_EQ(applied(R"({"$mul": {"n": 3}})", R"({"_id":1,"n":2})"), R"({"_id":1,"n":6})");
    EXPECT_EQ(applied(R"({"$mul": {"n": 2.5}})", R"({"_id":1,"n":2})"), R"({"_id":1,"n":5.0})");
    EXPECT_EQ(applied(R"({"$mul": {"n": 3}})", R"({"_id":1})"), R"({"_id":1,"n":0})");
    EXPECT_EQ(applied(R"({"$mul": {"n": 65536}})", R"({"_id":1,"n":65536})"),
              R"({"_id":1,"n":4294967296})");
    EXPECT_EQ(applyError(R"({"$mul": {"n": 2}})", R"({"_id":1,"n":"x"})"), ErrorCodes::TypeMismatch);
    EXPECT_EQ(applyError(R"({"$mul": {"n": "2"}})", R"({"_id":1})"), ErrorCodes::TypeMismatch);
    EXPECT_EQ(applied(R"({"$min": {"n": 1}})", R"({"_id":1,"n":2})"), R"({"_id":1,"n":1})");
    EXPECT_EQ(applied(R"({"$min": {"n": 3}})", R"({"_id":1,"n":2})"), R"({"_id":1,"n":2})");
    EXPECT_EQ(applied(R"({"$max": {"n": 3}})", R"({"_id":1,"n":2})"), R"({"_id":1,"n":3})");
    EXPECT_EQ(applied(R"({"$max": {"n": 3}})", R"({"_id":1})"), R"({"_id":1,"n":3})");
    // Type order: any string is above any number.
    EXPECT_EQ(applied(R"({"$max": {"n": "a"}})", R"({"_id":1,"n":99})"), R"({"_id":1,"n":"a"})");
    EXPECT_EQ(applied(R"({"$min": {"n": null}})", R"({"_id":1,"n":99})"), R"({"_id":1,"n":null})");
}

TEST(Update, Rename) {
    EXPECT_EQ(applied(R"({"$rename": {"a": "b"}})", R"({"_id":1,"a":1,"c":2})"),
              R"({"_id":1,"c":2,"b":1})");
    EXPECT_EQ(applied(R"({"$rename": {"a": "m.x"}})", R"({"_id":1,"a":1})"),
              R"({"_id":1,"m":{"x":1}})");
    EXPECT_EQ(applied(R"({"$rename": {"m.x": "y"}})", R"({"_id":1,"m":{"x":1,"z":2}})"),
              R"({"_id":1,"m":{"z":2},"y":1})");
    EXPECT_EQ(applied(R"({"$rename": {"a": "b"}})", R"({"_id":1,"b":5})"), R"({"_id":1,"b":5})");
    EXPECT_EQ(applied(R"({"$rename": {"a": "b"}})", R"({"_id":1,"a":1,"b":5})"), R"({"_id":1,"b":1})");
    EXPECT_EQ(applyError(R"({"$rename": {"a": 1}})", R"({"_id":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$rename": {"a": "a"}})", R"({"_id":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$rename": {"a": "a.b"}})", R"({"_id":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$rename": {"a": "b"}, "$set": {"b": 1}})", R"({"_id":1})"),
              ErrorCodes::ConflictingUpdateOperators);
    EXPECT_EQ(applyError(R"({"$rename": {"_id": "b"}})", R"({"_id":1})"), ErrorCodes::ImmutableField);
    EXPECT_EQ(applyError(R"({"$rename": {"a.0": "b"}})", R"({"_id":1,"a":[1]})"), ErrorCodes::BadValue);
}

TEST(Update, CurrentDate) {
    auto spec = UpdateSpec::parse(parseJson(R"({"$currentDate": {"d": true, "t": {"$type": "timestamp"}}})"));
    ASSERT_TRUE(spec.isOK());
    auto out = spec.getValue().apply(parseJson(R"({"_id": 1})"));
    ASSERT_TRUE(out.isOK());
    bson_iter_t d, t;
    ASSERT_TRUE(out.getValue().view().find("d", &d));
    ASSERT_TRUE(out.getValue().view().find("t", &t));
    EXPECT_EQ(bson_iter_type(&d), BSON_TYPE_DATE_TIME);
    EXPECT_EQ(bson_iter_type(&t), BSON_TYPE_TIMESTAMP);
    EXPECT_GT(bson_iter_date_time(&d), 1'600'000'000'000LL);
    EXPECT_EQ(applyError(R"({"$currentDate": {"d": 1}})", R"({"_id":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$currentDate": {"d": {"$type": "x"}}})", R"({"_id":1})"),
              ErrorCodes::BadValue);
}

TEST(Update, SetOnInsertOnlyOnUpsertInsert) {
    EXPECT_EQ(applied(R"({"$setOnInsert": {"a": 1}, "$set": {"b": 2}})", R"({"_id":1})"),
              R"({"_id":1,"b":2})");
    auto spec = UpdateSpec::parse(parseJson(R"({"$setOnInsert": {"a": 1}, "$set": {"b": 2}})"));
    ASSERT_TRUE(spec.isOK());
    bson_oid_t oid;
    bson_oid_init(&oid, nullptr);
    auto doc = spec.getValue().applyForUpsert(parseJson(R"({"_id": 5})"), oid);
    ASSERT_TRUE(doc.isOK());
    EXPECT_EQ(json::toJson(doc.getValue()), R"({"_id":5,"a":1,"b":2})");
    EXPECT_EQ(applyError(R"({"$setOnInsert": {"a": 1}, "$set": {"a": 2}})", R"({"_id":1})"),
              ErrorCodes::ConflictingUpdateOperators);
}

TEST(Update, Push) {
    EXPECT_EQ(applied(R"({"$push": {"a": 3}})", R"({"_id":1,"a":[1,2]})"), R"({"_id":1,"a":[1,2,3]})");
    EXPECT_EQ(applied(R"({"$push": {"a": 3}})", R"({"_id":1})"), R"({"_id":1,"a":[3]})");
    EXPECT_EQ(applied(R"({"$push": {"a": [3]}})", R"({"_id":1,"a":[]})"), R"({"_id":1,"a":[[3]]})");
    EXPECT_EQ(applied(R"({"$push": {"a": {"$each": [3, 4]}}})", R"({"_id":1,"a":[1]})"),
              R"({"_id":1,"a":[1,3,4]})");
    EXPECT_EQ(applied(R"({"$push": {"a": {"$each": [9], "$position": 0}}})", R"({"_id":1,"a":[1,2]})"),
              R"({"_id":1,"a":[9,1,2]})");
    EXPECT_EQ(applied(R"({"$push": {"a": {"$each": [9], "$position": -1}}})", R"({"_id":1,"a":[1,2]})"),
              R"({"_id":1,"a":[1,9,2]})");
    EXPECT_EQ(applied(R"({"$push": {"a": {"$each": [3, 1], "$sort": 1}}})", R"({"_id":1,"a":[2]})"),
              R"({"_id":1,"a":[1,2,3]})");
    EXPECT_EQ(applied(R"({"$push": {"a": {"$each": [3, 1], "$sort": -1, "$slice": 2}}})",
                      R"({"_id":1,"a":[2]})"),
              R"({"_id":1,"a":[3,2]})");
    EXPECT_EQ(applied(R"({"$push": {"a": {"$each": [4], "$slice": -2}}})", R"({"_id":1,"a":[1,2,3]})"),
              R"({"_id":1,"a":[3,4]})");
    EXPECT_EQ(applied(R"({"$push": {"a": {"$each": [], "$slice": 0}}})", R"({"_id":1,"a":[1]})"),
              R"({"_id":1,"a":[]})");
    EXPECT_EQ(applied(R"({"$push": {"a": {"$each": [{"s": 1}], "$sort": {"s": -1}}}})",
                      R"({"_id":1,"a":[{"s":2},{"s":0}]})"),
              R"({"_id":1,"a":[{"s":2},{"s":1},{"s":0}]})");
    EXPECT_EQ(applyError(R"({"$push": {"a": 1}})", R"({"_id":1,"a":5})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$push": {"a": {"$each": 1}}})", R"({"_id":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$push": {"a": {"$each": [1], "$bad": 1}}})", R"({"_id":1})"),
              ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$push": {"a": {"$each": [1], "$sort": 2}}})", R"({"_id":1})"),
              ErrorCodes::BadValue);
}

TEST(Update, AddToSetPopPullBit) {
    EXPECT_EQ(applied(R"({"$addToSet": {"a": 2}})", R"({"_id":1,"a":[1,2]})"), R"({"_id":1,"a":[1,2]})");
    EXPECT_EQ(applied(R"({"$addToSet": {"a": 3}})", R"({"_id":1,"a":[1,2]})"), R"({"_id":1,"a":[1,2,3]})");
    EXPECT_EQ(applied(R"({"$addToSet": {"a": {"$each": [2, 3, 3]}}})", R"({"_id":1,"a":[1,2]})"),
              R"({"_id":1,"a":[1,2,3]})");
    EXPECT_EQ(applied(R"({"$addToSet": {"a": 1}})", R"({"_id":1})"), R"({"_id":1,"a":[1]})");
    EXPECT_EQ(applyError(R"({"$addToSet": {"a": 1}})", R"({"_id":1,"a":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applied(R"({"$pop": {"a": 1}})", R"({"_id":1,"a":[1,2,3]})"), R"({"_id":1,"a":[1,2]})");
    EXPECT_EQ(applied(R"({"$pop": {"a": -1}})", R"({"_id":1,"a":[1,2,3]})"), R"({"_id":1,"a":[2,3]})");
    EXPECT_EQ(applied(R"({"$pop": {"a": 1}})", R"({"_id":1})"), R"({"_id":1})");
    EXPECT_EQ(applyError(R"({"$pop": {"a": 1}})", R"({"_id":1,"a":1})"), ErrorCodes::TypeMismatch);
    EXPECT_EQ(applyError(R"({"$pop": {"a": 2}})", R"({"_id":1})"), ErrorCodes::FailedToParse);
    EXPECT_EQ(applied(R"({"$pull": {"a": 2}})", R"({"_id":1,"a":[1,2,3,2]})"), R"({"_id":1,"a":[1,3]})");
    EXPECT_EQ(applied(R"({"$pull": {"a": {"x": 1}}})", R"({"_id":1,"a":[{"x":1,"y":2},{"x":2},3]})"),
              R"({"_id":1,"a":[{"x":2},3]})");
    EXPECT_EQ(applied(R"({"$pull": {"a": {"$eq": 3}}})", R"({"_id":1,"a":[{"x":2},3]})"),
              R"({"_id":1,"a":[{"x":2}]})");
    EXPECT_EQ(applied(R"({"$pullAll": {"a": [1, 3]}})", R"({"_id":1,"a":[1,2,3,1]})"),
              R"({"_id":1,"a":[2]})");
    EXPECT_EQ(applyError(R"({"$pullAll": {"a": 1}})", R"({"_id":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$pull": {"a": 1}})", R"({"_id":1,"a":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applied(R"({"$bit": {"n": {"and": 6}}})", R"({"_id":1,"n":3})"), R"({"_id":1,"n":2})");
    EXPECT_EQ(applied(R"({"$bit": {"n": {"or": 4, "xor": 1}}})", R"({"_id":1,"n":3})"),
              R"({"_id":1,"n":6})");
    EXPECT_EQ(applied(R"({"$bit": {"n": {"or": 5}}})", R"({"_id":1})"), R"({"_id":1,"n":5})");
    EXPECT_EQ(applyError(R"({"$bit": {"n": {"or": 1}}})", R"({"_id":1,"n":1.5})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$bit": {"n": {"not": 1}}})", R"({"_id":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$bit": {"n": {"or": 1.0}}})", R"({"_id":1})"), ErrorCodes::BadValue);
}

std::string appliedWith(const std::string& update, const std::string& filters, const std::string& doc,
                        std::optional<size_t> position = std::nullopt) {
    BsonObj f = parseJson(R"({"f": )" + filters + "}");
    bson_iter_t it;
    f.view().find("f", &it);
    auto spec = UpdateSpec::parse(parseJson(update), subDocument(it));
    if (!spec.isOK()) return "parse error: " + spec.getStatus().toString();
    auto out = spec.getValue().apply(parseJson(doc), position);
    if (!out.isOK()) return "apply error: " + out.getStatus().toString();
    return json::toJson(out.getValue());
}

TEST(Update, Positional) {
    EXPECT_EQ(appliedWith(R"({"$set": {"a.$": 9}})", "[]", R"({"_id":1,"a":[1,2,3]})", 1),
              R"({"_id":1,"a":[1,9,3]})");
    EXPECT_EQ(appliedWith(R"({"$set": {"a.$.b": 9}})", "[]", R"({"_id":1,"a":[{"b":1},{"b":2}]})", 0),
              R"({"_id":1,"a":[{"b":9},{"b":2}]})");
    EXPECT_EQ(applyError(R"({"$set": {"a.$": 9}})", R"({"_id":1,"a":[1]})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$set": {"$": 9}})", R"({"_id":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$set": {"a.$.b.$": 9}})", R"({"_id":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applied(R"({"$inc": {"a.$[]": 1}})", R"({"_id":1,"a":[1,2]})"), R"({"_id":1,"a":[2,3]})");
    EXPECT_EQ(applied(R"({"$set": {"a.$[].b": 1}})", R"({"_id":1,"a":[{},{"b":0}]})"),
              R"({"_id":1,"a":[{"b":1},{"b":1}]})");
    EXPECT_EQ(applyError(R"({"$set": {"a.$[].b": 1}})", R"({"_id":1,"a":[1]})"), ErrorCodes::PathNotViable);
    EXPECT_EQ(applyError(R"({"$set": {"a.$[]": 1}})", R"({"_id":1})"), ErrorCodes::BadValue);
    EXPECT_EQ(applyError(R"({"$set": {"a.$[]": 1}})", R"({"_id":1,"a":{"x":1}})"), ErrorCodes::BadValue);
}

TEST(Update, ArrayFilters) {
    EXPECT_EQ(appliedWith(R"({"$set": {"a.$[x]": 0}})", R"([{"x": 2}])", R"({"_id":1,"a":[2,1,2]})"),
              R"({"_id":1,"a":[0,1,0]})");
    EXPECT_EQ(appliedWith(R"({"$inc": {"a.$[e].n": 1}})", R"([{"e.k": "y"}])",
                          R"({"_id":1,"a":[{"k":"x","n":1},{"k":"y","n":1}]})"),
              R"({"_id":1,"a":[{"k":"x","n":1},{"k":"y","n":2}]})");
    // Two paths addressing one element apply in turn.
    EXPECT_EQ(appliedWith(R"({"$set": {"a.$[].p": 1, "a.$[e].q": 2}})", R"([{"e.k": 1}])",
                          R"({"_id":1,"a":[{"k":1},{"k":2}]})"),
              R"({"_id":1,"a":[{"k":1,"p":1,"q":2},{"k":2,"p":1}]})");
    EXPECT_NE(appliedWith(R"({"$set": {"a.$[y]": 0}})", R"([{"x": 2}])", R"({"_id":1})")
                  .find("BadValue"), std::string::npos);
    EXPECT_NE(appliedWith(R"({"$set": {"a.0": 0}})", R"([{"x": 2}])", R"({"_id":1})")
                  .find("FailedToParse"), std::string::npos);
    EXPECT_NE(appliedWith(R"({"$set": {"a.$[x]": 0}})", R"([{"x": 2}, {"x": 3}])", R"({"_id":1})")
                  .find("FailedToParse"), std::string::npos);
    EXPECT_NE(appliedWith(R"({"$set": {"a.$[X]": 0}})", R"([{"X": 2}])", R"({"_id":1})")
                  .find("BadValue"), std::string::npos);
    EXPECT_NE(appliedWith(R"({"b": 1})", R"([{"x": 2}])", R"({"_id":1})").find("FailedToParse"),
              std::string::npos);
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
