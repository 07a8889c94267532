// $bucketAuto: sorts the input by `groupBy` and cuts it into at most `buckets` buckets of about
// round(n / buckets) documents each, extending a bucket while the next value equals its last
// (equal values stay together); the last bucket takes the rest. A bucket's _id is {min, max},
// max being the next bucket's min (or the last value for the final bucket). No granularity.
#include <algorithm>
#include <cmath>

#include "query/pipeline_internal.h"

namespace mongosd::query {
namespace {

using Source = std::unique_ptr<DocumentSource>;
using MaybeDoc = StatusWith<std::optional<BsonObj>>;

struct BucketAutoOptions {
    std::shared_ptr<const Expression> groupBy;
    int64_t buckets = 0;
    std::vector<AccumulatedField> output;
};

struct Keyed {
    Value key;
    BsonObj doc;
};

class BucketAutoStage final : public BlockingStage {
public:
    BucketAutoStage(Source input, const BucketAutoOptions& o, const PipelineContext& ctx)
        : _input(std::move(input)), _o(o), _ctx(ctx) {}

private:
    Status consume() override {
        std::vector<Keyed> items;
        size_t bytes = 0;
        uint64_t pulled = 0;
        while (true) {
            auto d = nextChecked(*_input, _ctx, pulled);
            if (!d.isOK()) return d.getStatus();
            if (!d.getValue()) break;
            auto k = _o.groupBy->evaluate(documentVariables(d.getValue()->view(), _ctx));
            if (!k.isOK()) return k.getStatus();
            Value key = k.getValue().missing() ? Value::null() : k.getValue();
            bytes += d.getValue()->size() + valueBytes(key);
            MONGOSD_RETURN_IF_ERROR(checkMemory(bytes, _ctx, "$bucketAuto"));
            items.push_back({std::move(key), std::move(*d.getValue())});
        }
        std::stable_sort(items.begin(), items.end(), [](const Keyed& a, const Keyed& b) {
            return compareValue(a.key, b.key) < 0;
        });
        return emitBuckets(items);
    }

    Status emitBuckets(const std::vector<Keyed>& items) {
        size_t n = items.size();
        double exact = static_cast<double>(n) / static_cast<double>(_o.buckets);
        size_t target = std::max<size_t>(1, static_cast<size_t>(std::llround(exact)));
        size_t start = 0;
        for (int64_t b = 0; start < n; ++b) {
            size_t end = b + 1 == _o.buckets ? n : std::min(n, start + target);
            while (end < n && compareValue(items[end].key, items[end - 1].key) == 0) ++end;
            const Value& max = end < n ? items[end].key : items[end - 1].key;
            MONGOSD_RETURN_IF_ERROR(emitBucket(items, start, end, max));
            start = end;
        }
        return Status::OK();
    }

    Status emitBucket(const std::vector<Keyed>& items, size_t start, size_t end, const Value& max) {
        std::vector<std::unique_ptr<Accumulator>> accs;
        for (const auto& f : _o.output) accs.push_back(f.factory());
        for (size_t i = start; i < end; ++i) {
            Variables vars = documentVariables(items[i].doc.view(), _ctx);
            for (size_t a = 0; a < accs.size(); ++a) {
                auto v = _o.output[a].arg->evaluate(vars);
                if (!v.isOK()) return v.getStatus();
                accs[a]->process(v.getValue());
            }
        }
        BsonBuilder b;
        b.appendDocument("_id", [&](BsonBuilder& id) {
            items[start].key.appendTo(id, "min");
            max.appendTo(id, "max");
        });
        for (size_t a = 0; a < accs.size(); ++a) accs[a]->finish().appendTo(b, _o.output[a].field);
        _out.push_back(b.obj());
        return Status::OK();
    }

    Source _input;
    const BucketAutoOptions& _o;
    PipelineContext _ctx;
};

class BucketAutoSpec final : public StageSpec {
public:
    explicit BucketAutoSpec(BucketAutoOptions o) : _o(std::move(o)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        return std::make_unique<BucketAutoStage>(std::move(input), _o, ctx);
    }

private:
    BucketAutoOptions _o;
};

Status parseBucketsCount(const bson_iter_t& it, BucketAutoOptions& o) {
    Value v = Value::fromIter(it);
    double d = v.isNumber() ? v.asDouble() : 0;
    if (!v.isNumber() || d != std::floor(d) || d <= 0 || d > 2147483647.0)
        return stageError(ErrorCodes::Location40243,
                          "The $bucketAuto 'buckets' field must be a positive 32-bit integer");
    o.buckets = static_cast<int64_t>(d);
    return Status::OK();
}

StatusWith<StagePtr> parseBucketAuto(const bson_iter_t& arg, const StageParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location40240,
                          "The argument to $bucketAuto must be an object");
    BucketAutoOptions o;
    bson_iter_t output;
    bool hasOutput = false;
    bson_iter_t it;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (key == "groupBy") {
            bool path = BSON_ITER_HOLDS_UTF8(&it) && bson_iter_utf8(&it, nullptr)[0] == '$';
            if (!path && !BSON_ITER_HOLDS_DOCUMENT(&it))
                return stageError(ErrorCodes::Location40241,
                                  "The $bucketAuto 'groupBy' field must be defined as a "
                                  "$-prefixed path or an expression object");
            auto e = parseStageExpression(it, ctx);
            if (!e.isOK()) return e.getStatus();
            o.groupBy = std::move(e.getValue());
        } else if (key == "buckets") {
            MONGOSD_RETURN_IF_ERROR(parseBucketsCount(it, o));
        } else if (key == "output") {
            output = it;
            hasOutput = true;
        } else if (key == "granularity") {
            return stageError(ErrorCodes::NotImplemented,
                              "$bucketAuto's 'granularity' is not supported");
        } else {
            return stageError(ErrorCodes::Location40245,
                              "Unrecognized option to $bucketAuto: " + std::string(key));
        }
    }
    if (!o.groupBy || o.buckets == 0)
        return stageError(ErrorCodes::Location40246,
                          "$bucketAuto requires 'groupBy' and 'buckets' to be specified");
    auto fields = parseBucketOutput(hasOutput ? &output : nullptr, ctx, ErrorCodes::Location40244);
    if (!fields.isOK()) return fields.getStatus();
    o.output = std::move(fields.getValue());
    return StagePtr(std::make_shared<BucketAutoSpec>(std::move(o)));
}

}  // namespace

void registerBucketAutoStage() { registerStage("$bucketAuto", parseBucketAuto); }

}  // namespace mongosd::query
