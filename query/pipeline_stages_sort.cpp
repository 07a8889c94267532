// $sort: a blocking sort by SortSpec's order (ties keep input order). When a $limit follows,
// the stage keeps only the best `limit` documents in a heap (top-k), so memory is bounded by
// the limit rather than the input.
#include <algorithm>
#include <queue>

#include "query/pipeline_internal.h"
#include "query/sort.h"

namespace mongosd::query {
namespace {

using Source = std::unique_ptr<DocumentSource>;
using MaybeDoc = StatusWith<std::optional<BsonObj>>;

struct SortItem {
    BsonObj key;
    uint64_t seq;
    BsonObj doc;
};

class SortStage final : public DocumentSource {
public:
    SortStage(Source input, const SortSpec& spec, int64_t limit, const PipelineContext& ctx)
        : _input(std::move(input)), _spec(spec), _limit(limit), _ctx(ctx) {}

    MaybeDoc next() override {
        if (!_sorted) {
            MONGOSD_RETURN_IF_ERROR(consume());
            _sorted = true;
        }
        if (_next >= _items.size()) return std::optional<BsonObj>();
        return std::optional<BsonObj>(std::move(_items[_next++].doc));
    }

private:
    bool before(const SortItem& a, const SortItem& b) const {
        int c = _spec.compareKeys(a.key, b.key);
        return c != 0 ? c < 0 : a.seq < b.seq;
    }

    Status consume() {
        auto less = [this](const SortItem& a, const SortItem& b) { return before(a, b); };
        size_t bytes = 0;
        uint64_t pulled = 0;
        for (uint64_t seq = 0;; ++seq) {
            auto d = nextChecked(*_input, _ctx, pulled);
            if (!d.isOK()) return d.getStatus();
            if (!d.getValue()) break;
            SortItem item{_spec.keyFor(*d.getValue()), seq, std::move(*d.getValue())};
            bool bounded = _limit > 0 && _items.size() >= static_cast<size_t>(_limit);
            if (bounded) {
                // _items is a max-heap of the best `limit` so far: replace its worst.
                if (!before(item, _items.front())) continue;
                std::pop_heap(_items.begin(), _items.end(), less);
                bytes -= _items.back().doc.size() + _items.back().key.size();
                _items.pop_back();
            }
            bytes += item.doc.size() + item.key.size();
            MONGOSD_RETURN_IF_ERROR(checkMemory(bytes, _ctx, "$sort"));
            _items.push_back(std::move(item));
            if (_limit > 0) std::push_heap(_items.begin(), _items.end(), less);
        }
        std::sort(_items.begin(), _items.end(), less);
        return Status::OK();
    }

    Source _input;
    const SortSpec& _spec;
    int64_t _limit;
    PipelineContext _ctx;
    std::vector<SortItem> _items;
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
