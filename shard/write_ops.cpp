#include "shard/write_ops.h"

#include <vector>

#include "query/matcher.h"
#include "query/sort.h"
#include "query/update.h"
#include "shard/commands/command.h"
#include "shard/query_exec.h"
#include "shard/service.h"
#include "shard/storage/storage_engine.h"

namespace mongosd::shard {
namespace {

// A single-target write retries its selection when the chosen document changed underneath it.
constexpr int kMaxReselects = 5;

bson_iter_t firstValue(const BsonObj& holder) {
    bson_iter_t it;
    bool ok = holder.view().iterInit(&it) && bson_iter_next(&it);
    invariant(ok);
    return it;
}

BsonObj idOf(BsonView doc) {
    BsonBuilder b;
    bson_iter_t id;
    if (doc.find("_id", &id)) b.appendIter("", id);
    return b.obj();
}

Status checkId(const bson_iter_t& id) {
    switch (bson_iter_type(&id)) {
        case BSON_TYPE_ARRAY:
            return Status(ErrorCodes::InvalidIdField, "The '_id' value cannot be of type array");
        case BSON_TYPE_REGEX:
            return Status(ErrorCodes::InvalidIdField, "The '_id' value cannot be of type regex");
        case BSON_TYPE_UNDEFINED:
            return Status(ErrorCodes::InvalidIdField, "The '_id' value cannot be of type undefined");
        default:
            return Status::OK();
    }
}

// The _id of each target, in the order they should be written.
StatusWith<std::vector<BsonObj>> selectTargets(OperationContext& opCtx, const std::string& ns,
                                               BsonView filter, BsonView sort, bool multi) {
    auto sortSpec = query::SortSpec::parse(sort);
    if (!sortSpec.isOK()) return sortSpec.getStatus();
    std::vector<BsonObj> ids;
    if (sortSpec.getValue().empty()) {
        Status st = forEachMatch(opCtx, ns, filter, [&](BsonView doc) {
            ids.push_back(idOf(doc));
            return multi;
        });
        if (!st.isOK()) return st;
        return ids;
    }
    std::vector<BsonObj> docs;
    Status st = forEachMatch(opCtx, ns, filter, [&](BsonView doc) {
        docs.push_back(BsonObj::copyOf(doc));
        return true;
    });
    if (!st.isOK()) return st;
    sortSpec.getValue().sort(docs);
    for (const auto& d : docs) {
        ids.push_back(idOf(d.view()));
        if (!multi) break;
    }
    return ids;
}

}  // namespace

StatusWith<BsonObj> prepareInsert(BsonView doc) {
    if (doc.size() > kMaxUserBsonSize)
        return Status(ErrorCodes::BSONObjectTooLarge,
                      "object to insert exceeds the maximum document size of 16 MiB (" +
                          std::to_string(doc.size()) + " bytes)");
    MONGOSD_RETURN_IF_ERROR(checkDepth(doc));
    bson_iter_t it;
    doc.iterInit(&it);
    while (bson_iter_next(&it)) {
        if (bson_iter_key(&it)[0] == '$')
            return Status(ErrorCodes::DollarPrefixedFieldName,
                          "top-level field name '" + std::string(bson_iter_key(&it)) +
                              "' must not start with '$'");
    }
    BsonBuilder out;
    bson_iter_t id;
    if (doc.find("_id", &id)) {
        MONGOSD_RETURN_IF_ERROR(checkId(id));
        if (doc.firstFieldName() == "_id") return BsonObj::copyOf(doc);
        out.appendIter("_id", id);
    } else {
        bson_oid_t oid;
        bson_oid_init(&oid, nullptr);
        out.appendOid("_id", oid);
    }
    doc.iterInit(&it);
    while (bson_iter_next(&it))
        if (std::string_view(bson_iter_key(&it)) != "_id") out.appendIter(bson_iter_key(&it), it);
    BsonObj result = out.obj();
    if (result.size() > kMaxUserBsonSize)
        return Status(ErrorCodes::BSONObjectTooLarge, "document with _id exceeds 16 MiB");
    return result;
}

Status insertDocument(OperationContext& opCtx, const std::string& ns, BsonView doc,
                      WriteOutcome* outcome) {
    auto& engine = opCtx.service.engine();
    return storage::retryOnWriteConflict([&]() -> Status {
        auto txn = engine.beginWrite();
        if (!txn.isOK()) return txn.getStatus();
        MONGOSD_RETURN_IF_ERROR(txn.getValue().insert(ns, doc));
        auto opTime = txn.getValue().commit();
        if (!opTime.isOK()) return opTime.getStatus();
        outcome->opTime = opTime.getValue();
        return Status::OK();
    });
}

StatusWith<query::UpdateSpec> parseUpdateSpec(const bson_iter_t& update,
                                              std::optional<BsonView> arrayFilters) {
    if (!BSON_ITER_HOLDS_ARRAY(&update))
        return query::UpdateSpec::parse(subDocument(update), arrayFilters);
    if (arrayFilters)
        return Status(ErrorCodes::FailedToParse,
                      "arrayFilters may not be specified for pipeline-style updates");
    return query::UpdateSpec::parsePipeline(subDocument(update));
}

Status updateDocuments(OperationContext& opCtx, const UpdateRequest& req, UpdateOutcome* out) {
    auto matcher = query::parseFilter(req.filter);
    if (!matcher.isOK()) return matcher.getStatus();
    auto& engine = opCtx.service.engine();
    for (int attempt = 0; attempt < kMaxReselects; ++attempt) {
        auto targets = selectTargets(opCtx, req.ns, req.filter, req.sort, req.multi);
        if (!targets.isOK()) return targets.getStatus();
        bool lostTarget = false;
        for (const BsonObj& id : targets.getValue()) {
            MONGOSD_RETURN_IF_ERROR(opCtx.checkForInterrupt());
            bool matched = false;
            Status st = storage::retryOnWriteConflict([&]() -> Status {
                matched = false;
                auto txn = engine.beginWrite();
                if (!txn.isOK()) return txn.getStatus();
                auto current = txn.getValue().findById(req.ns, firstValue(id));
                if (!current.isOK()) return current.getStatus();
                std::optional<size_t> position;  // for the positional '$' operator
                if (!current.getValue() || !matcher.getValue()->matchesRecordingPosition(
                                               current.getValue()->view(), &position))
                    return Status::OK();  // changed since selection: no longer a target
                matched = true;
                BsonView before = current.getValue()->view();
                auto after = req.update->apply(before, position);
                if (!after.isOK()) return after.getStatus();
                bool changed = !after.getValue().view().binaryEqual(before);
                if (changed) {
                    MONGOSD_RETURN_IF_ERROR(txn.getValue().update(req.ns, after.getValue().view()));
                    auto opTime = txn.getValue().commit();
                    if (!opTime.isOK()) return opTime.getStatus();
                    out->opTime = opTime.getValue();
                    ++out->modified;
                }
                // Recorded only once the attempt succeeded (a conflict retries from scratch).
                if (!out->before) {
                    out->before = *current.getValue();
                    out->after = after.getValue();
                }
                return Status::OK();
            });
            if (!st.isOK()) return st;
            if (matched)
                ++out->matched;
            else
                lostTarget = true;
        }
        // A single update whose only target vanished selects again; a multi-update has
        // written every document that still matched.
        if (req.multi || !lostTarget || out->matched > 0) break;
    }
    if (out->matched > 0 || !req.upsert) return Status::OK();

    bson_oid_t oid;
    bson_oid_init(&oid, nullptr);
    auto doc = req.update->applyForUpsert(req.filter, oid);
    if (!doc.isOK()) return doc.getStatus();
    auto prepared = prepareInsert(doc.getValue().view());
    if (!prepared.isOK()) return prepared.getStatus();
    WriteOutcome w;
    MONGOSD_RETURN_IF_ERROR(insertDocument(opCtx, req.ns, prepared.getValue().view(), &w));
    out->opTime = w.opTime;
    out->upsertedId = idOf(prepared.getValue().view());
    out->after = prepared.getValue();
    return Status::OK();
}

Status deleteDocuments(OperationContext& opCtx, const std::string& ns, BsonView filter,
                       BsonView sort, bool multi, DeleteOutcome* out) {
    auto matcher = query::parseFilter(filter);
    if (!matcher.isOK()) return matcher.getStatus();
    auto& engine = opCtx.service.engine();
    for (int attempt = 0; attempt < kMaxReselects; ++attempt) {
        auto targets = selectTargets(opCtx, ns, filter, sort, multi);
        if (!targets.isOK()) return targets.getStatus();
        bool lostTarget = false;
        for (const BsonObj& id : targets.getValue()) {
            MONGOSD_RETURN_IF_ERROR(opCtx.checkForInterrupt());
            bool removed = false;
            Status st = storage::retryOnWriteConflict([&]() -> Status {
                removed = false;
                auto txn = engine.beginWrite();
                if (!txn.isOK()) return txn.getStatus();
                auto current = txn.getValue().findById(ns, firstValue(id));
                if (!current.isOK()) return current.getStatus();
                if (!current.getValue() || !matcher.getValue()->matches(current.getValue()->view()))
                    return Status::OK();
                MONGOSD_RETURN_IF_ERROR(txn.getValue().remove(ns, firstValue(id)));
                auto opTime = txn.getValue().commit();
                if (!opTime.isOK()) return opTime.getStatus();
                out->opTime = opTime.getValue();
                if (!out->removed) out->removed = *current.getValue();
                removed = true;
                return Status::OK();
            });
            if (!st.isOK()) return st;
            if (removed)
                ++out->deleted;
            else
                lostTarget = true;
        }
        if (multi || !lostTarget || out->deleted > 0) break;
    }
    return Status::OK();
}

}  // namespace mongosd::shard
