// explain: the plan a find or count would run ("queryPlanner"), and its counters after running
// it ("executionStats"; "allPlansExecution" is answered as executionStats).
#include <chrono>

#include "query/matcher.h"
#include "query/sort.h"
#include "shard/commands/command.h"
#include "shard/query_exec.h"
#include "shard/query_plan.h"
#include "shard/service.h"
#include "shard/storage/storage_engine.h"

namespace mongosd::shard {
namespace {

struct ExplainedQuery {
    std::string ns;
    BsonView filter;
    BsonView sort;
    BsonView projection;
    BsonObj hint;
    int64_t skip = 0;
    int64_t limit = 0;
};

StatusWith<ExplainedQuery> parseExplained(OperationContext& opCtx, const CommandArgs& inner) {
    ExplainedQuery q;
    auto coll = inner.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    q.ns = opCtx.ns(coll.getValue());
    const bool isCount = inner.name() == "count";
    auto filter = inner.optionalDocument(isCount ? "query" : "filter");
    if (!filter.isOK()) return filter.getStatus();
    q.filter = filter.getValue();
    if (!isCount) {
        auto sort = inner.optionalDocument("sort");
        if (!sort.isOK()) return sort.getStatus();
        q.sort = sort.getValue();
        auto projection = inner.optionalDocument("projection");
        if (!projection.isOK()) return projection.getStatus();
        q.projection = projection.getValue();
    }
    auto skip = inner.optionalInteger("skip");
    if (!skip.isOK()) return skip.getStatus();
    q.skip = skip.getValue().value_or(0);
    auto limit = inner.optionalInteger("limit", /*allowNegative=*/true);
    if (!limit.isOK()) return limit.getStatus();
    q.limit = std::abs(limit.getValue().value_or(0));
    auto hint = parseHint(inner);
    if (!hint.isOK()) return hint.getStatus();
    q.hint = std::move(hint.getValue());
    return q;
}

// The stages MongoDB puts above the access path: SORT (when the plan does not give the
// order), SKIP, LIMIT, PROJECTION_DEFAULT.
BsonObj wrapStages(BsonObj stage, const ExplainedQuery& q, bool blockingSort,
                   const ExecStats* stats, int64_t nReturned) {
    auto wrap = [&](std::string_view name, const std::function<void(BsonBuilder&)>& fields) {
        BsonBuilder b;
        b.appendString("stage", name);
        fields(b);
        if (stats) b.appendInt64("nReturned", nReturned);
        b.appendDocument("inputStage", stage.view());
        stage = b.obj();
    };
    if (blockingSort) {
        wrap("SORT", [&](BsonBuilder& b) {
            b.appendDocument("sortPattern", q.sort);
            b.appendString("type", "simple");
            if (q.limit > 0) b.appendInt64("limitAmount", q.skip + q.limit);
        });
    }
    if (q.skip > 0) wrap("SKIP", [&](BsonBuilder& b) { b.appendInt64("skipAmount", q.skip); });
    if (q.limit > 0) wrap("LIMIT", [&](BsonBuilder& b) { b.appendInt64("limitAmount", q.limit); });
    if (!q.projection.isEmpty()) {
        wrap("PROJECTION_DEFAULT",
             [&](BsonBuilder& b) { b.appendDocument("transformBy", q.projection); });
    }
    return stage;
}

Status runExplain(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    MaybeIter explained = args.field("explain");
    if (!explained || !BSON_ITER_HOLDS_DOCUMENT(&*explained)) {
        return Status(ErrorCodes::FailedToParse, "explain must be a command document");
    }
    BsonView innerDoc = subDocument(*explained);
    CommandArgs inner(innerDoc);
    auto verbosity = args.optionalString("verbosity");
    if (!verbosity.isOK()) return verbosity.getStatus();
    const std::string mode = verbosity.getValue().value_or("allPlansExecution");
    if (mode != "queryPlanner" && mode != "executionStats" && mode != "allPlansExecution") {
        return Status(ErrorCodes::FailedToParse, "verbosity string must be one of "
                                                 "{'queryPlanner', 'executionStats', "
                                                 "'allPlansExecution'}");
    }
    if (inner.name() != "find" && inner.name() != "count") {
        return Status(ErrorCodes::CommandNotSupported,
                      "explain is supported for find and count, not " +
                          std::string(inner.name()));
    }
    auto q = parseExplained(opCtx, inner);
    if (!q.isOK()) return q.getStatus();
    const ExplainedQuery& query = q.getValue();
    auto matcher = query::parseFilter(query.filter);
    if (!matcher.isOK()) return matcher.getStatus();
    auto sort = query::SortSpec::parse(query.sort);
    if (!sort.isOK()) return sort.getStatus();

    const auto started = std::chrono::steady_clock::now();
    auto txn = opCtx.service.engine().beginRead();
    if (!txn.isOK()) return txn.getStatus();
    auto plan = chooseFindPlan(opCtx, txn.getValue(),
                               FindPlanRequest{query.ns, query.filter, query.sort,
                                               query.hint.view(), query.projection});
    if (!plan.isOK()) return plan.getStatus();
    const bool blockingSort = !sort.getValue().empty() && !plan.getValue().providesSort;

    std::optional<ExecStats> stats;
    int64_t nReturned = 0;
    if (mode != "queryPlanner") {
        MatchRunner runner(query.ns, plan.getValue(), matcher.getValue().get(), false);
        int64_t matched = 0;
        // A streaming plan stops at skip + limit as the real query does; a blocking sort
        // reads every match first.
        const int64_t stopAt = (!blockingSort && query.limit > 0) ? query.skip + query.limit : 0;
        auto ran = runner.run(opCtx, txn.getValue(),
                              [&](BsonView, std::optional<size_t>) -> StatusWith<Visit> {
                                  ++matched;
                                  return stopAt > 0 && matched >= stopAt ? Visit::kStopAfter
                                                                         : Visit::kNext;
                              });
        if (!ran.isOK()) return ran.getStatus();
        nReturned = std::max<int64_t>(0, matched - query.skip);
        if (query.limit > 0) nReturned = std::min(nReturned, query.limit);
        stats = runner.stats();
    }
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    const FindPlan& p = plan.getValue();
    BsonObj winning =
        wrapStages(explainPlanStage(p, query.filter, stats ? &*stats : nullptr, nReturned), query,
                   blockingSort, stats ? &*stats : nullptr, nReturned);

    reply.appendString("explainVersion", "1");
    reply.appendDocument("queryPlanner", [&](BsonBuilder& qp) {
        qp.appendString("namespace", query.ns);
        qp.appendBool("indexFilterSet", false);
        qp.appendDocument("parsedQuery", query.filter);
        qp.appendBool("planCacheUsed", p.fromCache);
        qp.appendDocument("winningPlan", winning.view());
        qp.appendArray("rejectedPlans", [&](BsonBuilder& arr) {
            char buf[16];
            uint32_t i = 0;
            for (const auto& [name, bounds] : p.rejected) {
                arr.appendDocument(arrayIndexKey(i++, buf), [&](BsonBuilder& f) {
                    f.appendString("stage", "FETCH");
                    f.appendDocument("inputStage", [&](BsonBuilder& ix) {
                        ix.appendString("stage", "IXSCAN");
                        ix.appendString("indexName", name);
                        ix.appendDocument("indexBounds", bounds.view());
                    });
                });
            }
        });
    });
    if (stats) {
        reply.appendDocument("executionStats", [&](BsonBuilder& es) {
            es.appendBool("executionSuccess", true);
            es.appendInt64("nReturned", nReturned);
            es.appendInt64("executionTimeMillis", millis);
            es.appendInt64("totalKeysExamined", stats->keysExamined);
            es.appendInt64("totalDocsExamined", stats->docsExamined);
            es.appendDocument("executionStages", winning.view());
        });
    }
    reply.appendDocument("command", innerDoc);
    return Status::OK();
}

}  // namespace

void registerExplainCommand(CommandRegistry& r) { addCommand(r, "explain", runExplain); }

}  // namespace mongosd::shard
