// $sort: a blocking sort by SortSpec's order (ties keep input order). When a $limit follows,
// the stage keeps only the best `limit` documents in a heap (top-k), so memory is bounded by
// the limit rather than the input.
#include "query/pipeline_internal.h"
#include "query/sort.h"

namespace mongosd::query {
namespace {

using Source = std::unique_ptr<DocumentSource>;
using MaybeDoc = StatusWith<std::optional<BsonObj>>;

class SortStage final : public DocumentSource {
public:
    SortStage(Source input, const SortSpec& spec, int64_t limit, const PipelineContext& ctx)
        : _input(std::move(input)), _sorter(spec, limit), _ctx(ctx) {}

    MaybeDoc next() override {
        if (!_sorted) {
            MONGOSD_RETURN_IF_ERROR(consume());
            _sorted = true;
        }
        if (_next >= _docs.size()) return std::optional<BsonObj>();
        return std::optional<BsonObj>(std::move(_docs[_next++]));
    }

private:
    Status consume() {
        uint64_t pulled = 0;
        while (true) {
            auto d = nextChecked(*_input, _ctx, pulled);
            if (!d.isOK()) return d.getStatus();
            if (!d.getValue()) break;
            _sorter.add(std::move(*d.getValue()));
            MONGOSD_RETURN_IF_ERROR(checkMemory(_sorter.bytes(), _ctx, "$sort"));
        }
        _docs = _sorter.finish();
        return Status::OK();
    }

    Source _input;
    TopKSorter _sorter;
    PipelineContext _ctx;
    std::vector<BsonObj> _docs;
    bool _sorted = false;
    size_t _next = 0;
};

class SortStageSpec final : public StageSpec {
public:
    SortStageSpec(SortSpec spec, int64_t limit) : _spec(std::move(spec)), _limit(limit) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        return std::make_unique<SortStage>(std::move(input), _spec, _limit, ctx);
    }
    std::shared_ptr<const StageSpec> withLimit(int64_t limit) const override {
        int64_t bound = _limit > 0 ? std::min(_limit, limit) : limit;
        return std::make_shared<SortStageSpec>(_spec, bound);
    }

private:
    SortSpec _spec;
    int64_t _limit;  // 0: unbounded
};

Status checkSortSpec(BsonView spec) {
    bson_iter_t it;
    spec.iterInit(&it);
    while (bson_iter_next(&it)) {
        double d = BSON_ITER_HOLDS_NUMBER(&it) ? bson_iter_as_double(&it) : 0;
        if (d != 1 && d != -1)
            return stageError(ErrorCodes::Location15975,
                              "$sort key ordering must be 1 (for ascending) or -1 (for "
                              "descending)");
    }
    return Status::OK();
}

StatusWith<StagePtr> parseSort(const bson_iter_t& arg, const StageParseContext&) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location15973,
                          "the $sort key specification must be an "
                          "object");
    BsonView spec = subDocument(arg);
    if (spec.isEmpty())
        return stageError(ErrorCodes::Location15976, "$sort stage must have at least one sort key");
    MONGOSD_RETURN_IF_ERROR(checkSortSpec(spec));
    auto s = SortSpec::parse(spec);
    if (!s.isOK()) return s.getStatus();
    return StagePtr(std::make_shared<SortStageSpec>(std::move(s.getValue()), 0));
}

}  // namespace

void registerSortStages() { registerStage("$sort", parseSort); }

}  // namespace mongosd::query
