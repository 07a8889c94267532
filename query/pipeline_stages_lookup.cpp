// $lookup (equality, pipeline with `let`, or both), the stages that read or write other
// collections through the PipelineEnvironment.
#include "query/expression_internal.h"
#include "query/matcher.h"
#include "query/path_values.h"
#include "query/pipeline_internal.h"

namespace mongosd::query {
namespace {

using Source = std::unique_ptr<DocumentSource>;
using MaybeDoc = StatusWith<std::optional<BsonObj>>;

struct LookupOptions {
    std::string from;
    std::optional<FieldPath> as;
    std::optional<FieldPath> localField;
    std::optional<FieldPath> foreignField;
    std::vector<std::pair<std::string, std::shared_ptr<const Expression>>> let;
    std::optional<Pipeline> pipeline;
};

// Keeps the documents a filter matches.
class FilterSource final : public DocumentSource {
public:
    FilterSource(Source input, std::unique_ptr<MatchExpression> m)
        : _input(std::move(input)), _matcher(std::move(m)) {}
    MaybeDoc next() override {
        while (true) {
            auto d = _input->next();
            if (!d.isOK() || !d.getValue()) return d;
            auto hit = _matcher->matchesChecked(d.getValue()->view());
            if (!hit.isOK()) return hit.getStatus();
            if (hit.getValue()) return d;
        }
    }

private:
    Source _input;
    std::unique_ptr<MatchExpression> _matcher;
};

// {foreignField: {$in: [local values]}}: an array local value matches by its elements and a
// missing one as null, as MongoDB's equality $lookup.
BsonObj equalityFilter(BsonView doc, const LookupOptions& o) {
    std::vector<BsonObj> values;
    forEachPathValue(doc, *o.localField, true,
                     [&](const bson_iter_t& v) { values.push_back(copyValue(v)); });
    BsonBuilder f;
    f.appendDocument(o.foreignField->dotted(), [&](BsonBuilder& in) {
        in.appendArray("$in", [&](BsonBuilder& arr) {
            char buf[16];
            uint32_t i = 0;
            if (values.empty()) arr.appendNull(arrayIndexKey(i++, buf));
            for (const auto& v : values) {
                bson_iter_t it;
                v.view().iterInit(&it);
                bson_iter_next(&it);
                arr.appendIter(arrayIndexKey(i++, buf), it);
            }
        });
    });
    return f.obj();
}

// The foreign collection, read once per execution when it fits in the memory cap (a
// consistent view, and one scan instead of one per input document); else scanned each time.
class ForeignCache {
public:
    StatusWith<Source> source(const std::string& from, const PipelineContext& ctx) {
        if (!_tried) {
            _tried = true;
            MONGOSD_RETURN_IF_ERROR(fill(from, ctx));
        }
        if (_docs) return makeVectorDocumentSource(*_docs);
        return ctx.env->scan(from);
    }

private:
    Status fill(const std::string& from, const PipelineContext& ctx) {
        auto scan = ctx.env->scan(from);
        if (!scan.isOK()) return scan.getStatus();
        std::vector<BsonObj> docs;
        size_t bytes = 0;
        while (true) {
            auto n = scan.getValue()->next();
            if (!n.isOK()) return n.getStatus();
            if (!n.getValue()) break;
            bytes += n.getValue()->size();
            if (bytes > ctx.memoryLimitBytes) return Status::OK();
            docs.push_back(std::move(*n.getValue()));
        }
        _docs = std::move(docs);
        return Status::OK();
    }

    bool _tried = false;
    std::optional<std::vector<BsonObj>> _docs;
};

class LookupSpec final : public StageSpec {
public:
    explicit LookupSpec(LookupOptions o) : _o(std::move(o)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        auto cache = std::make_shared<ForeignCache>();
        return std::make_unique<MapStage>(
            std::move(input), [this, ctx, cache](const BsonObj& d) -> MaybeDoc {
                auto matches = lookup(d, ctx, *cache);
                if (!matches.isOK()) return matches.getStatus();
                BsonObj out = setPathValue(d.view(), *_o.as, Value::array(matches.getValue()));
                if (out.size() > kMaxUserBsonSize)
                    return stageError(ErrorCodes::BSONObjectTooLarge,
                                      "Total size of documents in " + _o.from +
                                          " matching the $lookup exceeds 16MB");
                return std::optional<BsonObj>(std::move(out));
            });
    }
    void collectCollections(std::vector<std::string>& out) const override {
        out.push_back(_o.from);
        if (_o.pipeline)
            for (auto& c : _o.pipeline->referencedCollections()) out.push_back(std::move(c));
    }

private:
    StatusWith<std::vector<Value>> lookup(const BsonObj& doc, const PipelineContext& ctx,
                                          ForeignCache& cache) const {
        if (!ctx.env) return stageError(ErrorCodes::IllegalOperation, "$lookup needs a database");
        Variables letScope{BsonView()};
        letScope.parent = ctx.variables;
        Variables docVars = documentVariables(doc.view(), ctx);
        for (const auto& [name, e] : _o.let) {
            auto v = e->evaluate(docVars);
            if (!v.isOK()) return v.getStatus();
            letScope.bound.emplace_back(name, v.getValue());
        }
        auto scan = cache.source(_o.from, ctx);
        if (!scan.isOK()) return scan.getStatus();
        Source src = std::move(scan.getValue());
        if (_o.localField) {
            auto m = parseFilter(equalityFilter(doc.view(), _o));
            if (!m.isOK()) return m.getStatus();
            src = std::make_unique<FilterSource>(std::move(src), std::move(m.getValue()));
        }
        PipelineContext sub = ctx;
        sub.variables = &letScope;
        if (_o.pipeline) src = _o.pipeline->execute(std::move(src), sub);
        std::vector<Value> out;
        size_t bytes = 0;
        while (true) {
            auto n = src->next();
            if (!n.isOK()) return n.getStatus();
            if (!n.getValue()) return out;
            bytes += n.getValue()->size();
            if (bytes > kMaxUserBsonSize)
                return stageError(
                    ErrorCodes::BSONObjectTooLarge,
                    "Total size of documents in " + _o.from + " matching the $lookup exceeds 16MB");
            out.push_back(Value::document(*n.getValue()));
        }
    }

    LookupOptions _o;
};

StatusWith<std::string> stringOption(const bson_iter_t& it) {
    if (!BSON_ITER_HOLDS_UTF8(&it))
        return stageError(ErrorCodes::FailedToParse,
                          "$lookup argument '" + std::string(iterKey(it)) + "' must be a string");
    return std::string(bson_iter_utf8(&it, nullptr));
}

Status parseLet(const bson_iter_t& it, LookupOptions& o, const StageParseContext& ctx,
                std::vector<std::string>& names) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&it))
        return stageError(ErrorCodes::FailedToParse, "$lookup argument 'let' must be an object");
    bson_iter_t v;
    bson_iter_recurse(&it, &v);
    while (bson_iter_next(&v)) {
        std::string name(iterKey(v));
        MONGOSD_RETURN_IF_ERROR(expr::checkVariableName(name));
        auto e = parseStageExpression(v, ctx);
        if (!e.isOK()) return e.getStatus();
        o.let.emplace_back(name, std::move(e.getValue()));
        names.push_back(name);
    }
    return Status::OK();
}

Status parseLookupField(const bson_iter_t& it, LookupOptions& o) {
    std::string_view key = iterKey(it);
    auto s = stringOption(it);
    if (!s.isOK()) return s.getStatus();
    if (key == "from") {
        o.from = s.getValue();
        return Status::OK();
    }
    auto p = FieldPath::parse(s.getValue());
    if (!p.isOK()) return p.getStatus();
    if (key == "as") o.as = p.getValue();
    if (key == "localField") o.localField = p.getValue();
    if (key == "foreignField") o.foreignField = p.getValue();
    return Status::OK();
}

StatusWith<StagePtr> parseLookup(const bson_iter_t& arg, const StageParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::FailedToParse, "the $lookup specification must be an object");
    LookupOptions o;
    PipelineParseOptions sub{PipelineKind::kLookup, ctx.options.variables};
    bson_iter_t pipeline;
    bool hasPipeline = false;
    bson_iter_t it;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (key == "let") {
            MONGOSD_RETURN_IF_ERROR(parseLet(it, o, ctx, sub.variables));
        } else if (key == "pipeline") {
            if (!BSON_ITER_HOLDS_ARRAY(&it))
                return stageError(ErrorCodes::FailedToParse, "'pipeline' option must be an array");
            pipeline = it;
            hasPipeline = true;
        } else if (key == "from" || key == "as" || key == "localField" || key == "foreignField") {
            MONGOSD_RETURN_IF_ERROR(parseLookupField(it, o));
        } else {
            return stageError(ErrorCodes::FailedToParse,
                              "unknown argument to $lookup: " + std::string(key));
        }
    }
    if (o.from.empty()) return stageError(ErrorCodes::FailedToParse, "must specify 'from' field");
    if (!o.as) return stageError(ErrorCodes::FailedToParse, "must specify 'as' field");
    if (o.localField.has_value() != o.foreignField.has_value() || (!hasPipeline && !o.localField))
        return stageError(ErrorCodes::FailedToParse,
                          "$lookup requires either 'pipeline' or both 'localField' and "
                          "'foreignField' to be specified");
    if (hasPipeline) {
        auto p = Pipeline::parse(subDocument(pipeline), sub);
        if (!p.isOK()) return p.getStatus();
        o.pipeline = std::move(p.getValue());
    }
    return StagePtr(std::make_shared<LookupSpec>(std::move(o)));
}

}  // namespace

void registerLookupStages() { registerStage("$lookup", parseLookup); }

}  // namespace mongosd::query
