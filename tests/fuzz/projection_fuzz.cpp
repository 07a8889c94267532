// libFuzzer target for the projection parser and executor. The input bytes are a BSON
// projection spec; when they validate, it is parsed in both languages (find and $project).
// A parse must succeed or fail with a registered error code; a parsed projection is applied to
// a few fixed documents (nested documents, arrays of arrays, mixed types) with and without a
// matched array position, and every result must be valid BSON.
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "common/bson.h"
#include "tests/fuzz/fuzz_documents.h"
#include "query/projection.h"

namespace {

using mongosd::BsonObj;
using mongosd::ErrorCodes;
using mongosd::query::Projection;
using mongosd::query::ProjectionContext;
using mongosd::query::ProjectionPolicy;

using mongosd::fuzz::fixedDocuments;

void checkStatus(const mongosd::Status& st, const char* what) {
    if (ErrorCodes::isKnown(st.code()) && st.code() != ErrorCodes::InternalError) return;
    std::fprintf(stderr, "projection_fuzz: unexpected %s error %s\n", what, st.toString().c_str());
    std::abort();
}

void applyAll(const Projection& p) {
    const std::optional<size_t> positions[] = {std::nullopt, 0, 1, 5};
    for (const auto& doc : fixedDocuments()) {
        for (const auto& pos : positions) {
            auto out = p.apply(doc.view(), ProjectionContext{pos, nullptr});
            if (!out.isOK()) {
                checkStatus(out.getStatus(), "apply");
                continue;
            }
            const auto& v = out.getValue().view();
            if (!mongosd::validateBson(v.data(), v.size(), std::numeric_limits<size_t>::max(), 1000)
                     .isOK()) {
                std::fprintf(stderr, "projection_fuzz: apply produced invalid BSON\n");
                std::abort();
            }
            if (!p.hasPositional()) break;  // positions matter only to "a.$"
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (!mongosd::validateBson(data, size, mongosd::kMaxUserBsonSize, mongosd::kMaxBsonDepth)
             .isOK())
        return 0;
    for (auto policy : {ProjectionPolicy::kFind, ProjectionPolicy::kAggregate}) {
        auto parsed = Projection::parse(mongosd::BsonView(data, size), policy);
        if (!parsed.isOK()) {
            checkStatus(parsed.getStatus(), "parse");
            continue;
        }
        applyAll(parsed.getValue());
    }
    return 0;
}
