#include "shard/pipeline_env.h"

#include <deque>
#include <set>

#include "query/expression.h"
#include "query/matcher.h"
#include "shard/commands/command.h"
#include "shard/query_plan.h"
#include "shard/service.h"
#include "shard/storage/storage_engine.h"
#include "shard/write_ops.h"

namespace mongosd::shard {
namespace {

// Documents read per read transaction (and between interrupt checks).
constexpr size_t kScanChunkDocs = 256;
constexpr size_t kScanChunkBytes = 4 * 1024 * 1024;

// A source read a chunk at a time: refill() adds to _buffer (and sets _exhausted at the end)
// in one read transaction; next() hands the chunk out.
class ChunkedSource : public query::DocumentSource {
public:
    StatusWith<std::optional<BsonObj>> next() override {
        if (_buffer.empty() && !_exhausted) MONGOSD_RETURN_IF_ERROR(refill());
        if (_buffer.empty()) return std::optional<BsonObj>();
        BsonObj d = std::move(_buffer.front());
        _buffer.pop_front();
        return std::optional<BsonObj>(std::move(d));
    }

protected:
    virtual Status refill() = 0;
    std::deque<BsonObj> _buffer;
    bool _exhausted = false;
};

class CollectionScanSource final : public ChunkedSource {
public:
    CollectionScanSource(ShardPipelineEnvironment& env, std::string ns)
        : _env(env), _ns(std::move(ns)) {}

private:
    Status refill() override {
        MONGOSD_RETURN_IF_ERROR(_env.checkForInterrupt());
        auto txn = _env.opCtx().service.engine().beginRead();
        if (!txn.isOK()) return txn.getStatus();
        storage::RecordCursor cursor = txn.getValue().scan(_ns);
        if (!_lastKey.empty()) cursor.seekAfter(_lastKey);
        size_t bytes = 0;
        while (_buffer.size() < kScanChunkDocs && bytes < kScanChunkBytes) {
            if (!cursor.next()) {
                _exhausted = true;
                break;
            }
            bytes += cursor.value().size();
            _buffer.push_back(BsonObj::copyOf(cursor.value()));
            _lastKey.assign(cursor.key());
        }
        return cursor.status();
    }

    ShardPipelineEnvironment& _env;
    std::string _ns;
    std::string _lastKey;
};

// The matches of a filter through the query planner, a chunk per read transaction.
class PlannedScanSource final : public ChunkedSource {
public:
    PlannedScanSource(ShardPipelineEnvironment& env, std::string ns, BsonObj filter,
                      std::unique_ptr<query::MatchExpression> matcher)
        : _env(env), _ns(std::move(ns)), _filter(std::move(filter)), _matcher(std::move(matcher)) {}

private:
    Status refill() override {
        MONGOSD_RETURN_IF_ERROR(_env.checkForInterrupt());
        auto txn = _env.opCtx().service.engine().beginRead();
        if (!txn.isOK()) return txn.getStatus();
        if (!_runner) {
            auto plan = chooseFindPlan(_env.opCtx(), txn.getValue(),
                                       FindPlanRequest{_ns, _filter.view(), {}, {}, {}});
            if (!plan.isOK()) return plan.getStatus();
            _runner.emplace(_ns, std::move(plan.getValue()), _matcher.get(), false);
        }
        size_t bytes = 0;
        auto done = _runner->run(_env.opCtx(), txn.getValue(),
                                 [&](BsonView doc, std::optional<size_t>) -> StatusWith<Visit> {
                                     bytes += doc.size();
                                     _buffer.push_back(BsonObj::copyOf(doc));
                                     return _buffer.size() >= kScanChunkDocs ||
                                                    bytes >= kScanChunkBytes
                                                ? Visit::kStopAfter
                                                : Visit::kNext;
                                 });
        if (!done.isOK()) return done.getStatus();
        _exhausted = done.getValue();
        return Status::OK();
    }

    ShardPipelineEnvironment& _env;
    std::string _ns;
    BsonObj _filter;
    std::unique_ptr<query::MatchExpression> _matcher;
    std::optional<MatchRunner> _runner;
};

query::Value idOf(const BsonObj& doc) {
    bson_iter_t id;
    doc.view().find("_id", &id);
    return query::Value::fromIter(id);
}

// The documents ready for storage, or DuplicateKey when two share an _id.
StatusWith<std::vector<BsonObj>> prepareAll(std::vector<BsonObj> docs) {
    auto less = [](const query::Value& a, const query::Value& b) {
        return query::compareValue(a, b) < 0;
    };
    std::set<query::Value, decltype(less)> ids(less);
    for (auto& d : docs) {
        auto prepared = prepareInsert(d.view());
        if (!prepared.isOK()) return prepared.getStatus();
        d = std::move(prepared.getValue());
        if (!ids.insert(idOf(d)).second)
            return Status(
                ErrorCodes::DuplicateKey,
                "$out: E11000 duplicate key error, dup key: { _id: " + idOf(d).toString() + " }");
    }
    return docs;
}

}  // namespace

StatusWith<std::unique_ptr<query::DocumentSource>> ShardPipelineEnvironment::scan(
    std::string_view coll) {
    return std::unique_ptr<query::DocumentSource>(
        std::make_unique<CollectionScanSource>(*this, _opCtx->ns(coll)));
}

StatusWith<std::unique_ptr<query::DocumentSource>> ShardPipelineEnvironment::scanMatching(
    std::string_view coll, BsonView filter) {
    auto matcher = query::parseFilter(filter);
    if (!matcher.isOK()) return scan(coll);  // e.g. $$variables: the $match stage filters
    return std::unique_ptr<query::DocumentSource>(std::make_unique<PlannedScanSource>(
        *this, _opCtx->ns(coll), BsonObj::copyOf(filter), std::move(matcher.getValue())));
}

Status ShardPipelineEnvironment::replaceCollection(std::string_view coll,
                                                   std::vector<BsonObj> docs) {
    auto prepared = prepareAll(std::move(docs));
    if (!prepared.isOK()) return prepared.getStatus();
    // A write transaction holds exactly one document write, so the replacement is a drop, a
    // create and one insert per document: not atomic, but every document is checked first, so
    // a duplicate _id or an invalid document leaves the old contents.
    std::string ns = _opCtx->ns(coll);
    auto& engine = _opCtx->service.engine();
    auto dropped = engine.dropCollection(ns);
    if (!dropped.isOK() && dropped.getStatus().code() != ErrorCodes::NamespaceNotFound)
        return dropped.getStatus();
    auto created = engine.createCollection(ns);
    if (!created.isOK()) return created.getStatus();
    for (const auto& d : prepared.getValue()) {
        MONGOSD_RETURN_IF_ERROR(_opCtx->checkForInterrupt());
        WriteOutcome outcome;
        MONGOSD_RETURN_IF_ERROR(insertDocument(*_opCtx, ns, d.view(), &outcome));
    }
    return Status::OK();
}

Status ShardPipelineEnvironment::checkForInterrupt() { return _opCtx->checkForInterrupt(); }

}  // namespace mongosd::shard
