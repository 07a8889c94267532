// $unionWith, $facet and $out.
#include "query/pipeline_internal.h"

namespace mongosd::query {
namespace {

using Source = std::unique_ptr<DocumentSource>;
using MaybeDoc = StatusWith<std::optional<BsonObj>>;

// $unionWith: the input, then the other collection (through its pipeline).
class UnionStage final : public DocumentSource {
public:
    UnionStage(Source input, const std::string& coll, const Pipeline* pipeline,
               const PipelineContext& ctx)
        : _input(std::move(input)), _coll(coll), _pipeline(pipeline), _ctx(ctx) {}
    MaybeDoc next() override {
        if (_input) {
            auto d = _input->next();
            if (!d.isOK() || d.getValue()) return d;
            _input.reset();
            if (!_ctx.env)
                return stageError(ErrorCodes::IllegalOperation,
                                  "$unionWith needs a "
                                  "database");
            auto scan = _ctx.env->scan(_coll);
            if (!scan.isOK()) return scan.getStatus();
            _other = std::move(scan.getValue());
            if (_pipeline) _other = _pipeline->execute(std::move(_other), _ctx);
        }
        return _other->next();
    }

private:
    Source _input;
    const std::string& _coll;
    const Pipeline* _pipeline;
    PipelineContext _ctx;
    Source _other;
};

class UnionSpec final : public StageSpec {
public:
    UnionSpec(std::string coll, std::optional<Pipeline> p)
        : _coll(std::move(coll)), _pipeline(std::move(p)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        const Pipeline* p = _pipeline ? &*_pipeline : nullptr;
        return std::make_unique<UnionStage>(std::move(input), _coll, p, ctx);
    }
    void collectCollections(std::vector<std::string>& out) const override {
        out.push_back(_coll);
        if (_pipeline)
            for (auto& c : _pipeline->referencedCollections()) out.push_back(std::move(c));
    }

private:
    std::string _coll;
    std::optional<Pipeline> _pipeline;
};

StatusWith<StagePtr> parseUnionWith(const bson_iter_t& arg, const StageParseContext& ctx) {
    if (BSON_ITER_HOLDS_UTF8(&arg))
        return StagePtr(std::make_shared<UnionSpec>(bson_iter_utf8(&arg, nullptr), std::nullopt));
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::FailedToParse,
                          "the $unionWith stage specification must be an object or string");
    std::string coll;
    std::optional<Pipeline> pipeline;
    bson_iter_t it;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (key == "coll" && BSON_ITER_HOLDS_UTF8(&it)) {
            coll = bson_iter_utf8(&it, nullptr);
        } else if (key == "pipeline" && BSON_ITER_HOLDS_ARRAY(&it)) {
            auto p =
                Pipeline::parse(subDocument(it), {PipelineKind::kUnionWith, ctx.options.variables});
            if (!p.isOK()) return p.getStatus();
            pipeline = std::move(p.getValue());
        } else if (key == "coll" || key == "pipeline") {
            return stageError(ErrorCodes::TypeMismatch,
                              "$unionWith '" + std::string(key) + "' has the wrong type");
        } else {
            return stageError(ErrorCodes::FailedToParse,
                              "unknown argument to $unionWith: " + std::string(key));
        }
    }
    if (coll.empty())
        return stageError(ErrorCodes::FailedToParse, "$unionWith requires a 'coll' string");
    return StagePtr(std::make_shared<UnionSpec>(std::move(coll), std::move(pipeline)));
}

// $facet: every sub-pipeline over the same (materialised) input; one output document.
class FacetStage final : public DocumentSource {
public:
    FacetStage(Source input, const std::vector<std::pair<std::string, Pipeline>>& facets,
               const PipelineContext& ctx)
        : _input(std::move(input)), _facets(facets), _ctx(ctx) {}
    MaybeDoc next() override {
        if (_done) return std::optional<BsonObj>();
        _done = true;
        auto docs = drainSource(*_input, _ctx, "$facet");
        if (!docs.isOK()) return docs.getStatus();
        BsonBuilder out;
        for (const auto& [name, pipeline] : _facets) {
            auto results = drainSource(
                *pipeline.execute(makeVectorDocumentSource(docs.getValue()), _ctx), _ctx, "$facet");
            if (!results.isOK()) return results.getStatus();
            std::vector<Value> values;
            for (const auto& r : results.getValue()) values.push_back(Value::document(r));
            Value::array(values).appendTo(out, name);
        }
        if (out.size() > kMaxUserBsonSize)
            return stageError(ErrorCodes::BSONObjectTooLarge,
                              "$facet's output document exceeds 16MB");
        return std::optional<BsonObj>(out.obj());
    }

private:
    Source _input;
    const std::vector<std::pair<std::string, Pipeline>>& _facets;
    PipelineContext _ctx;
    bool _done = false;
};

class FacetSpec final : public StageSpec {
public:
    explicit FacetSpec(std::vector<std::pair<std::string, Pipeline>> f) : _facets(std::move(f)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        return std::make_unique<FacetStage>(std::move(input), _facets, ctx);
    }
    void collectCollections(std::vector<std::string>& out) const override {
        for (const auto& [_, p] : _facets)
            for (auto& c : p.referencedCollections()) out.push_back(std::move(c));
    }

private:
    std::vector<std::pair<std::string, Pipeline>> _facets;
};

StatusWith<StagePtr> parseFacet(const bson_iter_t& arg, const StageParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg) || subDocument(arg).isEmpty())
        return stageError(ErrorCodes::Location40169,
                          "the $facet specification must be a non-empty object");
    std::vector<std::pair<std::string, Pipeline>> facets;
    bson_iter_t it;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) {
        std::string name(iterKey(it));
        auto path = FieldPath::parse(name);
        if (!path.isOK() || path.getValue().size() != 1)
            return stageError(ErrorCodes::Location40183, "invalid $facet output field: " + name);
        if (!BSON_ITER_HOLDS_ARRAY(&it))
            return stageError(ErrorCodes::Location40170,
                              "arguments to $facet must be arrays, " + name + " is not");
        auto p = Pipeline::parse(subDocument(it), {PipelineKind::kFacet, ctx.options.variables});
        if (!p.isOK()) return p.getStatus();
        facets.emplace_back(std::move(name), std::move(p.getValue()));
    }
    return StagePtr(std::make_shared<FacetSpec>(std::move(facets)));
}

// $out: replaces the collection with every input document; yields nothing.
class OutStage final : public DocumentSource {
public:
    OutStage(Source input, const std::string& coll, const PipelineContext& ctx)
        : _input(std::move(input)), _coll(coll), _ctx(ctx) {}
    MaybeDoc next() override {
        if (_done) return std::optional<BsonObj>();
        _done = true;
        if (!_ctx.env) return stageError(ErrorCodes::IllegalOperation, "$out needs a database");
        std::vector<BsonObj> docs;
        uint64_t pulled = 0;
        while (true) {
            auto d = nextChecked(*_input, _ctx, pulled);
            if (!d.isOK()) return d.getStatus();
            if (!d.getValue()) break;
            docs.push_back(std::move(*d.getValue()));
        }
        MONGOSD_RETURN_IF_ERROR(_ctx.env->replaceCollection(_coll, std::move(docs)));
        return std::optional<BsonObj>();
    }

private:
    Source _input;
    const std::string& _coll;
    PipelineContext _ctx;
    bool _done = false;
};

class OutSpec final : public StageSpec {
public:
    explicit OutSpec(std::string coll) : _coll(std::move(coll)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        return std::make_unique<OutStage>(std::move(input), _coll, ctx);
    }
    void collectCollections(std::vector<std::string>& out) const override { out.push_back(_coll); }
    std::optional<std::string> outCollection() const override { return _coll; }

private:
    std::string _coll;
};

StatusWith<StagePtr> parseOut(const bson_iter_t& arg, const StageParseContext&) {
    if (BSON_ITER_HOLDS_UTF8(&arg))
        return StagePtr(std::make_shared<OutSpec>(bson_iter_utf8(&arg, nullptr)));
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location16990,
                          "$out only supports a string or object argument");
    bson_iter_t coll, db;
    BsonView spec = subDocument(arg);
    if (!spec.find("coll", &coll) || !BSON_ITER_HOLDS_UTF8(&coll))
        return stageError(ErrorCodes::FailedToParse, "$out requires a 'coll' string");
    if (spec.find("db", &db))
        return stageError(ErrorCodes::NotImplemented,
                          "$out to another database ('db') is not supported");
    return StagePtr(std::make_shared<OutSpec>(bson_iter_utf8(&coll, nullptr)));
}

}  // namespace

void registerUnionFacetOutStages() {
    registerStage("$unionWith", parseUnionWith);
    registerStage("$facet", parseFacet);
    registerStage("$out", parseOut);
}

}  // namespace mongosd::query
