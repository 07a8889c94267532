#include "shard/commands/write_concern.h"

#include "shard/commands/command.h"
#include "shard/service.h"
#include "shard/storage/storage_engine.h"

namespace mongosd::shard {
namespace {

void appendWriteConcernError(BsonBuilder& reply, const Status& st) {
    reply.appendDocument("writeConcernError", [&](BsonBuilder& e) {
        e.appendInt32("code", st.code());
        e.appendString("codeName", st.codeName());
        e.appendString("errmsg", st.reason());
    });
}

}  // namespace

StatusWith<WriteConcern> parseWriteConcern(const CommandArgs& args) {
    WriteConcern wc;
    auto doc = args.optionalDocument("writeConcern");
    if (!doc.isOK()) return doc.getStatus();
    bson_iter_t it;
    doc.getValue().iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view k(bson_iter_key(&it), bson_iter_key_len(&it));
        if (k == "w") {
            if (BSON_ITER_HOLDS_UTF8(&it)) {
                if (std::string_view(bson_iter_utf8(&it, nullptr)) != "majority")
                    return Status(ErrorCodes::BadValue,
                                  "write concern mode '" + std::string(bson_iter_utf8(&it, nullptr)) +
                                      "' is not known (tags are not supported)");
                wc.majority = true;
            } else if (BSON_ITER_HOLDS_NUMBER(&it)) {
                wc.w = bson_iter_as_int64(&it);
                if (wc.w < 0 || wc.w > 50)
                    return Status(ErrorCodes::FailedToParse, "w must be between 0 and 50");
            } else {
                return Status(ErrorCodes::FailedToParse, "w has to be a number or a string");
            }
        } else if (k == "j") {
            if (!BSON_ITER_HOLDS_BOOL(&it) && !BSON_ITER_HOLDS_NUMBER(&it))
                return Status(ErrorCodes::FailedToParse, "j must be numeric or a boolean value");
            wc.j = bson_iter_as_bool(&it);
        } else if (k == "wtimeout" || k == "wtimeoutMS") {
            if (!BSON_ITER_HOLDS_NUMBER(&it))
                return Status(ErrorCodes::FailedToParse, "wtimeout must be a number");
            wc.wtimeoutMs = bson_iter_as_int64(&it);
        } else if (k == "fsync" || k == "provenance") {
            continue;
        } else {
            return Status(ErrorCodes::FailedToParse,
                          "unrecognized write concern field: " + std::string(k));
        }
    }
    return wc;
}

void waitForWriteConcern(OperationContext& opCtx, const WriteConcern& wc,
                         const std::optional<OpTime>& lastWrite, BsonBuilder& reply) {
    if (wc.w > 1)
        return appendWriteConcernError(
            reply, Status(ErrorCodes::UnsatisfiableWriteConcern,
                          "Not enough data-bearing nodes: this replica set has 1 member, w: " +
                              std::to_string(wc.w)));
    if (!lastWrite || !wc.needsJournal()) return;
    Status st = opCtx.service.engine().waitForDurable(*lastWrite);
    if (!st.isOK()) appendWriteConcernError(reply, st);
}

}  // namespace mongosd::shard
