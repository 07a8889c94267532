#pragma once
// Shared by the pipeline stage files (pipeline_stages_*.cpp): the parsed-stage interface, the
// stage registry and small helpers. Not part of query/'s public API.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "query/accumulators.h"
#include "query/expression.h"
#include "query/field_path.h"
#include "query/pipeline.h"

namespace mongosd::query {

// One parsed stage: immutable; makes a fresh executor per execution.
class StageSpec {
public:
    virtual ~StageSpec() = default;
    virtual std::unique_ptr<DocumentSource> makeStage(std::unique_ptr<DocumentSource> input,
                                                      const PipelineContext& ctx) const = 0;
    // Collections this stage reads or writes (with its sub-pipelines).
    virtual void collectCollections(std::vector<std::string>& out) const { (void)out; }
    virtual std::optional<std::string> outCollection() const { return std::nullopt; }
    // $sort: a bounded copy when a $limit follows (top-k); others: null.
    virtual std::shared_ptr<const StageSpec> withLimit(int64_t limit) const {
        (void)limit;
        return nullptr;
    }
    // $limit's count (for coalescing); -1 for other stages.
    virtual int64_t limitCount() const { return -1; }
    // $match's filter (what a leading $match lets the source narrow); nullopt for others.
    virtual std::optional<BsonObj> matchFilter() const { return std::nullopt; }
};

using StagePtr = std::shared_ptr<const StageSpec>;

struct StageParseContext {
    PipelineParseOptions options;
    ParseContext expr;  // expression scope: the options' variables
};

using StageParser =
    std::function<StatusWith<StagePtr>(const bson_iter_t& arg, const StageParseContext& ctx)>;

// Registration, one function per stage family file.
void registerStage(const std::string& name, StageParser parser);
void registerBasicStages();
void registerAddFieldsStages();
void registerGroupStages();
void registerSortStages();
void registerUnwindStage();
void registerLookupStages();
void registerBucketStages();
void registerUnionFacetOutStages();
void registerBucketAutoStage();

// The variables a stage evaluates expressions with: rooted at `doc`, the context's `let` above.
Variables documentVariables(BsonView doc, const PipelineContext& ctx);

// Fails when a blocking stage holds more than the context allows (see PipelineContext).
Status checkMemory(size_t bytes, const PipelineContext& ctx, std::string_view stage);

// Parses an expression from the value `it` is on with the stage's scope.
StatusWith<std::unique_ptr<Expression>> parseStageExpression(const bson_iter_t& it,
                                                             const StageParseContext& ctx);

// Status with a MongoDB code and message.
Status stageError(ErrorCodes::Error code, std::string message);

// The document `v` as a BsonObj (invariant: v holds a document).
BsonObj valueToDocument(const Value& v);

// source.next() for a blocking stage's input loop: every 256 documents (counted in `pulled`)
// it also asks the environment whether the operation was interrupted (maxTimeMS).
StatusWith<std::optional<BsonObj>> nextChecked(DocumentSource& source, const PipelineContext& ctx,
                                               uint64_t& pulled);

// Reads all of `source` into memory, counting bytes against the stage's memory cap.
StatusWith<std::vector<BsonObj>> drainSource(DocumentSource& source, const PipelineContext& ctx,
                                             std::string_view stage);

// `doc` with the field at `path` (components from `from` on) set to `v`, or removed when v is
// missing. Missing or non-document parents are replaced by documents.
BsonObj setPathValue(BsonView doc, const FieldPath& path, const Value& v, size_t from = 0);
// The value at a dotted path through embedded documents only (arrays end the path: missing).
Value getPathValue(BsonView doc, const FieldPath& path);

// One output field of $group/$bucket/$bucketAuto: {field: {$acc: arg}}.
struct AccumulatedField {
    std::string field;
    AccumulatorFactory factory;
    std::shared_ptr<const Expression> arg;
};

// Parses {field: {$acc: arg}, ...} (skipping `skip`, e.g. "_id") with MongoDB's errors.
StatusWith<std::vector<AccumulatedField>> parseAccumulatedFields(BsonView spec,
                                                                 std::string_view skip,
                                                                 const StageParseContext& ctx);

// A bucket stage's `output` (null: {count: {$sum: 1}}); `code` for a non-object.
StatusWith<std::vector<AccumulatedField>> parseBucketOutput(const bson_iter_t* output,
                                                            const StageParseContext& ctx,
                                                            ErrorCodes::Error code);

// Groups documents by a key value (numbers equal across types; missing groups as null) and
// folds each group's accumulators; groups come out in first-seen order as
// {_id: key, field: result, ...}. Counts its memory against the context's cap.
class Grouper {
public:
    Grouper(const std::vector<AccumulatedField>& fields, const PipelineContext& ctx,
            std::string stage)
        : _fields(fields), _ctx(ctx), _stage(std::move(stage)) {}
    Status add(const Value& key, const Variables& vars);
    std::vector<BsonObj> results() const;

private:
    struct Group {
        Value key;
        std::vector<std::unique_ptr<Accumulator>> accs;
    };
    struct KeyLess {
        bool operator()(const Value& a, const Value& b) const { return compareValue(a, b) < 0; }
    };
    const std::vector<AccumulatedField>& _fields;
    PipelineContext _ctx;
    std::string _stage;
    std::map<Value, size_t, KeyLess> _index;
    std::vector<Group> _groups;
    size_t _bytes = 0;
};

// A streaming stage that maps each input document to zero or one output documents.
class MapStage : public DocumentSource {
public:
    using Fn = std::function<StatusWith<std::optional<BsonObj>>(const BsonObj& doc)>;
    MapStage(std::unique_ptr<DocumentSource> input, Fn fn)
        : _input(std::move(input)), _fn(std::move(fn)) {}
    StatusWith<std::optional<BsonObj>> next() override;

private:
    std::unique_ptr<DocumentSource> _input;
    Fn _fn;
};

// A stage that reads all of its input before producing anything ($group, $bucket, $bucketAuto):
// consume() fills _out on the first next(), which then hands the documents out in order.
class BlockingStage : public DocumentSource {
public:
    StatusWith<std::optional<BsonObj>> next() final {
        if (!_done) {
            MONGOSD_RETURN_IF_ERROR(consume());
            _done = true;
        }
        if (_next >= _out.size()) return std::optional<BsonObj>();
        return std::optional<BsonObj>(std::move(_out[_next++]));
    }

protected:
    virtual Status consume() = 0;
    std::vector<BsonObj> _out;

private:
    bool _done = false;
    size_t _next = 0;
};

}  // namespace mongosd::query
