// libFuzzer target for the filter parser and matcher. The input bytes are a BSON filter; when
// they validate, parseFilter must either fail with one of the codes a bad filter may answer or
// yield a matcher that evaluates a few fixed documents (nested documents, arrays of arrays,
// mixed numeric types, strings, null) without crashing.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/bson.h"
#include "query/matcher.h"

namespace {

using mongosd::BsonBuilder;
using mongosd::BsonObj;
using mongosd::ErrorCodes;

const std::vector<BsonObj>& fixedDocuments() {
    static const std::vector<BsonObj> docs = [] {
        std::vector<BsonObj> out;
        BsonBuilder a;
        a.appendInt32("_id", 1).appendInt32("a", 5).appendString("s", "apple");
        a.appendArray("t", [](BsonBuilder& arr) {
            arr.appendInt32("0", 1).appendDouble("1", 2.5).appendString("2", "x");
        });
        out.push_back(a.obj());
        BsonBuilder b;
        b.appendInt32("_id", 2).appendNull("a");
        b.appendArray("a2", [](BsonBuilder& arr) {
            arr.appendArray("0", [](BsonBuilder& inner) { inner.appendInt64("0", 7); });
            arr.appendDocument("1", [](BsonBuilder& d) {
                d.appendInt32("b", 1).appendDocument(
                    "c", [](BsonBuilder& c) { c.appendBool("d", true); });
            });
        });
        out.push_back(b.obj());
        BsonBuilder c;
        c.appendInt32("_id", 3).appendDocument("a", [](BsonBuilder& d) {
            d.appendArray("b", [](BsonBuilder& arr) {
                arr.appendDocument("0", [](BsonBuilder& e) { e.appendString("c", "Z"); });
                arr.appendDouble("1", -0.0);
            });
        });
        out.push_back(c.obj());
        out.push_back(BsonObj());
        return out;
    }();
    return docs;
}

bool expectedError(ErrorCodes::Error code) {
    switch (code) {
        case ErrorCodes::BadValue:
        case ErrorCodes::FailedToParse:
        case ErrorCodes::TypeMismatch:
        case ErrorCodes::Location51091:
        case ErrorCodes::EmptyFieldName:
        case ErrorCodes::DollarPrefixedFieldName:
        case ErrorCodes::InvalidPipelineOperator:  // $expr's expression language
        case ErrorCodes::Overflow:
            return true;
        default:
            // MongoDB's unnamed assertion codes (Location<n>: $expr's expression errors) are
            // user errors by construction.
            return ErrorCodes::name(code).starts_with("Location");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (!mongosd::validateBson(data, size, mongosd::kMaxUserBsonSize, mongosd::kMaxBsonDepth)
             .isOK())
        return 0;
    auto parsed = mongosd::query::parseFilter(mongosd::BsonView(data, size));
    if (!parsed.isOK()) {
        if (!expectedError(parsed.getStatus().code())) {
            std::fprintf(stderr, "filter_fuzz: unexpected error %s\n",
                         parsed.getStatus().toString().c_str());
            std::abort();
        }
        return 0;
    }
    for (const auto& doc : fixedDocuments()) {
        bool plain = parsed.getValue()->matches(doc);
        auto checked = parsed.getValue()->matchesChecked(doc);
        if (checked.isOK() && checked.getValue() != plain) {
            std::fprintf(stderr, "filter_fuzz: matches and matchesChecked disagree\n");
            std::abort();
        }
    }
    return 0;
}
