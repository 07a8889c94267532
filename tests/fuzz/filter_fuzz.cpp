// libFuzzer target for the filter parser and matcher. The input bytes are a BSON filter; when
// they validate, parseFilter must either fail with one of the codes a bad filter may answer or
// yield a matcher that evaluates a few fixed documents (nested documents, arrays of arrays,
// mixed numeric types, strings, null) without crashing.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/bson.h"
#include "tests/fuzz/fuzz_documents.h"
#include "query/matcher.h"

namespace {

using mongosd::BsonObj;
using mongosd::ErrorCodes;

using mongosd::fuzz::fixedDocuments;

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
