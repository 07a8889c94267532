// $rename through arrays and paths that reach one array element twice ("a.$" with "a.0",
// "a.$[]" with "a.$[x]"): MongoDB's error codes. Found with update_fuzz (the $rename cases ran
// into a misaligned bson_iter_t under clang's UBSan).
#include <gtest/gtest.h>

#include "common/json/ejson.h"
#include "query/update.h"
#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

struct Outcome {
    ErrorCodes::Error code = ErrorCodes::OK;
    std::string doc;  // the result when OK
};

Outcome apply(const std::string& update, const std::string& doc,
              std::optional<size_t> matched = std::nullopt, const std::string& arrayFilters = "") {
    std::optional<BsonObj> filters;
    if (!arrayFilters.empty()) filters = parseJson(arrayFilters);
    auto spec = UpdateSpec::parse(parseJson(update),
                                  filters ? std::optional<BsonView>(*filters) : std::nullopt);
    if (!spec.isOK()) return {spec.getStatus().code(), ""};
    auto out = spec.getValue().apply(parseJson(doc), matched);
    if (!out.isOK()) return {out.getStatus().code(), ""};
    return {ErrorCodes::OK, json::toJson(out.getValue())};
}

const char* const kDoc = R"({"_id":1,"a":1,"s":5,"arr":[{"x":1},{"x":2}],"m":{"n":[1,2]}})";

TEST(UpdateRename, SourceInsideAnArrayIsBadValue) {
    EXPECT_EQ(apply(R"({"$rename": {"arr.0.x": "q"}})", kDoc).code, ErrorCodes::BadValue);
    EXPECT_EQ(apply(R"({"$rename": {"arr.1": "q"}})", kDoc).code, ErrorCodes::BadValue);
    EXPECT_EQ(apply(R"({"$rename": {"m.n.0": "q"}})", kDoc).code, ErrorCodes::BadValue);
}

TEST(UpdateRename, SourceCrossingAnArrayByNameOrAScalarIsPathNotViable) {
    EXPECT_EQ(apply(R"({"$rename": {"arr.x": "q"}})", kDoc).code, ErrorCodes::PathNotViable);
    EXPECT_EQ(apply(R"({"$rename": {"s.t": "q"}})", kDoc).code, ErrorCodes::PathNotViable);
    // The destination comes first in the document: the source's error still wins.
    EXPECT_EQ(apply(R"({"$rename": {"arr.x": "a"}})", kDoc).code, ErrorCodes::PathNotViable);
}

TEST(UpdateRename, MissingSourceIsANoOpEvenInsideArrays) {
    EXPECT_EQ(apply(R"({"$rename": {"arr.0.nope": "q"}})", kDoc).doc,
              json::toJson(parseJson(kDoc)));
    EXPECT_EQ(apply(R"({"$rename": {"arr.5.x": "q"}})", kDoc).doc, json::toJson(parseJson(kDoc)));
    EXPECT_EQ(apply(R"({"$rename": {"nope": "arr.y"}})", kDoc).doc, json::toJson(parseJson(kDoc)));
    EXPECT_EQ(apply(R"({"$rename": {"nope": "arr.7"}})", kDoc).doc, json::toJson(parseJson(kDoc)));
}

TEST(UpdateRename, DestinationInsideAnArrayIsBadValue) {
    EXPECT_EQ(apply(R"({"$rename": {"a": "arr.0.y"}})", kDoc).code, ErrorCodes::BadValue);
    EXPECT_EQ(apply(R"({"$rename": {"a": "arr.y"}})", kDoc).code, ErrorCodes::BadValue);
    EXPECT_EQ(apply(R"({"$rename": {"a": "m.n.0"}})", kDoc).code, ErrorCodes::BadValue);
    EXPECT_EQ(apply(R"({"$rename": {"a": "s.t"}})", kDoc).code, ErrorCodes::PathNotViable);
}

TEST(UpdateRename, WholeArraysMove) {
    EXPECT_EQ(apply(R"({"$rename": {"a": "arr"}})", kDoc).doc,
              R"({"_id":1,"s":5,"arr":1,"m":{"n":[1,2]}})");
    EXPECT_EQ(apply(R"({"$rename": {"m.n": "k"}})", kDoc).doc,
              R"({"_id":1,"a":1,"s":5,"arr":[{"x":1},{"x":2}],"m":{},"k":[1,2]})");
}

TEST(UpdatePaths, PositionalAndIndexOnTheSameElementConflict) {
    const char* doc = R"({"_id":1,"a":[1,2,3]})";
    EXPECT_EQ(apply(R"({"$set": {"a.$": 9, "a.0": 8}})", doc, 0).code,
              ErrorCodes::ConflictingUpdateOperators);
    EXPECT_EQ(apply(R"({"$set": {"a.0": 8}, "$inc": {"a.$": 1}})", doc, 0).code,
              ErrorCodes::ConflictingUpdateOperators);
    // Different elements: both apply.
    EXPECT_EQ(apply(R"({"$set": {"a.$": 9, "a.0": 8}})", doc, 1).doc, R"({"_id":1,"a":[8,9,3]})");
}

TEST(UpdatePaths, ArrayFilterAndNamedChildrenCannotShareAParent) {
    const char* doc = R"({"_id":1,"a":[1,2,3]})";
    EXPECT_EQ(apply(R"({"$set": {"a.0": 8, "a.$[]": 9}})", doc).code,
              ErrorCodes::ConflictingUpdateOperators);
    EXPECT_EQ(apply(R"({"$set": {"a.$[]": 9, "a.$": 8}})", doc, 0).code,
              ErrorCodes::ConflictingUpdateOperators);
}

TEST(UpdatePaths, OverlappingArrayFiltersMergeOrConflict) {
    const char* doc = R"({"_id":1,"o":[{"k":1,"v":0},{"k":2,"v":0}]})";
    EXPECT_EQ(apply(R"({"$set": {"o.$[].v": 5, "o.$[x].k": 7}})", doc, std::nullopt,
                    R"({"0": {"x.k": 2}})")
                  .doc,
              R"({"_id":1,"o":[{"k":1,"v":5},{"k":7,"v":5}]})");
    EXPECT_EQ(apply(R"({"$set": {"o.$[x].v": 5, "o.$[y].v": 6}})", doc, std::nullopt,
                    R"({"0": {"x.k": 1}, "1": {"y.v": 0}})")
                  .code,
              ErrorCodes::ConflictingUpdateOperators);
    EXPECT_EQ(apply(R"({"$set": {"o.$[x].v": 5, "o.$[y].v": 6}})", doc, std::nullopt,
                    R"({"0": {"x.k": 1}, "1": {"y.k": 2}})")
                  .doc,
              R"({"_id":1,"o":[{"k":1,"v":5},{"k":2,"v":6}]})");
}

}  // namespace
}  // namespace mongosd::query
