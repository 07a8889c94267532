#pragma once
// The shard's PipelineEnvironment: what an aggregation pipeline (query/pipeline.h) reaches of
// the storage engine. Collection scans stream in _id order, a chunk of documents per read
// transaction, resuming after the last key (so an open aggregate cursor holds no snapshot
// between getMores). $out replaces a collection (checked first, then dropped and refilled).
// One thread at a time; rebind() before each use by a new request (getMore).

#include <string>

#include "query/pipeline.h"

namespace mongosd::shard {

struct OperationContext;

class ShardPipelineEnvironment final : public query::PipelineEnvironment {
public:
    explicit ShardPipelineEnvironment(OperationContext& opCtx) : _opCtx(&opCtx) {}
    // The request now using the pipeline (scans opened earlier follow it).
    void rebind(OperationContext& opCtx) { _opCtx = &opCtx; }
    OperationContext& opCtx() const { return *_opCtx; }

    StatusWith<std::unique_ptr<query::DocumentSource>> scan(std::string_view coll) override;
    // The planner's plan for `filter` (an index scan when one applies), streamed like scan().
    StatusWith<std::unique_ptr<query::DocumentSource>> scanMatching(std::string_view coll,
                                                                    BsonView filter) override;
    Status replaceCollection(std::string_view coll, std::vector<BsonObj> docs) override;
    Status checkForInterrupt() override;

private:
    OperationContext* _opCtx;
};

}  // namespace mongosd::shard
