// libFuzzer target for the Extended JSON codec. For any input:
//  - parseJsonObject either fails with one of its documented codes or yields valid BSON;
//  - Canonical output parses back to the same bytes; Relaxed output parses back and re-writes
//    to the same text (Relaxed may turn a small int64 into int32, so bytes can differ);
//  - appendJsonValue agrees: what it accepts is valid BSON and round-trips the same way.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/bson.h"
#include "common/json/ejson.h"

namespace {

using mongosd::BsonObj;
using mongosd::ErrorCodes;
using mongosd::Status;
using namespace mongosd::json;

[[noreturn]] void die(const char* what, std::string_view detail) {
    std::fprintf(stderr, "ejson_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
                 detail.data());
    std::abort();
}

void checkErrorCode(const Status& s) {
    switch (s.code()) {
        case ErrorCodes::FailedToParse:
        case ErrorCodes::BadValue:
        case ErrorCodes::Overflow:
        case ErrorCodes::BSONObjectTooLarge:
            return;
        default:
            die("unexpected error code", s.toString());
    }
}

void checkRoundTrips(const BsonObj& doc) {
    Status valid = mongosd::validateBson(doc.data(), doc.size());
    if (!valid.isOK()) die("parser produced invalid BSON", valid.toString());

    std::string canonical = toJson(doc, JsonMode::kCanonical);
    auto back = parseJsonObject(canonical);
    if (!back.isOK()) die("canonical output does not parse", back.getStatus().toString());
    if (!back.getValue().view().binaryEqual(doc)) die("canonical round trip differs", canonical);

    std::string relaxed = toJson(doc, JsonMode::kRelaxed);
    auto again = parseJsonObject(relaxed);
    if (!again.isOK()) die("relaxed output does not parse", again.getStatus().toString());
    if (toJson(again.getValue(), JsonMode::kRelaxed) != relaxed)
        die("relaxed round trip differs", relaxed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view json(reinterpret_cast<const char*>(data), size);

    auto parsed = parseJsonObject(json);
    if (parsed.isOK())
        checkRoundTrips(parsed.getValue());
    else
        checkErrorCode(parsed.getStatus());

    mongosd::BsonBuilder builder;
    Status appended = appendJsonValue(json, "v", builder);
    if (appended.isOK())
        checkRoundTrips(builder.obj());
    else
        checkErrorCode(appended);
    return 0;
}
