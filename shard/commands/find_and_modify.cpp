// findAndModify: update, replace or remove one document and return it (before or after).
#include "query/matcher.h"
#include "query/projection.h"
#include "query/update.h"
#include "shard/commands/command.h"
#include "shard/commands/write_concern.h"
#include "shard/service.h"
#include "shard/write_ops.h"

namespace mongosd::shard {
namespace {

// `matchedDoc` is the document the filter selected (the pre-image of an update), which a
// positional projection ("a.$") takes its array position from.
Status appendValue(BsonBuilder& reply, const std::optional<BsonObj>& doc,
                   const query::Projection& projection, BsonView filter,
                   const std::optional<BsonObj>& matchedDoc) {
    if (!doc) {
        reply.appendNull("value");
        return Status::OK();
    }
    query::ProjectionContext ctx;
    if (projection.hasPositional() && matchedDoc) {
        auto matcher = query::parseFilter(filter);
        if (!matcher.isOK()) return matcher.getStatus();
        auto matched = matcher.getValue()->matchesChecked(matchedDoc->view(), &ctx.matchedPosition);
        if (!matched.isOK()) return matched.getStatus();
    }
    auto projected = projection.apply(doc->view(), ctx);
    if (!projected.isOK()) return projected.getStatus();
    reply.appendDocument("value", projected.getValue().view());
    return Status::OK();
}

Status runFindAndModify(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    std::string ns = opCtx.ns(coll.getValue());
    auto filter = args.optionalDocument("query");
    if (!filter.isOK()) return filter.getStatus();
    auto sort = args.optionalDocument("sort");
    if (!sort.isOK()) return sort.getStatus();
    auto fields = args.optionalDocument("fields");
    if (!fields.isOK()) return fields.getStatus();
    auto projection = query::Projection::parse(fields.getValue());
    if (!projection.isOK()) return projection.getStatus();
    auto remove = args.optionalBool("remove", false);
    if (!remove.isOK()) return remove.getStatus();
    auto returnNew = args.optionalBool("new", false);
    if (!returnNew.isOK()) return returnNew.getStatus();
    auto upsert = args.optionalBool("upsert", false);
    if (!upsert.isOK()) return upsert.getStatus();
    auto wc = parseWriteConcern(args);
    if (!wc.isOK()) return wc.getStatus();
    auto update = args.field("update");

    if (remove.getValue() == update.has_value())
        return Status(ErrorCodes::FailedToParse, "Either an update or remove=true must be specified");
    if (remove.getValue()) {
        if (returnNew.getValue() || upsert.getValue())
            return Status(ErrorCodes::FailedToParse, "Cannot specify both new=true or upsert=true "
                                                     "and remove=true");
        DeleteOutcome out;
        MONGOSD_RETURN_IF_ERROR(
            deleteDocuments(opCtx, ns, filter.getValue(), sort.getValue(), false, &out));
        reply.appendDocument("lastErrorObject", [&](BsonBuilder& le) {
            le.appendInt32("n", static_cast<int32_t>(out.deleted));
        });
        // A computed field that fails at run time fails the command after the write committed
        // (the write stays; the reply is the error, as the projection cannot be produced).
        MONGOSD_RETURN_IF_ERROR(appendValue(reply, out.removed, projection.getValue(),
                                            filter.getValue(), out.removed));
        waitForWriteConcern(opCtx, wc.getValue(), out.opTime, reply);
        return Status::OK();
    }

    if (!BSON_ITER_HOLDS_DOCUMENT(&*update) && !BSON_ITER_HOLDS_ARRAY(&*update))
        return Status(ErrorCodes::FailedToParse, "'update' must be an object or an array");
    auto arrayFilters = args.optionalArray("arrayFilters");
    if (!arrayFilters.isOK()) return arrayFilters.getStatus();
    auto spec = parseUpdateSpec(*update, arrayFilters.getValue());
    if (!spec.isOK()) return spec.getStatus();
    UpdateRequest req{ns, BsonObj::copyOf(filter.getValue()), BsonObj::copyOf(sort.getValue()),
                      &spec.getValue(), false, upsert.getValue()};
    UpdateOutcome out;
    MONGOSD_RETURN_IF_ERROR(updateDocuments(opCtx, req, &out));
    reply.appendDocument("lastErrorObject", [&](BsonBuilder& le) {
        le.appendInt32("n", out.matched > 0 || out.upsertedId ? 1 : 0);
        le.appendBool("updatedExisting", out.matched > 0);
        if (out.upsertedId) {
            bson_iter_t id;
            out.upsertedId->view().iterInit(&id);
            bson_iter_next(&id);
            le.appendIter("upserted", id);
        }
    });
    MONGOSD_RETURN_IF_ERROR(appendValue(reply, returnNew.getValue() ? out.after : out.before,
                                        projection.getValue(), filter.getValue(), out.before));
    waitForWriteConcern(opCtx, wc.getValue(), out.opTime, reply);
    return Status::OK();
}

}  // namespace

void registerFindAndModifyCommand(CommandRegistry& r) {
    addCommand(r, "findAndModify", runFindAndModify);
    r.addAlias("findandmodify", "findAndModify");
}

}  // namespace mongosd::shard
