// Pipeline parsing (the stage registry and the placement rules) and execution (chaining each
// stage's executor onto the previous one).
#include "query/pipeline.h"

#include <map>
#include <mutex>

#include "query/expression_internal.h"
#include "query/pipeline_internal.h"

namespace mongosd::query {
namespace {

std::map<std::string, StageParser, std::less<>>& registry() {
    static std::map<std::string, StageParser, std::less<>> r;
    return r;
}

void registerAll() {
    static std::once_flag once;
    std::call_once(once, [] {
        registerBasicStages();
        registerAddFieldsStages();
        registerGroupStages();
        registerSortStages();
        registerUnwindStage();
        registerLookupStages();
        registerBucketStages();
        registerUnionFacetOutStages();
    });
}

class VectorDocumentSource final : public DocumentSource {
public:
    explicit VectorDocumentSource(std::vector<BsonObj> docs) : _docs(std::move(docs)) {}
    StatusWith<std::optional<BsonObj>> next() override {
        if (_next >= _docs.size()) return std::optional<BsonObj>();
        return std::optional<BsonObj>(std::move(_docs[_next++]));
    }

private:
    std::vector<BsonObj> _docs;
    size_t _next = 0;
};

bool allowedInUpdate(std::string_view name) {
    return name == "$addFields" || name == "$set" || name == "$project" || name == "$unset" ||
           name == "$replaceRoot" || name == "$replaceWith";
}

// MongoDB's placement rules for the stages that are not allowed everywhere.
Status checkPlacement(std::string_view name, bool last, PipelineKind kind) {
    if (kind == PipelineKind::kUpdate && !allowedInUpdate(name))
        return stageError(ErrorCodes::InvalidOptions,
                          std::string(name) + " is not allowed to be used within an update");
    if (name == "$out") {
        if (kind == PipelineKind::kFacet)
            return stageError(ErrorCodes::Location40600,
                              "$out is not allowed to be used within a $facet stage");
        if (kind == PipelineKind::kLookup || kind == PipelineKind::kUnionWith)
            return stageError(ErrorCodes::Location51047,
                              "$out is not allowed within a $lookup or $unionWith sub-pipeline");
        if (!last)
            return stageError(ErrorCodes::Location40601,
                              "$out can only be the final stage in the pipeline");
    }
    if (name == "$facet" && kind == PipelineKind::kFacet)
        return stageError(ErrorCodes::Location40600,
                          "$facet is not allowed to be used within a $facet stage");
    return Status::OK();
}

// Fills the stage's name and argument. (bson_iter_t is over-aligned by a typedef attribute that
// templates drop, so it never goes into a pair, optional or container.)
Status stageNameAndArg(const bson_iter_t& stage, std::string* name, bson_iter_t* arg) {
    static const char* kShape =
        "A pipeline stage specification object must contain exactly one "
        "field.";
    if (!BSON_ITER_HOLDS_DOCUMENT(&stage))
        return stageError(ErrorCodes::TypeMismatch,
                          "Each element of the 'pipeline' array must "
                          "be an object");
    bson_iter_t it;
    bson_iter_recurse(&stage, &it);
    if (!bson_iter_next(&it)) return stageError(ErrorCodes::Location40323, kShape);
    *name = std::string(iterKey(it));
    *arg = it;
    if (bson_iter_next(&it)) return stageError(ErrorCodes::Location40323, kShape);
    return Status::OK();
}

}  // namespace

StatusWith<Pipeline> Pipeline::parse(BsonView stages, const PipelineParseOptions& options) {
    registerAll();
    StageParseContext ctx{options, ParseContext{options.variables, 0}};
    Pipeline p;
    bson_iter_t stage;
    if (!stages.iterInit(&stage)) return stageError(ErrorCodes::InvalidBSON, "bad pipeline");
    // bson_iter_t is over-aligned: count the stages rather than store iterators on the heap.
    size_t count = 0;
    for (bson_iter_t c = stage; bson_iter_next(&c);) ++count;
    for (size_t i = 0; bson_iter_next(&stage); ++i) {
        std::string name;
        bson_iter_t arg;
        MONGOSD_RETURN_IF_ERROR(stageNameAndArg(stage, &name, &arg));
        auto found = registry().find(name);
        if (found == registry().end())
            return stageError(ErrorCodes::Location40324,
                              "Unrecognized pipeline stage name: '" + name + "'");
        MONGOSD_RETURN_IF_ERROR(checkPlacement(name, i + 1 == count, options.kind));
        auto spec = found->second(arg, ctx);
        if (!spec.isOK()) return spec.getStatus();
        p._stages.push_back(std::move(spec.getValue()));
    }
    // $sort followed by $limit: the sort keeps only the first `limit` documents (top-k).
    for (size_t i = 0; i + 1 < p._stages.size(); ++i) {
        int64_t limit = p._stages[i + 1]->limitCount();
        if (limit < 0) continue;
        if (auto bounded = p._stages[i]->withLimit(limit)) p._stages[i] = std::move(bounded);
    }
    return p;
}

std::unique_ptr<DocumentSource> Pipeline::execute(std::unique_ptr<DocumentSource> input,
                                                  const PipelineContext& ctx) const {
    for (const auto& s : _stages) input = s->makeStage(std::move(input), ctx);
    return input;
}

std::vector<std::string> Pipeline::referencedCollections() const {
    std::vector<std::string> out;
    for (const auto& s : _stages) s->collectCollections(out);
    return out;
}

std::optional<BsonObj> Pipeline::leadingMatchFilter() const {
    if (_stages.empty()) return std::nullopt;
    return _stages.front()->matchFilter();
}

std::optional<std::string> Pipeline::outCollection() const {
    if (_stages.empty()) return std::nullopt;
    return _stages.back()->outCollection();
}

std::unique_ptr<DocumentSource> makeVectorDocumentSource(std::vector<BsonObj> docs) {
    return std::make_unique<VectorDocumentSource>(std::move(docs));
}

StatusWith<std::vector<BsonObj>> runPipelineOn(const Pipeline& pipeline, BsonView doc,
                                               const PipelineContext& ctx) {
    auto exec = pipeline.execute(makeVectorDocumentSource({BsonObj::copyOf(doc)}), ctx);
    std::vector<BsonObj> out;
    while (true) {
        auto n = exec->next();
        if (!n.isOK()) return n.getStatus();
        if (!n.getValue()) return out;
        out.push_back(std::move(*n.getValue()));
    }
}

StatusWith<std::vector<std::pair<std::string, Value>>> evaluateLetVariables(BsonView let) {
    std::vector<std::pair<std::string, Value>> out;
    Variables empty{BsonView()};
    bson_iter_t it;
    let.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string name(iterKey(it));
        MONGOSD_RETURN_IF_ERROR(expr::checkVariableName(name));
        auto e = parseExpression(it, ParseContext{});
        if (!e.isOK()) return e.getStatus();
        auto v = e.getValue()->evaluate(empty);
        if (!v.isOK()) return v.getStatus();
        out.emplace_back(std::move(name), v.getValue().missing() ? Value::null() : v.getValue());
    }
    return out;
}

void registerStage(const std::string& name, StageParser parser) {
    registry()[name] = std::move(parser);
}

}  // namespace mongosd::query
