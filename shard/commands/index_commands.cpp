// createIndexes, listIndexes, dropIndexes.
#include "shard/commands/command.h"
#include "shard/commands/write_concern.h"
#include "shard/service.h"
#include "shard/storage/storage_engine.h"

namespace mongosd::shard {
namespace {

Status runCreateIndexes(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    auto wc = parseWriteConcern(args);
    if (!wc.isOK()) return wc.getStatus();
    MaybeIter indexes = args.field("indexes");
    if (!indexes) {
        return Status(ErrorCodes::FailedToParse, "createIndexes requires the field 'indexes'");
    }
    if (!BSON_ITER_HOLDS_ARRAY(&*indexes)) {
        return Status(ErrorCodes::TypeMismatch, "the field 'indexes' must be an array");
    }
    std::vector<BsonObj> specs;
    bson_iter_t elem;
    bson_iter_recurse(&*indexes, &elem);
    while (bson_iter_next(&elem)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&elem)) {
            return Status(ErrorCodes::TypeMismatch, "each index specification must be an object");
        }
        specs.push_back(BsonObj::copyOf(subDocument(elem)));
    }
    auto result = opCtx.service.engine().createIndexes(opCtx.ns(coll.getValue()), specs);
    if (!result.isOK()) return result.getStatus();
    const auto& r = result.getValue();
    reply.appendInt32("numIndexesBefore", r.numIndexesBefore);
    reply.appendInt32("numIndexesAfter", r.numIndexesAfter);
    reply.appendBool("createdCollectionAutomatically", r.createdCollectionAutomatically);
    if (r.allExisted) reply.appendString("note", "all indexes already exist");
    waitForWriteConcern(opCtx, wc.getValue(), r.opTime, reply);
    return Status::OK();
}

Status runListIndexes(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    std::string ns = opCtx.ns(coll.getValue());
    auto specs = opCtx.service.engine().listIndexes(ns);
    if (!specs.isOK()) return specs.getStatus();
    reply.appendDocument("cursor", [&](BsonBuilder& cursor) {
        cursor.appendInt64("id", 0);
        cursor.appendString("ns", ns);
        cursor.appendArray("firstBatch", [&](BsonBuilder& arr) {
            char buf[16];
            uint32_t i = 0;
            for (const auto& spec : specs.getValue())
                arr.appendDocument(arrayIndexKey(i++, buf), spec.view());
        });
    });
    return Status::OK();
}

Status runDropIndexes(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    auto wc = parseWriteConcern(args);
    if (!wc.isOK()) return wc.getStatus();
    MaybeIter index = args.field("index");
    if (!index) {
        return Status(ErrorCodes::FailedToParse, "dropIndexes requires the field 'index'");
    }
    std::vector<std::string> names;
    BsonView keyPattern;
    const bson_iter_t& it = *index;
    if (BSON_ITER_HOLDS_UTF8(&it)) {
        names.emplace_back(bson_iter_utf8(&it, nullptr));
    } else if (BSON_ITER_HOLDS_DOCUMENT(&it)) {
        keyPattern = subDocument(it);
        if (keyPattern.isEmpty()) {
            return Status(ErrorCodes::IndexNotFound, "can't find index with key: {}");
        }
    } else if (BSON_ITER_HOLDS_ARRAY(&it)) {
        bson_iter_t elem;
        bson_iter_recurse(&it, &elem);
        while (bson_iter_next(&elem)) {
            if (!BSON_ITER_HOLDS_UTF8(&elem)) {
                return Status(ErrorCodes::TypeMismatch, "dropIndexes names must be strings");
            }
            names.emplace_back(bson_iter_utf8(&elem, nullptr));
        }
    } else {
        return Status(ErrorCodes::TypeMismatch,
                      "the field 'index' must be a string, an array of strings or an object");
    }
    auto result = opCtx.service.engine().dropIndexes(opCtx.ns(coll.getValue()), names, keyPattern);
    if (!result.isOK()) return result.getStatus();
    reply.appendInt32("nIndexesWas", result.getValue().nIndexesWas);
    waitForWriteConcern(opCtx, wc.getValue(), result.getValue().opTime, reply);
    return Status::OK();
}

Status runValidate(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    std::string ns = opCtx.ns(coll.getValue());
    auto result = opCtx.service.engine().validate(ns);
    if (!result.isOK()) return result.getStatus();
    const auto& r = result.getValue();
    auto strings = [&](std::string_view field, const std::vector<std::string>& v) {
        reply.appendArray(field, [&](BsonBuilder& arr) {
            char buf[16];
            uint32_t i = 0;
            for (const auto& s : v) arr.appendString(arrayIndexKey(i++, buf), s);
        });
    };
    reply.appendString("ns", ns);
    reply.appendInt64("nInvalidDocuments", 0);
    reply.appendInt64("nrecords", r.nrecords);
    reply.appendInt32("nIndexes", int32_t(r.keysPerIndex.size()));
    reply.appendDocument("keysPerIndex", [&](BsonBuilder& k) {
        for (const auto& [name, n] : r.keysPerIndex) k.appendInt64(name, n);
    });
    reply.appendBool("valid", r.errors.empty());
    strings("errors", r.errors);
    strings("warnings", {});
    return Status::OK();
}

}  // namespace

void registerIndexCommands(CommandRegistry& r) {
    addCommand(r, "validate", runValidate);
    addCommand(r, "createIndexes", runCreateIndexes);
    addCommand(r, "listIndexes", runListIndexes);
    addCommand(r, "dropIndexes", runDropIndexes);
    r.addAlias("deleteIndexes", "dropIndexes");
}

}  // namespace mongosd::shard
