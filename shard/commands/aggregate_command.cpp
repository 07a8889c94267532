// aggregate: the foundation's pipeline runs $match, $project, $sort, $skip, $limit and $count
// over materialised documents (bounded by kMaxBlockingSortBytes). The full stage and
// expression language replaces this in query/ (see docs/query.md).
#include "query/matcher.h"
#include "query/projection.h"
#include "query/sort.h"
#include "shard/commands/command.h"
#include "shard/query_exec.h"
#include "shard/service.h"

namespace mongosd::shard {
namespace {

using Docs = std::vector<BsonObj>;

Status applyStage(std::string_view name, const bson_iter_t& arg, Docs& docs) {
    auto needDoc = [&]() -> StatusWith<BsonView> {
        if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
            return Status(ErrorCodes::FailedToParse,
                          "the " + std::string(name) + " stage specification must be an object");
        return subDocument(arg);
    };
    auto needCount = [&]() -> StatusWith<int64_t> {
        if (!BSON_ITER_HOLDS_NUMBER(&arg) || bson_iter_as_int64(&arg) < 0)
            return Status(ErrorCodes::FailedToParse,
                          "the " + std::string(name) + " stage needs a non-negative integer");
        return bson_iter_as_int64(&arg);
    };
    if (name == "$match") {
        auto spec = needDoc();
        if (!spec.isOK()) return spec.getStatus();
        auto m = query::parseFilter(spec.getValue());
        if (!m.isOK()) return m.getStatus();
        std::erase_if(docs, [&](const BsonObj& d) { return !m.getValue()->matches(d.view()); });
    } else if (name == "$project") {
        auto spec = needDoc();
        if (!spec.isOK()) return spec.getStatus();
        auto p = query::Projection::parse(spec.getValue(), query::ProjectionPolicy::kAggregate);
        if (!p.isOK()) return p.getStatus();
        for (auto& d : docs) {
            auto projected = p.getValue().apply(d.view());
            if (!projected.isOK()) return projected.getStatus();
            d = std::move(projected.getValue());
        }
    } else if (name == "$sort") {
        auto spec = needDoc();
        if (!spec.isOK()) return spec.getStatus();
        auto s = query::SortSpec::parse(spec.getValue());
        if (!s.isOK()) return s.getStatus();
        s.getValue().sort(docs);
    } else if (name == "$skip") {
        auto n = needCount();
        if (!n.isOK()) return n.getStatus();
        docs.erase(docs.begin(), docs.begin() + std::min<int64_t>(n.getValue(), docs.size()));
    } else if (name == "$limit") {
        auto n = needCount();
        if (!n.isOK()) return n.getStatus();
        if (static_cast<size_t>(n.getValue()) < docs.size()) docs.resize(n.getValue());
    } else if (name == "$count") {
        if (!BSON_ITER_HOLDS_UTF8(&arg))
            return Status(ErrorCodes::FailedToParse, "the count field must be a non-empty string");
        BsonBuilder b;
        b.appendInt32(bson_iter_utf8(&arg, nullptr), static_cast<int32_t>(docs.size()));
        docs.clear();
        if (b.size() > 5) docs.push_back(b.obj());
    } else {
        return Status(ErrorCodes::NotImplemented,
                      "pipeline stage " + std::string(name) + " is not supported yet");
    }
    return Status::OK();
}

Status runAggregate(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    auto pipeline = args.optionalArray("pipeline");
    if (!pipeline.isOK()) return pipeline.getStatus();
    if (!pipeline.getValue())
        return Status(ErrorCodes::FailedToParse, "aggregate needs a 'pipeline' array");
    auto cursorOpts = args.optionalDocument("cursor");
    if (!cursorOpts.isOK()) return cursorOpts.getStatus();
    auto batchSize = CommandArgs(cursorOpts.getValue()).optionalInteger("batchSize");
    if (!batchSize.isOK()) return batchSize.getStatus();

    std::string ns = opCtx.ns(coll.getValue());
    Docs docs;
    size_t bytes = 0;
    Status st = forEachMatch(opCtx, ns, BsonView(), [&](BsonView d) {
        bytes += d.size();
        docs.push_back(BsonObj::copyOf(d));
        return bytes <= kMaxBlockingSortBytes;
    });
    if (!st.isOK()) return st;
    if (bytes > kMaxBlockingSortBytes)
        return Status(ErrorCodes::ExceededMemoryLimit, "aggregation input exceeds 100 MB");

    bson_iter_t stage;
    pipeline.getValue()->iterInit(&stage);
    while (bson_iter_next(&stage)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&stage))
            return Status(ErrorCodes::TypeMismatch, "each pipeline stage must be an object");
        bson_iter_t spec;
        bson_iter_recurse(&stage, &spec);
        if (!bson_iter_next(&spec))
            return Status(ErrorCodes::FailedToParse, "a pipeline stage must have exactly one field");
        std::string name(bson_iter_key(&spec));
        bson_iter_t arg = spec;
        if (bson_iter_next(&spec))
            return Status(ErrorCodes::FailedToParse, "a pipeline stage must have exactly one field");
        MONGOSD_RETURN_IF_ERROR(applyStage(name, arg, docs));
        MONGOSD_RETURN_IF_ERROR(opCtx.checkForInterrupt());
    }
    opCtx.service.counters().query.fetch_add(1, std::memory_order_relaxed);
    return replyWithFirstBatch(opCtx, ns, makeVectorSource(std::move(docs)),
                               batchSize.getValue().value_or(101), false, reply);
}

}  // namespace

void registerAggregateCommand(CommandRegistry& r) { addCommand(r, "aggregate", runAggregate); }

}  // namespace mongosd::shard
