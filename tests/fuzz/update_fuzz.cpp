// libFuzzer target for the update parser and engine. The input is a JSON object: its field "u"
// (a document) is parsed as an update with "arrayFilters" (an array) when present, then applied
// to a few fixed documents (nested documents, arrays of documents and of arrays, mixed numeric
// types, a document without _id), with the position "q" (a filter) records for '$', and as an
// upsert seeded from "q". Parsing and applying may fail, but only with the codes an update may
// answer; a result must be valid BSON and keep the document's _id.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/bson.h"
#include "common/json/ejson.h"
#include "query/matcher.h"
#include "query/update.h"

namespace {

using mongosd::BsonObj;
using mongosd::BsonView;
using mongosd::ErrorCodes;
using mongosd::Status;

const std::vector<BsonObj>& fixedDocuments() {
    static const std::vector<BsonObj> docs = [] {
        const char* json[] = {
            R"({"_id": 1, "a": 5, "s": "apple", "t": [1, 2.5, "x"],
                "o": [{"k": 1, "v": 0}, {"k": 2, "v": [1, 2]}], "n": {"x": {"y": 1}}})",
            R"({"_id": {"$oid": "0123456789abcdef01234567"}, "a": null, "g": [[1, 2], [3]],
                "e": [], "l": {"$numberLong": "9223372036854775807"},
                "m": {"$numberDecimal": "1.5"}, "d": {"$date": "2020-01-01T00:00:00Z"},
                "n": {"x": [{"y": [{"z": 1}]}]}})",
            R"({"a": {"b": [{"c": "Z"}, -0.0, null]}, "i": 2147483647, "f": 1e308})",
            R"({})",
        };
        std::vector<BsonObj> out;
        for (const char* j : json) {
            auto parsed = mongosd::json::parseJsonObject(j);
            if (!parsed.isOK()) std::abort();
            out.push_back(parsed.getValue());
        }
        return out;
    }();
    return docs;
}

[[noreturn]] void fail(const char* what, const Status& s) {
    std::fprintf(stderr, "update_fuzz: %s: %s\n", what, s.toString().c_str());
    std::abort();
}

void checkParseError(const Status& s) {
    switch (s.code()) {
        case ErrorCodes::BadValue:
        case ErrorCodes::FailedToParse:
        case ErrorCodes::TypeMismatch:
        case ErrorCodes::ConflictingUpdateOperators:
        case ErrorCodes::DollarPrefixedFieldName:
        case ErrorCodes::EmptyFieldName:
        case ErrorCodes::Location51091:  // a regex in arrayFilters or $pull that does not compile
        case ErrorCodes::ImmutableField:
            return;
        default:
            fail("unexpected parse error", s);
    }
}

void checkApplyError(const Status& s) {
    switch (s.code()) {
        case ErrorCodes::BadValue:
        case ErrorCodes::TypeMismatch:
        case ErrorCodes::PathNotViable:
        case ErrorCodes::ImmutableField:
        case ErrorCodes::BSONObjectTooLarge:
        case ErrorCodes::ConflictingUpdateOperators:  // two paths reach one array element
        case ErrorCodes::DollarPrefixedFieldName:
        case ErrorCodes::EmptyFieldName:
        case ErrorCodes::Overflow:  // the result would nest deeper than 100 levels
            return;
        default:
            fail("unexpected apply error", s);
    }
}

bool sameId(BsonView before, BsonView after) {
    bson_iter_t a, b;
    bool hadId = before.find("_id", &a);
    bool hasId = after.find("_id", &b);
    if (!hadId) return true;  // an upsert or a replacement may add one
    if (!hasId) return false;
    return mongosd::copyValue(a).view().binaryEqual(mongosd::copyValue(b).view());
}

void checkResult(BsonView before, const mongosd::StatusWith<BsonObj>& result) {
    if (!result.isOK()) {
        checkApplyError(result.getStatus());
        return;
    }
    const BsonObj& out = result.getValue();
    Status valid =
        mongosd::validateBson(out.data(), out.size(), mongosd::kMaxInternalBsonSize, 1000);
    if (!valid.isOK()) fail("invalid result", valid);
    if (!sameId(before, out)) fail("_id changed", Status(ErrorCodes::BadValue, "_id"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto input =
        mongosd::json::parseJsonObject(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!input.isOK()) return 0;
    BsonView in = input.getValue().view();
    bson_iter_t u, filters, q;
    if (!in.find("u", &u) || !BSON_ITER_HOLDS_DOCUMENT(&u)) return 0;
    std::optional<BsonView> arrayFilters;
    if (in.find("arrayFilters", &filters) && BSON_ITER_HOLDS_ARRAY(&filters))
        arrayFilters = mongosd::subDocument(filters);
    auto spec = mongosd::query::UpdateSpec::parse(mongosd::subDocument(u), arrayFilters);
    if (!spec.isOK()) {
        checkParseError(spec.getStatus());
        return 0;
    }
    BsonView filterDoc;
    std::unique_ptr<mongosd::query::MatchExpression> filter;
    if (in.find("q", &q) && BSON_ITER_HOLDS_DOCUMENT(&q)) {
        filterDoc = mongosd::subDocument(q);
        auto parsed = mongosd::query::parseFilter(filterDoc);
        if (parsed.isOK()) filter = std::move(parsed.getValue());
    }
    for (const BsonObj& doc : fixedDocuments()) {
        std::optional<size_t> position;
        if (filter) (void)filter->matchesRecordingPosition(doc, &position);
        checkResult(doc, spec.getValue().apply(doc, position));
    }
    bson_oid_t id;
    bson_oid_init_from_string(&id, "00000000000000000000abcd");
    checkResult(BsonView(), spec.getValue().applyForUpsert(filterDoc, id));
    return 0;
}
