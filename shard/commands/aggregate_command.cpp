// aggregate: parses the pipeline (query/pipeline.h), runs it over a streaming scan of the
// collection and serves the results through the cursor machinery: the executor itself is the
// cursor's source, so getMore keeps pulling from the same pipeline.
#include <random>

#include "common/invariant.h"
#include "query/pipeline.h"
#include "shard/commands/command.h"
#include "shard/pipeline_env.h"
#include "shard/query_exec.h"
#include "shard/service.h"

namespace mongosd::shard {
namespace {

// Everything an open aggregate cursor keeps alive: the parsed pipeline, the `let` variables,
// the environment and the executor that refers to them.
class PipelineCursorSource final : public CursorSource {
public:
    PipelineCursorSource(OperationContext& opCtx, query::Pipeline pipeline,
                         std::vector<std::pair<std::string, query::Value>> let)
        : _pipeline(std::move(pipeline)), _let(BsonView()), _env(opCtx) {
        _let.bound = std::move(let);
    }

    void start(const std::string& coll, bool allowDiskUse) {
        query::PipelineContext ctx;
        ctx.env = &_env;
        ctx.variables = &_let;
        ctx.allowDiskUse = allowDiskUse;
        ctx.randomSeed = std::random_device{}();
        // A leading $match is planned like a find (an index scan when one applies).
        std::optional<BsonObj> match = _pipeline.leadingMatchFilter();
        auto scan = match ? _env.scanMatching(coll, match->view()) : _env.scan(coll);
        invariant(scan.isOK());  // our scans never fail up front
        _exec = _pipeline.execute(std::move(scan.getValue()), ctx);
    }

    Status fill(OperationContext& opCtx, Batch& batch) override {
        _env.rebind(opCtx);
        while (!batch.full()) {
            if (!_pending) {
                auto n = _exec->next();
                if (!n.isOK()) return n.getStatus();
                if (!n.getValue()) {
                    batch.exhausted = true;
                    return Status::OK();
                }
                _pending = std::move(n.getValue());
            }
            if (!batch.fits(_pending->size())) return Status::OK();
            batch.add(std::move(*_pending));
            _pending.reset();
        }
        return Status::OK();
    }

private:
    query::Pipeline _pipeline;
    query::Variables _let;
    ShardPipelineEnvironment _env;
    std::unique_ptr<query::DocumentSource> _exec;
    std::optional<BsonObj> _pending;
};

StatusWith<query::Pipeline> parsePipeline(const CommandArgs& args,
                                          const std::vector<std::string>& letNames) {
    auto pipeline = args.optionalArray("pipeline");
    if (!pipeline.isOK()) return pipeline.getStatus();
    if (!pipeline.getValue())
        return Status(ErrorCodes::FailedToParse, "aggregate needs a 'pipeline' array");
    return query::Pipeline::parse(*pipeline.getValue(),
                                  {query::PipelineKind::kAggregate, letNames});
}

Status checkReferencedNamespaces(OperationContext& opCtx, const query::Pipeline& p) {
    for (const auto& coll : p.referencedCollections())
        MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll));
    return Status::OK();
}

Status runAggregate(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    auto letDoc = args.optionalDocument("let");
    if (!letDoc.isOK()) return letDoc.getStatus();
    auto let = query::evaluateLetVariables(letDoc.getValue());
    if (!let.isOK()) return let.getStatus();
    std::vector<std::string> letNames;
    for (const auto& [name, _] : let.getValue()) letNames.push_back(name);
    auto pipeline = parsePipeline(args, letNames);
    if (!pipeline.isOK()) return pipeline.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkReferencedNamespaces(opCtx, pipeline.getValue()));
    if (!args.field("cursor"))
        return Status(ErrorCodes::FailedToParse,
                      "The 'cursor' option is required, except for aggregate with the explain "
                      "argument");
    auto cursorOpts = args.optionalDocument("cursor");
    if (!cursorOpts.isOK()) return cursorOpts.getStatus();
    auto batchSize = CommandArgs(cursorOpts.getValue()).optionalInteger("batchSize");
    if (!batchSize.isOK()) return batchSize.getStatus();
    if (batchSize.getValue().value_or(0) < 0)
        return Status(ErrorCodes::BadValue, "batchSize must be non-negative");
    auto allowDiskUse = args.optionalBool("allowDiskUse", false);
    if (!allowDiskUse.isOK()) return allowDiskUse.getStatus();

    auto source = std::make_unique<PipelineCursorSource>(opCtx, std::move(pipeline.getValue()),
                                                         std::move(let.getValue()));
    source->start(coll.getValue(), allowDiskUse.getValue());
    opCtx.service.counters().query.fetch_add(1, std::memory_order_relaxed);
    return replyWithFirstBatch(opCtx, opCtx.ns(coll.getValue()), std::move(source),
                               batchSize.getValue().value_or(101), false, reply);
}

}  // namespace

void registerAggregateCommand(CommandRegistry& r) { addCommand(r, "aggregate", runAggregate); }

}  // namespace mongosd::shard
