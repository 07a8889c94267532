#pragma once
// Single-document write operations on one shard, shared by the insert/update/delete commands
// and findAndModify. Each document write is one storage transaction (document + oplog entry),
// retried on write conflicts. Multi-document operations select targets first, then write each
// in its own transaction, re-checking the filter so a concurrent change is never overwritten.

#include <optional>
#include <string>

#include "common/bson.h"
#include "common/optime.h"

namespace mongosd::query {
class MatchExpression;
class UpdateSpec;
}  // namespace mongosd::query

namespace mongosd::shard {

struct OperationContext;

// Checks a user document for storage (size, field names, _id) and returns it with _id first,
// generating an ObjectId when it has none.
StatusWith<BsonObj> prepareInsert(BsonView doc);

struct WriteOutcome {
    std::optional<OpTime> opTime;  // set when something was written
};

Status insertDocument(OperationContext& opCtx, const std::string& ns, BsonView doc,
                      WriteOutcome* outcome);

struct UpdateOutcome {
    int64_t matched = 0;
    int64_t modified = 0;
    std::optional<BsonObj> upsertedId;  // {"": id}
    std::optional<BsonObj> before;      // first matched document's pre-image
    std::optional<BsonObj> after;       // its post-image (or the upserted document)
    std::optional<OpTime> opTime;
};

struct UpdateRequest {
    std::string ns;
    BsonObj filter;
    BsonObj sort;  // findAndModify picks the first match in this order
    const query::UpdateSpec* update = nullptr;
    bool multi = false;
    bool upsert = false;
};

// The update of an update statement or findAndModify: a document (operators or replacement) or
// an array (a pipeline; arrayFilters then FailedToParse, as MongoDB).
StatusWith<query::UpdateSpec> parseUpdateSpec(const bson_iter_t& update,
                                              std::optional<BsonView> arrayFilters);

Status updateDocuments(OperationContext& opCtx, const UpdateRequest& req, UpdateOutcome* out);

struct DeleteOutcome {
    int64_t deleted = 0;
    std::optional<BsonObj> removed;  // the (first) deleted document
    std::optional<OpTime> opTime;
};

Status deleteDocuments(OperationContext& opCtx, const std::string& ns, BsonView filter,
                       BsonView sort, bool multi, DeleteOutcome* out);

}  // namespace mongosd::shard
