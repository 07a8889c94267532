// find, getMore, killCursors, count, distinct.
#include <algorithm>

#include "common/bson_compare.h"
#include "query/path_values.h"
#include "shard/commands/command.h"
#include "shard/query_exec.h"
#include "shard/service.h"

namespace mongosd::shard {
namespace {

constexpr int64_t kDefaultFirstBatchDocs = 101;

// Reply size budget for one batch, leaving room for the envelope.
constexpr size_t kBatchBytes = kMaxUserBsonSize - 64 * 1024;

void appendCursorReply(BsonBuilder& reply, int64_t id, const std::string& ns,
                       std::string_view batchField, const std::vector<BsonObj>& docs) {
    reply.appendDocument("cursor", [&](BsonBuilder& c) {
        c.appendArray(batchField, [&](BsonBuilder& arr) {
            char buf[16];
            uint32_t i = 0;
            for (const auto& d : docs) arr.appendDocument(arrayIndexKey(i++, buf), d.view());
        });
        c.appendInt64("id", id);
        c.appendString("ns", ns);
    });
}

}  // namespace

// Fills the first batch from `source`; registers a cursor when results remain. Shared with
// aggregate.
Status replyWithFirstBatch(OperationContext& opCtx, const std::string& ns,
                           std::unique_ptr<CursorSource> source, int64_t batchSize,
                           bool singleBatch, BsonBuilder& reply) {
    Batch batch;
    batch.maxDocs = static_cast<size_t>(batchSize);
    batch.maxBytes = kBatchBytes;
    MONGOSD_RETURN_IF_ERROR(source->fill(opCtx, batch));
    int64_t id = 0;
    if (!batch.exhausted && !singleBatch) {
        auto added = opCtx.service.cursors().add(ns, std::move(source));
        if (!added.isOK()) return added.getStatus();
        id = added.getValue();
    }
    appendCursorReply(reply, id, ns, "firstBatch", batch.docs);
    return Status::OK();
}

StatusWith<BsonObj> parseHint(const CommandArgs& args) {
    MaybeIter hint = args.field("hint");
    if (!hint) return BsonObj();
    if (BSON_ITER_HOLDS_UTF8(&*hint)) return copyValue(*hint);
    if (BSON_ITER_HOLDS_DOCUMENT(&*hint)) return BsonObj::copyOf(subDocument(*hint));
    return Status(ErrorCodes::FailedToParse, "hint must be either a string or nested object");
}

namespace {

Status runFind(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    FindSpec spec;
    spec.ns = opCtx.ns(coll.getValue());
    auto filter = args.optionalDocument("filter");
    if (!filter.isOK()) return filter.getStatus();
    auto projection = args.optionalDocument("projection");
    if (!projection.isOK()) return projection.getStatus();
    auto sort = args.optionalDocument("sort");
    if (!sort.isOK()) return sort.getStatus();
    auto skip = args.optionalInteger("skip");
    if (!skip.isOK()) return skip.getStatus();
    auto limit = args.optionalInteger("limit", /*allowNegative=*/true);
    if (!limit.isOK()) return limit.getStatus();
    auto batchSize = args.optionalInteger("batchSize");
    if (!batchSize.isOK()) return batchSize.getStatus();
    auto singleBatch = args.optionalBool("singleBatch", false);
    if (!singleBatch.isOK()) return singleBatch.getStatus();
    auto hint = parseHint(args);
    if (!hint.isOK()) return hint.getStatus();
    spec.hint = std::move(hint.getValue());

    spec.filter = BsonObj::copyOf(filter.getValue());
    spec.projection = BsonObj::copyOf(projection.getValue());
    spec.sort = BsonObj::copyOf(sort.getValue());
    spec.skip = skip.getValue().value_or(0);
    int64_t lim = limit.getValue().value_or(0);
    bool single = singleBatch.getValue();
    if (lim < 0) {  // legacy negative limit: one batch of |limit|
        lim = -lim;
        single = true;
    }
    spec.limit = lim;
    int64_t bs = batchSize.getValue().value_or(kDefaultFirstBatchDocs);
    if (lim > 0 && bs > lim) bs = lim;

    opCtx.service.counters().query.fetch_add(1, std::memory_order_relaxed);
    auto source = makeFindSource(opCtx, std::move(spec));
    if (!source.isOK()) return source.getStatus();
    return replyWithFirstBatch(opCtx, opCtx.ns(coll.getValue()), std::move(source.getValue()), bs,
                               single, reply);
}

Status runGetMore(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    // MongoDB wants a long; an int32 is accepted too, since JSON clients of
    // /api/v1/command send small ids as plain numbers.
    auto idIt = args.field("getMore");
    if (!idIt || !(BSON_ITER_HOLDS_INT64(&*idIt) || BSON_ITER_HOLDS_INT32(&*idIt)))
        return Status(ErrorCodes::TypeMismatch, "getMore's cursor id must be an integer");
    int64_t id = bson_iter_as_int64(&*idIt);
    auto coll = args.requiredString("collection");
    if (!coll.isOK()) return coll.getStatus();
    auto batchSize = args.optionalInteger("batchSize");
    if (!batchSize.isOK()) return batchSize.getStatus();
    std::string ns = opCtx.ns(coll.getValue());
    auto cursor = opCtx.service.cursors().checkOut(id, ns);
    if (!cursor.isOK()) return cursor.getStatus();
    opCtx.service.counters().getmore.fetch_add(1, std::memory_order_relaxed);
    Batch batch;
    int64_t bs = batchSize.getValue().value_or(0);  // 0 on getMore: no count limit
    if (bs > 0) batch.maxDocs = static_cast<size_t>(bs);
    batch.maxBytes = kBatchBytes;
    Status st = cursor.getValue()->source->fill(opCtx, batch);
    if (!st.isOK()) return st;  // the cursor is dropped with the failed batch, as MongoDB
    int64_t nextId = batch.exhausted ? 0 : id;
    if (!batch.exhausted) opCtx.service.cursors().checkIn(std::move(cursor.getValue()));
    appendCursorReply(reply, nextId, ns, "nextBatch", batch.docs);
    return Status::OK();
}

Status runKillCursors(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto ids = args.optionalArray("cursors");
    if (!ids.isOK()) return ids.getStatus();
    if (!ids.getValue()) return Status(ErrorCodes::FailedToParse, "killCursors needs 'cursors'");
    std::vector<int64_t> killed, notFound;
    bson_iter_t it;
    ids.getValue()->iterInit(&it);
    while (bson_iter_next(&it)) {
        if (!BSON_ITER_HOLDS_INT64(&it))
            return Status(ErrorCodes::TypeMismatch, "cursor ids must be 64-bit integers");
        int64_t id = bson_iter_int64(&it);
        (opCtx.service.cursors().kill(id) ? killed : notFound).push_back(id);
    }
    auto appendIds = [&](std::string_view field, const std::vector<int64_t>& v) {
        reply.appendArray(field, [&](BsonBuilder& arr) {
            char buf[16];
            uint32_t i = 0;
            for (int64_t id : v) arr.appendInt64(arrayIndexKey(i++, buf), id);
        });
    };
    appendIds("cursorsKilled", killed);
    appendIds("cursorsNotFound", notFound);
    appendIds("cursorsAlive", {});
    appendIds("cursorsUnknown", {});
    return Status::OK();
}

Status runCount(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    auto filter = args.optionalDocument("query");
    if (!filter.isOK()) return filter.getStatus();
    auto skip = args.optionalInteger("skip");
    if (!skip.isOK()) return skip.getStatus();
    auto limit = args.optionalInteger("limit", /*allowNegative=*/true);
    if (!limit.isOK()) return limit.getStatus();
    auto hint = parseHint(args);
    if (!hint.isOK()) return hint.getStatus();
    int64_t toSkip = skip.getValue().value_or(0);
    int64_t lim = std::abs(limit.getValue().value_or(0));
    int64_t n = 0;
    Status st = forEachMatch(
        opCtx, opCtx.ns(coll.getValue()), filter.getValue(),
        [&](BsonView) {
            if (toSkip > 0) {
                --toSkip;
                return true;
            }
            ++n;
            return lim == 0 || n < lim;
        },
        hint.getValue().view());
    if (!st.isOK()) return st;
    reply.appendCount("n", n);
    return Status::OK();
}

Status runDistinct(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    auto key = args.requiredString("key");
    if (!key.isOK()) return key.getStatus();
    auto path = query::FieldPath::parse(key.getValue());
    if (!path.isOK()) return path.getStatus();
    auto filter = args.optionalDocument("query");
    if (!filter.isOK()) return filter.getStatus();
    std::vector<BsonObj> values;
    size_t bytes = 0;
    Status st = forEachMatch(opCtx, opCtx.ns(coll.getValue()), filter.getValue(), [&](BsonView doc) {
        query::forEachPathValue(doc, path.getValue(), /*expandLeafArrays=*/true,
                                [&](const bson_iter_t& v) {
                                    BsonBuilder b;
                                    b.appendIter("", v);
                                    values.push_back(b.obj());
                                    bytes += values.back().size();
                                });
        return bytes <= kBatchBytes;
    });
    if (!st.isOK()) return st;
    if (bytes > kBatchBytes)
        return Status(ErrorCodes::BSONObjectTooLarge, "distinct too big, 16mb cap");
    auto cmp = [](const BsonObj& a, const BsonObj& b) {
        bson_iter_t ia, ib;
        a.view().iterInit(&ia);
        bson_iter_next(&ia);
        b.view().iterInit(&ib);
        bson_iter_next(&ib);
        return compareValues(ia, ib);
    };
    std::stable_sort(values.begin(), values.end(),
                     [&](const BsonObj& a, const BsonObj& b) { return cmp(a, b) < 0; });
    values.erase(std::unique(values.begin(), values.end(),
                             [&](const BsonObj& a, const BsonObj& b) { return cmp(a, b) == 0; }),
                 values.end());
    reply.appendArray("values", [&](BsonBuilder& arr) {
        char buf[16];
        uint32_t i = 0;
        for (const auto& v : values) {
            bson_iter_t it;
            v.view().iterInit(&it);
            bson_iter_next(&it);
            arr.appendIter(arrayIndexKey(i++, buf), it);
        }
    });
    return Status::OK();
}

}  // namespace

void registerFindCommands(CommandRegistry& r) {
    addCommand(r, "find", runFind);
    addCommand(r, "getMore", runGetMore);
    addCommand(r, "killCursors", runKillCursors);
    addCommand(r, "count", runCount);
    addCommand(r, "distinct", runDistinct);
}

}  // namespace mongosd::shard
