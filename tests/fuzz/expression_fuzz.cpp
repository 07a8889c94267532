// libFuzzer target for the aggregation expression parser and evaluator. The input is a JSON
// object; its field "e" is parsed as an expression and evaluated with the whole object as
// $$ROOT. Parsing and evaluation may fail, but only with the codes the language documents, and
// never crash; a successful result must be valid BSON.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/bson.h"
#include "common/json/ejson.h"
#include "query/expression.h"

namespace {

using mongosd::ErrorCodes;
using mongosd::Status;

void checkErrorCode(const Status& s) {
    switch (s.code()) {
        case ErrorCodes::BadValue:
        case ErrorCodes::TypeMismatch:
        case ErrorCodes::Overflow:
        case ErrorCodes::InvalidPipelineOperator:
        case ErrorCodes::ConversionFailure:
        case ErrorCodes::NotImplemented:
            return;
        default:
            // MongoDB's unnamed assertion codes (Location<n>) are user errors by construction.
            if (ErrorCodes::name(s.code()).starts_with("Location")) return;
            std::fprintf(stderr, "expression_fuzz: unexpected error %s\n", s.toString().c_str());
            std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto doc =
        mongosd::json::parseJsonObject(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!doc.isOK()) return 0;
    bson_iter_t spec;
    if (!doc.getValue().view().find("e", &spec)) return 0;
    auto expr = mongosd::query::parseExpression(spec, mongosd::query::ParseContext{});
    if (!expr.isOK()) {
        checkErrorCode(expr.getStatus());
        return 0;
    }
    auto v = mongosd::query::evaluateExpression(*expr.getValue(), doc.getValue());
    if (!v.isOK()) {
        checkErrorCode(v.getStatus());
        return 0;
    }
    if (!v.getValue().missing()) {
        mongosd::BsonBuilder b;
        v.getValue().appendTo(b, "v");
        mongosd::BsonObj out = b.obj();
        Status valid =
            mongosd::validateBson(out.data(), out.size(), mongosd::kMaxInternalBsonSize, 1000);
        if (!valid.isOK()) {
            std::fprintf(stderr, "expression_fuzz: invalid result %s\n", valid.toString().c_str());
            std::abort();
        }
    }
    return 0;
}
