// libFuzzer target for the aggregation pipeline parser and executor. The input is a JSON object;
// its field "p" is parsed as a pipeline and run over a few fixed documents, with an in-memory
// environment holding collections "c" and "other" (the same documents) and a 1 MB memory cap.
// Parsing and running may fail, but only with registered error codes, and never crash; every
// output document must be valid BSON.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string_view>

#include "common/bson.h"
#include "common/error_codes.h"
#include "common/json/ejson.h"
#include "query/pipeline.h"

namespace {

using mongosd::BsonObj;
using mongosd::Status;
using mongosd::StatusWith;
namespace query = mongosd::query;

std::vector<BsonObj> fixedDocuments() {
    static const char* kDocs[] = {
        R"({"_id": 1, "a": 5, "s": "apple", "t": [1, 2.5, "x"], "d": {"e": [{"f": 1}, {"f": 2}]}})",
        R"({"_id": 2, "a": null, "t": [[7], []], "s": "Banana"})",
        R"({"_id": 3, "a": {"$numberLong": "9"}, "t": [], "d": {"e": 4}})",
        R"({"_id": 4, "a": 2.5, "dt": {"$date": "2021-03-04T05:06:07Z"}})",
    };
    std::vector<BsonObj> out;
    for (const char* d : kDocs) out.push_back(mongosd::json::parseJsonObject(d).getValue());
    return out;
}

class MemoryEnvironment final : public query::PipelineEnvironment {
public:
    StatusWith<std::unique_ptr<query::DocumentSource>> scan(std::string_view coll) override {
        // Nested $lookup/$unionWith multiply the work; a budget keeps each input fast.
        if (++_scans > kMaxScans)
            return Status(mongosd::ErrorCodes::ExceededTimeLimit, "pipeline_fuzz: scan budget");
        auto it = _colls.find(coll);
        if (it != _colls.end()) return query::makeVectorDocumentSource(it->second);
        if (coll == "c" || coll == "other")
            return query::makeVectorDocumentSource(fixedDocuments());
        return query::makeVectorDocumentSource({});
    }
    Status replaceCollection(std::string_view coll, std::vector<BsonObj> docs) override {
        _colls[std::string(coll)] = std::move(docs);
        return Status::OK();
    }
    Status checkForInterrupt() override { return Status::OK(); }

private:
    static constexpr int kMaxScans = 200;
    int _scans = 0;
    std::map<std::string, std::vector<BsonObj>, std::less<>> _colls;
};

void checkStatus(const Status& s) {
    if (s.isOK() || mongosd::ErrorCodes::isKnown(s.code())) return;
    std::fprintf(stderr, "pipeline_fuzz: unregistered error %s\n", s.toString().c_str());
    std::abort();
}

void checkDocument(const BsonObj& d) {
    Status valid = mongosd::validateBson(d.data(), d.size(), mongosd::kMaxInternalBsonSize, 1000);
    if (valid.isOK()) return;
    std::fprintf(stderr, "pipeline_fuzz: invalid output %s\n", valid.toString().c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto doc =
        mongosd::json::parseJsonObject(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!doc.isOK()) return 0;
    bson_iter_t p;
    if (!doc.getValue().view().find("p", &p) || !BSON_ITER_HOLDS_ARRAY(&p)) return 0;
    auto pipeline = query::Pipeline::parse(mongosd::subDocument(p));
    if (!pipeline.isOK()) {
        checkStatus(pipeline.getStatus());
        return 0;
    }
    MemoryEnvironment env;
    query::PipelineContext ctx;
    ctx.env = &env;
    ctx.memoryLimitBytes = 1024 * 1024;
    auto exec = pipeline.getValue().execute(query::makeVectorDocumentSource(fixedDocuments()), ctx);
    for (int i = 0; i < 10000; ++i) {
        auto n = exec->next();
        if (!n.isOK()) {
            checkStatus(n.getStatus());
            return 0;
        }
        if (!n.getValue()) return 0;
        checkDocument(*n.getValue());
    }
    return 0;
}
