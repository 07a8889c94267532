// insert, update, delete: MongoDB's batch write commands. Each statement is applied on its
// own; failures are reported per statement in writeErrors ({index, code, codeName, errmsg}),
// and an ordered batch stops at the first one. The command itself succeeds (ok: 1) unless the
// batch as a whole is malformed.
#include <vector>

#include "common/command_reply.h"
#include "query/update.h"
#include "shard/commands/command.h"
#include "shard/commands/write_concern.h"
#include "shard/service.h"
#include "shard/write_ops.h"

namespace mongosd::shard {
namespace {

constexpr int64_t kMaxWriteBatchSize = 100'000;

struct WriteError {
    int32_t index;
    Status status;
};

struct BatchState {
    std::vector<WriteError> errors;
    std::optional<OpTime> lastOpTime;

    void noteOpTime(const std::optional<OpTime>& t) {
        if (t) lastOpTime = t;
    }
};

void appendWriteErrors(const BatchState& state, BsonBuilder& reply) {
    if (state.errors.empty()) return;
    reply.appendArray("writeErrors", [&](BsonBuilder& arr) {
        char buf[16];
        uint32_t i = 0;
        for (const auto& e : state.errors) {
            arr.appendDocument(arrayIndexKey(i++, buf), [&](BsonBuilder& d) {
                d.appendInt32("index", e.index);
                d.appendInt32("code", e.status.code());
                d.appendString("codeName", e.status.codeName());
                d.appendString("errmsg", e.status.reason());
                appendErrorExtraInfo(e.status, d);
            });
        }
    });
}

struct BatchArgs {
    std::string ns;
    BsonView statements;
    bool ordered = true;
    WriteConcern wc;
};

StatusWith<BatchArgs> parseBatch(OperationContext& opCtx, const CommandArgs& args,
                                 std::string_view arrayField) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    auto stmts = args.optionalArray(arrayField);
    if (!stmts.isOK()) return stmts.getStatus();
    if (!stmts.getValue())
        return Status(ErrorCodes::FailedToParse, "BSON field '" + std::string(args.name()) + "." +
                                                     std::string(arrayField) +
                                                     "' is missing but a required field");
    auto ordered = args.optionalBool("ordered", true);
    if (!ordered.isOK()) return ordered.getStatus();
    auto wc = parseWriteConcern(args);
    if (!wc.isOK()) return wc.getStatus();
    bson_t stmtsBson = stmts.getValue()->asBsonT();
    uint32_t count = bson_count_keys(&stmtsBson);
    if (count == 0)
        return Status(ErrorCodes::InvalidLength, "Write batch sizes must be between 1 and 100000");
    if (count > kMaxWriteBatchSize)
        return Status(ErrorCodes::InvalidLength, "Write batch sizes must be between 1 and 100000. Got " +
                                                     std::to_string(count) + " operations.");
    return BatchArgs{opCtx.ns(coll.getValue()), *stmts.getValue(), ordered.getValue(), wc.getValue()};
}

// Runs fn(index, statementIterator) for each statement, collecting errors per `ordered`.
template <typename Fn>
void forEachStatement(const BatchArgs& batch, BatchState& state, Fn fn) {
    bson_iter_t it;
    batch.statements.iterInit(&it);
    int32_t index = 0;
    while (bson_iter_next(&it)) {
        Status st = fn(index, it);
        if (!st.isOK()) {
            state.errors.push_back({index, st});
            if (batch.ordered) return;
        }
        ++index;
    }
}

Status runInsert(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto batch = parseBatch(opCtx, args, "documents");
    if (!batch.isOK()) return batch.getStatus();
    BatchState state;
    int64_t n = 0;
    forEachStatement(batch.getValue(), state, [&](int32_t, const bson_iter_t& it) -> Status {
        if (!BSON_ITER_HOLDS_DOCUMENT(&it))
            return Status(ErrorCodes::TypeMismatch, "each document to insert must be an object");
        auto doc = prepareInsert(subDocument(it));
        if (!doc.isOK()) return doc.getStatus();
        WriteOutcome w;
        MONGOSD_RETURN_IF_ERROR(insertDocument(opCtx, batch.getValue().ns, doc.getValue(), &w));
        opCtx.service.counters().insert.fetch_add(1, std::memory_order_relaxed);
        state.noteOpTime(w.opTime);
        ++n;
        return Status::OK();
    });
    reply.appendCount("n", n);
    appendWriteErrors(state, reply);
    waitForWriteConcern(opCtx, batch.getValue().wc, state.lastOpTime, reply);
    return Status::OK();
}

Status runUpdate(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto batch = parseBatch(opCtx, args, "updates");
    if (!batch.isOK()) return batch.getStatus();
    BatchState state;
    int64_t nMatched = 0, nModified = 0;
    std::vector<std::pair<int32_t, BsonObj>> upserted;
    forEachStatement(batch.getValue(), state, [&](int32_t index, const bson_iter_t& it) -> Status {
        if (!BSON_ITER_HOLDS_DOCUMENT(&it))
            return Status(ErrorCodes::TypeMismatch, "each update statement must be an object");
        CommandArgs stmt(subDocument(it));
        auto q = stmt.optionalDocument("q");
        if (!q.isOK()) return q.getStatus();
        auto u = stmt.field("u");
        if (!u) return Status(ErrorCodes::FailedToParse, "update statement is missing 'u'");
        if (!BSON_ITER_HOLDS_DOCUMENT(&*u) && !BSON_ITER_HOLDS_ARRAY(&*u))
            return Status(ErrorCodes::FailedToParse, "'u' must be an object or an array");
        auto arrayFilters = stmt.optionalArray("arrayFilters");
        if (!arrayFilters.isOK()) return arrayFilters.getStatus();
        auto spec = parseUpdateSpec(*u, arrayFilters.getValue());
        if (!spec.isOK()) return spec.getStatus();
        auto multi = stmt.optionalBool("multi", false);
        if (!multi.isOK()) return multi.getStatus();
        auto upsert = stmt.optionalBool("upsert", false);
        if (!upsert.isOK()) return upsert.getStatus();
        if (multi.getValue() && spec.getValue().isReplacement())
            return Status(ErrorCodes::FailedToParse,
                          "multi update is not supported for replacement-style update");
        UpdateRequest req{batch.getValue().ns, BsonObj::copyOf(q.getValue()), BsonObj(),
                          &spec.getValue(), multi.getValue(), upsert.getValue()};
        UpdateOutcome out;
        MONGOSD_RETURN_IF_ERROR(updateDocuments(opCtx, req, &out));
        opCtx.service.counters().update.fetch_add(1, std::memory_order_relaxed);
        state.noteOpTime(out.opTime);
        nMatched += out.matched;
        nModified += out.modified;
        if (out.upsertedId) upserted.emplace_back(index, *out.upsertedId);
        return Status::OK();
    });
    reply.appendCount("n", nMatched + static_cast<int64_t>(upserted.size()));
    reply.appendCount("nModified", nModified);
    if (!upserted.empty()) {
        reply.appendArray("upserted", [&](BsonBuilder& arr) {
            char buf[16];
            uint32_t i = 0;
            for (const auto& [index, id] : upserted) {
                arr.appendDocument(arrayIndexKey(i++, buf), [&](BsonBuilder& d) {
                    d.appendInt32("index", index);
                    bson_iter_t idIt;
                    id.view().iterInit(&idIt);
                    bson_iter_next(&idIt);
                    d.appendIter("_id", idIt);
                });
            }
        });
    }
    appendWriteErrors(state, reply);
    waitForWriteConcern(opCtx, batch.getValue().wc, state.lastOpTime, reply);
    return Status::OK();
}

Status runDelete(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto batch = parseBatch(opCtx, args, "deletes");
    if (!batch.isOK()) return batch.getStatus();
    BatchState state;
    int64_t n = 0;
    forEachStatement(batch.getValue(), state, [&](int32_t, const bson_iter_t& it) -> Status {
        if (!BSON_ITER_HOLDS_DOCUMENT(&it))
            return Status(ErrorCodes::TypeMismatch, "each delete statement must be an object");
        CommandArgs stmt(subDocument(it));
        auto q = stmt.optionalDocument("q");
        if (!q.isOK()) return q.getStatus();
        auto limit = stmt.optionalInteger("limit");
        if (!limit.isOK()) return limit.getStatus();
        if (!limit.getValue())
            return Status(ErrorCodes::FailedToParse, "delete statement is missing 'limit'");
        int64_t lim = *limit.getValue();
        if (lim != 0 && lim != 1)
            return Status(ErrorCodes::FailedToParse, "The limit field in delete objects must be 0 or 1");
        DeleteOutcome out;
        MONGOSD_RETURN_IF_ERROR(
            deleteDocuments(opCtx, batch.getValue().ns, q.getValue(), BsonView(), lim == 0, &out));
        opCtx.service.counters().remove.fetch_add(1, std::memory_order_relaxed);
        state.noteOpTime(out.opTime);
        n += out.deleted;
        return Status::OK();
    });
    reply.appendCount("n", n);
    appendWriteErrors(state, reply);
    waitForWriteConcern(opCtx, batch.getValue().wc, state.lastOpTime, reply);
    return Status::OK();
}

}  // namespace

void registerWriteCommands(CommandRegistry& r) {
    addCommand(r, "insert", runInsert);
    addCommand(r, "update", runUpdate);
    addCommand(r, "delete", runDelete);
}

}  // namespace mongosd::shard
