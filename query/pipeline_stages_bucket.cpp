// $bucket (fixed boundaries, like a $group by the enclosing boundary, sorted) and $bucketAuto
// (boundaries chosen so buckets hold about the same number of documents; equal values never
// straddle two buckets). Both default their output to {count: {$sum: 1}}.
#include <algorithm>

#include "query/expression_internal.h"
#include "query/pipeline_internal.h"

namespace mongosd::query {
namespace {

using Source = std::unique_ptr<DocumentSource>;
using MaybeDoc = StatusWith<std::optional<BsonObj>>;

// The type bracket boundaries must share (numbers are one bracket).
int typeBracket(const Value& v) { return v.isNumber() ? -1 : static_cast<int>(v.type()); }

struct BucketOptions {
    std::shared_ptr<const Expression> groupBy;
    std::vector<Value> boundaries;
    std::optional<Value> defaultKey;
    std::vector<AccumulatedField> output;
};

// Reads the whole input, folding each document into its bucket, then yields them sorted.
class BucketStage final : public BlockingStage {
public:
    BucketStage(Source input, const BucketOptions& o, const PipelineContext& ctx)
        : _input(std::move(input)), _o(o), _ctx(ctx), _grouper(o.output, ctx, "$bucket") {}

private:
    StatusWith<Value> bucketOf(const Variables& vars) const {
        auto v = _o.groupBy->evaluate(vars);
        if (!v.isOK()) return v;
        Value x = v.getValue().missing() ? Value::null() : v.getValue();
        const auto& b = _o.boundaries;
        if (compareValue(x, b.front()) >= 0 && compareValue(x, b.back()) < 0) {
            auto upper = std::upper_bound(
                b.begin(), b.end(), x,
                [](const Value& a, const Value& c) { return compareValue(a, c) < 0; });
            return *(upper - 1);
        }
        if (_o.defaultKey) return *_o.defaultKey;
        return stageError(ErrorCodes::Location40066,
                          "$switch could not find a matching branch for an input, and no default "
                          "was specified.");
    }

    Status consume() override {
        uint64_t pulled = 0;
        while (true) {
            auto d = nextChecked(*_input, _ctx, pulled);
            if (!d.isOK()) return d.getStatus();
            if (!d.getValue()) break;
            Variables vars = documentVariables(d.getValue()->view(), _ctx);
            auto key = bucketOf(vars);
            if (!key.isOK()) return key.getStatus();
            MONGOSD_RETURN_IF_ERROR(_grouper.add(key.getValue(), vars));
        }
        _out = _grouper.results();
        auto id = [](const BsonObj& g) {
            bson_iter_t it;
            g.view().find("_id", &it);
            return Value::fromIter(it);
        };
        std::stable_sort(_out.begin(), _out.end(), [&](const BsonObj& a, const BsonObj& b) {
            return compareValue(id(a), id(b)) < 0;
        });
        return Status::OK();
    }

    Source _input;
    const BucketOptions& _o;
    PipelineContext _ctx;
    Grouper _grouper;
};

class BucketSpec final : public StageSpec {
public:
    explicit BucketSpec(BucketOptions o) : _o(std::move(o)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        return std::make_unique<BucketStage>(std::move(input), _o, ctx);
    }

private:
    BucketOptions _o;
};

Status checkGroupBy(const bson_iter_t& it, ErrorCodes::Error code, std::string_view stage) {
    bool path = BSON_ITER_HOLDS_UTF8(&it) && bson_iter_utf8(&it, nullptr)[0] == '$';
    if (path || BSON_ITER_HOLDS_DOCUMENT(&it)) return Status::OK();
    return stageError(code, "The " + std::string(stage) +
                                " 'groupBy' field must be defined as a "
                                "$-prefixed path or an expression");
}

Status parseBoundaries(const bson_iter_t& it, BucketOptions& o) {
    if (!BSON_ITER_HOLDS_ARRAY(&it))
        return stageError(ErrorCodes::Location40200,
                          "The $bucket 'boundaries' field must be an "
                          "array");
    o.boundaries = Value::fromIter(it).arrayElements();
    if (o.boundaries.size() < 2)
        return stageError(ErrorCodes::Location40192,
                          "The $bucket 'boundaries' field must have at least 2 values");
    for (size_t i = 1; i < o.boundaries.size(); ++i) {
        if (typeBracket(o.boundaries[i]) != typeBracket(o.boundaries[0]))
            return stageError(ErrorCodes::Location40193,
                              "All values in the 'boundaries' option to $bucket must have the "
                              "same type");
        if (compareValue(o.boundaries[i - 1], o.boundaries[i]) >= 0)
            return stageError(ErrorCodes::Location40194,
                              "The 'boundaries' option to $bucket must be sorted in ascending "
                              "order");
    }
    return Status::OK();
}

Status checkDefault(const BucketOptions& o) {
    if (!o.defaultKey || typeBracket(*o.defaultKey) != typeBracket(o.boundaries[0]))
        return Status::OK();
    if (compareValue(*o.defaultKey, o.boundaries.front()) >= 0 &&
        compareValue(*o.defaultKey, o.boundaries.back()) < 0)
        return stageError(ErrorCodes::Location40199,
                          "The $bucket 'default' field must be less than the lowest boundary or "
                          "greater than or equal to the highest boundary.");
    return Status::OK();
}

StatusWith<StagePtr> parseBucket(const bson_iter_t& arg, const StageParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location40201, "Argument to $bucket stage must be an object");
    BucketOptions o;
    bson_iter_t output;
    bool hasOutput = false;
    bson_iter_t it;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (key == "groupBy") {
            MONGOSD_RETURN_IF_ERROR(checkGroupBy(it, ErrorCodes::Location40202, "$bucket"));
            auto e = parseStageExpression(it, ctx);
            if (!e.isOK()) return e.getStatus();
            o.groupBy = std::move(e.getValue());
        } else if (key == "boundaries") {
            MONGOSD_RETURN_IF_ERROR(parseBoundaries(it, o));
        } else if (key == "default") {
            o.defaultKey = Value::fromIter(it);
        } else if (key == "output") {
            output = it;
            hasOutput = true;
        } else {
            return stageError(ErrorCodes::Location40197,
                              "Unrecognized option to $bucket: " + std::string(key));
        }
    }
    if (!o.groupBy || o.boundaries.empty())
        return stageError(ErrorCodes::Location40198,
                          "$bucket requires 'groupBy' and 'boundaries' to be specified.");
    MONGOSD_RETURN_IF_ERROR(checkDefault(o));
    auto fields = parseBucketOutput(hasOutput ? &output : nullptr, ctx, ErrorCodes::Location40196);
    if (!fields.isOK()) return fields.getStatus();
    o.output = std::move(fields.getValue());
    return StagePtr(std::make_shared<BucketSpec>(std::move(o)));
}

}  // namespace

StatusWith<std::vector<AccumulatedField>> parseBucketOutput(const bson_iter_t* output,
                                                            const StageParseContext& ctx,
                                                            ErrorCodes::Error code) {
    if (!output)
        return std::vector<AccumulatedField>{
            {"count", *accumulatorFactory("$sum"), expr::makeConstant(Value::int32(1))}};
    if (!BSON_ITER_HOLDS_DOCUMENT(output))
        return stageError(code, "The 'output' field must be an object");
    return parseAccumulatedFields(subDocument(*output), "", ctx);
}

void registerBucketStages() {
    registerStage("$bucket", parseBucket);
    registerBucketAutoStage();
}

}  // namespace mongosd::query
