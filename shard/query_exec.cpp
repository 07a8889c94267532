#include "shard/query_exec.h"

#include "query/matcher.h"
#include "query/projection.h"
#include "query/sort.h"
#include "shard/commands/command.h"
#include "shard/query_plan.h"
#include "shard/service.h"
#include "shard/storage/storage_engine.h"

namespace mongosd::shard {
namespace {

using query::MatchExpression;
using query::Projection;
using query::SortSpec;

class VectorSource final : public CursorSource {
public:
    explicit VectorSource(std::vector<BsonObj> docs) : _docs(std::move(docs)) {}
    Status fill(OperationContext&, Batch& batch) override {
        while (_next < _docs.size() && !batch.full() && batch.fits(_docs[_next].size()))
            batch.add(std::move(_docs[_next++]));
        batch.exhausted = _next == _docs.size();
        return Status::OK();
    }

private:
    std::vector<BsonObj> _docs;
    size_t _next = 0;
};

// A plan streamed a batch at a time: each fill() runs the plan in a fresh read transaction
// from where the previous batch stopped.
class PlanSource final : public CursorSource {
public:
    PlanSource(std::string ns, std::unique_ptr<MatchExpression> matcher, Projection projection,
               FindPlan plan, int64_t skip, int64_t limit)
        : _matcher(std::move(matcher)),
          _projection(std::move(projection)),
          _runner(std::move(ns), std::move(plan), _matcher.get(), _projection.hasPositional()),
          _skip(skip),
          _limit(limit) {}

    Status fill(OperationContext& opCtx, Batch& batch) override {
        if (batch.full()) return Status::OK();  // batchSize 0
        auto txn = opCtx.service.engine().beginRead();
        if (!txn.isOK()) return txn.getStatus();
        auto exhausted = _runner.run(
            opCtx, txn.getValue(),
            [&](BsonView doc, std::optional<size_t> position) -> StatusWith<Visit> {
                if (_skip > 0) {
                    --_skip;
                    return Visit::kNext;
                }
                auto projected =
                    _projection.apply(doc, query::ProjectionContext{position, nullptr});
                if (!projected.isOK()) return projected.getStatus();
                if (!batch.fits(projected.getValue().size())) return Visit::kStopBefore;
                batch.add(std::move(projected.getValue()));
                if (_limit > 0 && ++_returned >= _limit) {
                    _limitReached = true;
                    return Visit::kStopAfter;
                }
                return batch.full() ? Visit::kStopAfter : Visit::kNext;
            });
        if (!exhausted.isOK()) return exhausted.getStatus();
        batch.exhausted = exhausted.getValue() || _limitReached;
        return Status::OK();
    }

private:
    std::unique_ptr<MatchExpression> _matcher;
    Projection _projection;
    MatchRunner _runner;
    int64_t _skip;
    int64_t _limit;
    int64_t _returned = 0;
    bool _limitReached = false;
};

}  // namespace

Status forEachMatch(OperationContext& opCtx, const std::string& ns, BsonView filter,
                    const std::function<bool(BsonView doc)>& fn, BsonView hint) {
    auto matcher = query::parseFilter(filter);
    if (!matcher.isOK()) return matcher.getStatus();
    auto txn = opCtx.service.engine().beginRead();
    if (!txn.isOK()) return txn.getStatus();
    auto plan = chooseFindPlan(opCtx, txn.getValue(), FindPlanRequest{ns, filter, {}, hint, {}});
    if (!plan.isOK()) return plan.getStatus();
    MatchRunner runner(ns, std::move(plan.getValue()), matcher.getValue().get(), false);
    auto done = runner.run(opCtx, txn.getValue(),
                           [&](BsonView doc, std::optional<size_t>) -> StatusWith<Visit> {
                               return fn(doc) ? Visit::kNext : Visit::kStopAfter;
                           });
    return done.getStatus();
}

std::unique_ptr<CursorSource> makeVectorSource(std::vector<BsonObj> docs) {
    return std::make_unique<VectorSource>(std::move(docs));
}

StatusWith<std::unique_ptr<CursorSource>> makeFindSource(OperationContext& opCtx, FindSpec spec) {
    auto matcher = query::parseFilter(spec.filter);
    if (!matcher.isOK()) return matcher.getStatus();
    auto projection = Projection::parse(spec.projection);
    if (!projection.isOK()) return projection.getStatus();
    auto sort = SortSpec::parse(spec.sort);
    if (!sort.isOK()) return sort.getStatus();

    auto txn = opCtx.service.engine().beginRead();
    if (!txn.isOK()) return txn.getStatus();
    auto plan = chooseFindPlan(opCtx, txn.getValue(),
                               FindPlanRequest{spec.ns, spec.filter, spec.sort, spec.hint,
                                               spec.projection});
    if (!plan.isOK()) return plan.getStatus();
    if (sort.getValue().empty() || plan.getValue().providesSort) {
        return std::unique_ptr<CursorSource>(std::make_unique<PlanSource>(
            spec.ns, std::move(matcher.getValue()), std::move(projection.getValue()),
            std::move(plan.getValue()), spec.skip, spec.limit));
    }
    MatchRunner runner(spec.ns, std::move(plan.getValue()), matcher.getValue().get(), false);

    // Blocking plan: collect matches, sort, then apply skip/limit/projection. With a limit only
    // the best skip + limit are kept (top-k), so memory follows the limit, not the matches.
    const int64_t keep = spec.limit > 0 ? spec.skip + spec.limit : 0;
    query::TopKSorter sorter(sort.getValue(), keep);
    bool tooBig = false;
    auto ran = runner.run(opCtx, txn.getValue(),
                          [&](BsonView doc, std::optional<size_t>) -> StatusWith<Visit> {
                              sorter.add(BsonObj::copyOf(doc));
                              if (sorter.bytes() > kMaxBlockingSortBytes) {
                                  tooBig = true;
                                  return Visit::kStopAfter;
                              }
                              return Visit::kNext;
                          });
    if (!ran.isOK()) return ran.getStatus();
    if (tooBig)
        return Status(ErrorCodes::ExceededMemoryLimit,
                      "Sort exceeded memory limit of " + std::to_string(kMaxBlockingSortBytes) +
                          " bytes; add an index or a more selective filter");
    std::vector<BsonObj> docs = sorter.finish();
    std::vector<BsonObj> out;
    for (size_t i = static_cast<size_t>(std::min<int64_t>(spec.skip, docs.size())); i < docs.size();
         ++i) {
        if (spec.limit > 0 && static_cast<int64_t>(out.size()) >= spec.limit) break;
        query::ProjectionContext ctx;
        if (projection.getValue().hasPositional()) {
            // Sorting lost each match's array position; matching again finds it.
            auto matched = matcher.getValue()->matchesChecked(docs[i].view(), &ctx.matchedPosition);
            if (!matched.isOK()) return matched.getStatus();
        }
        auto projected = projection.getValue().apply(docs[i].view(), ctx);
        if (!projected.isOK()) return projected.getStatus();
        out.push_back(std::move(projected.getValue()));
    }
    return makeVectorSource(std::move(out));
}

}  // namespace mongosd::shard
