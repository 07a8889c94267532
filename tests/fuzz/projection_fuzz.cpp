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
#include "query/projection.h"

namespace {

using mongosd::BsonBuilder;
using mongosd::BsonObj;
using mongosd::ErrorCodes;
using mongosd::query::Projection;
using mongosd::query::ProjectionContext;
using mongosd::query::ProjectionPolicy;

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
            arr.appendInt32("2", 3);
        });
        out.push_back(b.obj());
        BsonBuilder c;
        c.appendString("_id", "three").appendDocument("a", [](BsonBuilder& d) {
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
