// Helpers shared by the pipeline stages (pipeline_internal.h).
#include "query/pipeline_internal.h"

#include "common/invariant.h"

namespace mongosd::query {

Variables documentVariables(BsonView doc, const PipelineContext& ctx) {
    Variables vars(doc);
    vars.parent = ctx.variables;
    return vars;
}

Status checkMemory(size_t bytes, const PipelineContext& ctx, std::string_view stage) {
    if (!ctx.allowDiskUse && bytes > ctx.memoryLimitBytes)
        return Status(ErrorCodes::QueryExceededMemoryLimitNoDiskUseAllowed,
                      "Exceeded memory limit for " + std::string(stage) + " (" +
                          std::to_string(ctx.memoryLimitBytes) +
                          " bytes), but didn't allow external sort. Pass allowDiskUse:true to "
                          "opt in.");
    if (ctx.allowDiskUse && bytes > ctx.diskUseMemoryLimitBytes)
        return Status(ErrorCodes::ExceededMemoryLimit,
                      std::string(stage) + " exceeded the in-memory ceiling of " +
                          std::to_string(ctx.diskUseMemoryLimitBytes) +
                          " bytes for allowDiskUse; spilling to disk is not supported");
    return Status::OK();
}

StatusWith<std::unique_ptr<Expression>> parseStageExpression(const bson_iter_t& it,
                                                             const StageParseContext& ctx) {
    return parseExpression(it, ctx.expr);
}

Status stageError(ErrorCodes::Error code, std::string message) {
    return Status(code, std::move(message));
}

BsonObj valueToDocument(const Value& v) {
    invariant(v.type() == BSON_TYPE_DOCUMENT);
    return BsonObj::copyOf(v.nested());
}

StatusWith<std::optional<BsonObj>> nextChecked(DocumentSource& source, const PipelineContext& ctx,
                                               uint64_t& pulled) {
    if (++pulled % 256 == 0 && ctx.env) MONGOSD_RETURN_IF_ERROR(ctx.env->checkForInterrupt());
    return source.next();
}

StatusWith<std::vector<BsonObj>> drainSource(DocumentSource& source, const PipelineContext& ctx,
                                             std::string_view stage) {
    std::vector<BsonObj> docs;
    size_t bytes = 0;
    uint64_t pulled = 0;
    while (true) {
        auto n = nextChecked(source, ctx, pulled);
        if (!n.isOK()) return n.getStatus();
        if (!n.getValue()) return docs;
        bytes += n.getValue()->size();
        MONGOSD_RETURN_IF_ERROR(checkMemory(bytes, ctx, stage));
        docs.push_back(std::move(*n.getValue()));
    }
}

StatusWith<std::optional<BsonObj>> MapStage::next() {
    while (true) {
        auto n = _input->next();
        if (!n.isOK() || !n.getValue()) return n;
        auto mapped = _fn(*n.getValue());
        if (!mapped.isOK() || mapped.getValue()) return mapped;
    }
}

}  // namespace mongosd::query

namespace mongosd::query {

BsonObj setPathValue(BsonView doc, const FieldPath& path, const Value& v, size_t from) {
    std::string_view key = path.part(from);
    bool last = from + 1 == path.size();
    BsonBuilder b;
    bool found = false;
    auto emit = [&](const bson_iter_t* existing) {
        found = true;
        if (last) {
            v.appendTo(b, key);
            return;
        }
        BsonView sub =
            existing && BSON_ITER_HOLDS_DOCUMENT(existing) ? subDocument(*existing) : BsonView();
        b.appendDocument(key, setPathValue(sub, path, v, from + 1));
    };
    bson_iter_t it;
    doc.iterInit(&it);
    while (bson_iter_next(&it)) {
        if (iterKey(it) == key && !found)
            emit(&it);
        else
            b.appendIter(iterKey(it), it);
    }
    if (!found && !(last && v.missing())) emit(nullptr);
    return b.obj();
}

Value getPathValue(BsonView doc, const FieldPath& path) {
    BsonView cur = doc;
    for (size_t i = 0; i < path.size(); ++i) {
        bson_iter_t it;
        if (!cur.find(path.part(i), &it)) return Value();
        if (i + 1 == path.size()) return Value::fromIter(it);
        if (!BSON_ITER_HOLDS_DOCUMENT(&it)) return Value();
        cur = subDocument(it);
    }
    return Value();
}

}  // namespace mongosd::query
