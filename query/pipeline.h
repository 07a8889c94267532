#pragma once
// Aggregation pipelines: a stages array ([{$match: ...}, {$group: ...}]) parsed once into an
// immutable Pipeline, then executed as a chain of pull-based DocumentSources: each stage pulls
// from the one before it. Streaming stages ($match $project $addFields $unwind $limit ...) hold
// one document at a time; blocking ones ($group $sort $bucket $bucketAuto $facet $sample) read
// their whole input first, under a memory cap (PipelineContext). Semantics follow MongoDB
// (docs/query.md, "Aggregation").
//
// Pure: collections are reached only through PipelineEnvironment, which the shard implements
// over its storage engine. A parsed Pipeline may be shared by threads; an executor (the
// DocumentSource execute() returns) belongs to one thread at a time.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bson.h"
#include "common/status.h"
#include "query/expression.h"

namespace mongosd::query {

// A stream of documents, pulled one at a time.
class DocumentSource {
public:
    virtual ~DocumentSource() = default;
    // The next document, or nullopt once exhausted (and on every later call).
    virtual StatusWith<std::optional<BsonObj>> next() = 0;
};

// A source over documents already in memory.
std::unique_ptr<DocumentSource> makeVectorDocumentSource(std::vector<BsonObj> docs);

// What a pipeline may do outside itself. Collection names are relative to the database the
// aggregate runs in (cross-database stages are not supported).
class PipelineEnvironment {
public:
    virtual ~PipelineEnvironment() = default;
    // Streams every document of `coll` in _id order; a collection that does not exist is empty.
    virtual StatusWith<std::unique_ptr<DocumentSource>> scan(std::string_view coll) = 0;
    // A superset of the documents of `coll` that match `filter` (a filter without $$variables),
    // in no promised order: an environment with indexes returns just the matches.
    virtual StatusWith<std::unique_ptr<DocumentSource>> scanMatching(std::string_view coll,
                                                                     BsonView filter) {
        (void)filter;
        return scan(coll);
    }
    // Replaces `coll`'s contents with `docs` ($out); documents without _id get an ObjectId.
    // DuplicateKey leaves the old contents.
    virtual Status replaceCollection(std::string_view coll, std::vector<BsonObj> docs) = 0;
    // MaxTimeMSExpired etc.: called by blocking stages while they consume their input.
    virtual Status checkForInterrupt() = 0;
};

// 100 MB, MongoDB's internalQueryMaxBlockingSortMemoryUsageBytes and $group's limit.
constexpr size_t kDefaultPipelineMemoryLimit = 100 * 1024 * 1024;
// With allowDiskUse (no spilling yet) blocking stages may use up to this much memory instead.
constexpr size_t kDefaultDiskUseMemoryLimit = 1024 * 1024 * 1024;

// Run-time inputs of one execution. Copied into every stage; pointers must outlive it.
struct PipelineContext {
    // Null: $lookup, $unionWith and $out fail with IllegalOperation.
    PipelineEnvironment* env = nullptr;
    // The aggregate's `let` variables (their root is ignored); null: none.
    const Variables* variables = nullptr;
    // Per blocking stage: over it QueryExceededMemoryLimitNoDiskUseAllowed (292), or with
    // allowDiskUse, ExceededMemoryLimit (146) over diskUseMemoryLimitBytes.
    size_t memoryLimitBytes = kDefaultPipelineMemoryLimit;
    bool allowDiskUse = false;
    size_t diskUseMemoryLimitBytes = kDefaultDiskUseMemoryLimit;
    // Seeds $sample's generator.
    uint64_t randomSeed = 0;
};

// Where a pipeline sits; decides which stages are allowed.
enum class PipelineKind { kAggregate, kFacet, kLookup, kUnionWith, kUpdate };

struct PipelineParseOptions {
    PipelineKind kind = PipelineKind::kAggregate;
    // Names of the variables in scope (aggregate's `let`, $lookup's `let`), without "$$".
    std::vector<std::string> variables;
};

class StageSpec;

class Pipeline {
public:
    // `stages` is the pipeline array (as a BSON document with keys "0", "1", ...). Errors as
    // MongoDB: 40323 (a stage is not a one-field object), 40324 (unknown stage), per-stage
    // codes for bad specifications, 40601 ($out not last), 40600 (stage not allowed here),
    // BadValue / InvalidPipelineOperator from expressions.
    static StatusWith<Pipeline> parse(BsonView stages, const PipelineParseOptions& options = {});

    // Builds the executor pulling from `input`. Errors come from next(). The executor refers
    // to this Pipeline, which must outlive it.
    std::unique_ptr<DocumentSource> execute(std::unique_ptr<DocumentSource> input,
                                            const PipelineContext& ctx) const;

    // Collections read or written by $lookup, $unionWith and $out, at any depth.
    std::vector<std::string> referencedCollections() const;
    // The final $out's collection, if any.
    std::optional<std::string> outCollection() const;
    // The filter of a leading $match: the executor still applies it, but the input may be
    // narrowed to the documents it matches (PipelineEnvironment::scanMatching).
    std::optional<BsonObj> leadingMatchFilter() const;
    size_t size() const { return _stages.size(); }

private:
    std::vector<std::shared_ptr<const StageSpec>> _stages;
};

// Parses and evaluates an aggregate's `let` document ({name: expression, ...}) with an empty
// $$ROOT: the variables every stage then sees as $$name. BadValue for an invalid name.
StatusWith<std::vector<std::pair<std::string, Value>>> evaluateLetVariables(BsonView let);

// Runs `pipeline` over one document and returns every output document (update pipelines,
// tests).
StatusWith<std::vector<BsonObj>> runPipelineOn(const Pipeline& pipeline, BsonView doc,
                                               const PipelineContext& ctx = {});

}  // namespace mongosd::query
