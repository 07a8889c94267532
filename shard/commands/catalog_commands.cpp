// listDatabases, listCollections, create, drop, dropDatabase.
#include "query/matcher.h"
#include "shard/commands/command.h"
#include "shard/commands/write_concern.h"
#include "shard/service.h"
#include "shard/storage/namespace_util.h"
#include "shard/storage/storage_engine.h"

namespace mongosd::shard {
namespace {

// Appends a UUID given as 8-4-4-4-12 hex as BSON binary subtype 4.
void appendUuid(BsonBuilder& b, std::string_view key, std::string_view hex) {
    uint8_t bytes[16] = {0};
    size_t n = 0;
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (size_t i = 0; i + 1 < hex.size() && n < 16; ++i) {
        if (hex[i] == '-') continue;
        bytes[n++] = static_cast<uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
        ++i;
    }
    bson_append_binary(b.get(), key.data(), static_cast<int>(key.size()), BSON_SUBTYPE_UUID, bytes, 16);
}

Status runListDatabases(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto nameOnly = args.optionalBool("nameOnly", false);
    if (!nameOnly.isOK()) return nameOnly.getStatus();
    auto filter = args.optionalDocument("filter");
    if (!filter.isOK()) return filter.getStatus();
    auto matcher = query::parseFilter(filter.getValue());
    if (!matcher.isOK()) return matcher.getStatus();
    int64_t total = 0;
    auto dbs = opCtx.service.engine().listDatabases();
    reply.appendArray("databases", [&](BsonBuilder& arr) {
        uint32_t i = 0;
        char buf[16];
        for (const auto& db : dbs) {
            BsonBuilder entry;
            entry.appendString("name", db.name);
            if (!nameOnly.getValue()) {
                entry.appendInt64("sizeOnDisk", db.sizeOnDisk);
                entry.appendBool("empty", db.empty);
            }
            BsonObj e = entry.obj();
            if (!matcher.getValue()->matches(e)) continue;
            total += db.sizeOnDisk;
            arr.appendDocument(arrayIndexKey(i++, buf), e.view());
        }
    });
    if (!nameOnly.getValue()) reply.appendInt64("totalSize", total);
    return Status::OK();
}

Status runListCollections(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto filter = args.optionalDocument("filter");
    if (!filter.isOK()) return filter.getStatus();
    auto matcher = query::parseFilter(filter.getValue());
    if (!matcher.isOK()) return matcher.getStatus();
    auto nameOnly = args.optionalBool("nameOnly", false);
    if (!nameOnly.isOK()) return nameOnly.getStatus();
    auto colls = opCtx.service.engine().listCollections(opCtx.db);
    reply.appendDocument("cursor", [&](BsonBuilder& cursor) {
        cursor.appendInt64("id", 0);
        cursor.appendString("ns", opCtx.db + ".$cmd.listCollections");
        cursor.appendArray("firstBatch", [&](BsonBuilder& arr) {
            uint32_t i = 0;
            char buf[16];
            for (const auto& c : colls) {
                BsonBuilder entry;
                entry.appendString("name", std::string_view(c.ns).substr(opCtx.db.size() + 1));
                entry.appendString("type", "collection");
                if (!nameOnly.getValue()) {
                    entry.appendDocument("options", c.options.view());
                    entry.appendDocument("info", [&](BsonBuilder& info) {
                        info.appendBool("readOnly", false);
                        appendUuid(info, "uuid", c.uuid);
                    });
                    entry.appendDocument("idIndex", [](BsonBuilder& idx) {
                        idx.appendInt32("v", 2);
                        idx.appendDocument("key", [](BsonBuilder& k) { k.appendInt32("_id", 1); });
                        idx.appendString("name", "_id_");
                    });
                }
                BsonObj e = entry.obj();
                if (matcher.getValue()->matches(e)) arr.appendDocument(arrayIndexKey(i++, buf), e.view());
            }
        });
    });
    return Status::OK();
}

// Runs a catalog change and waits for the command's write concern on its optime.
Status ddlWithWriteConcern(OperationContext& opCtx, const CommandArgs& args,
                           const StatusWith<OpTime>& result, BsonBuilder& reply) {
    if (!result.isOK()) return result.getStatus();
    auto wc = parseWriteConcern(args);
    if (!wc.isOK()) return wc.getStatus();
    waitForWriteConcern(opCtx, wc.getValue(), result.getValue(), reply);
    return Status::OK();
}

Status runCreate(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    MONGOSD_RETURN_IF_ERROR(checkNamespace(opCtx, coll.getValue()));
    // Options are kept as given (minus generic command fields) for listCollections.
    BsonBuilder options;
    bson_iter_t it;
    args.raw().iterInit(&it);
    bson_iter_next(&it);  // the command name
    while (bson_iter_next(&it)) {
        std::string_view k(bson_iter_key(&it), bson_iter_key_len(&it));
        if (k.empty() || k[0] == '$' || k == "writeConcern" || k == "maxTimeMS" || k == "lsid" ||
            k == "comment")
            continue;
        if (k == "capped" || k == "size" || k == "max" || k == "viewOn" || k == "pipeline" ||
            k == "timeseries" || k == "clusteredIndex")
            return Status(ErrorCodes::InvalidOptions,
                          "create option '" + std::string(k) + "' is not supported");
        options.appendIter(k, it);
    }
    BsonObj opts = options.obj();
    return ddlWithWriteConcern(
        opCtx, args, opCtx.service.engine().createCollection(opCtx.ns(coll.getValue()), opts), reply);
}

Status runDrop(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto coll = args.collectionName();
    if (!coll.isOK()) return coll.getStatus();
    std::string ns = opCtx.ns(coll.getValue());
    auto dropped = opCtx.service.engine().dropCollection(ns);
    // As MongoDB 7: dropping a collection that does not exist succeeds.
    if (!dropped.isOK() && dropped.getStatus().code() != ErrorCodes::NamespaceNotFound)
        return dropped.getStatus();
    reply.appendString("ns", ns);
    reply.appendInt32("nIndexesWas", dropped.isOK() ? 1 : 0);
    if (!dropped.isOK()) return Status::OK();
    return ddlWithWriteConcern(opCtx, args, dropped, reply);
}

Status runDropDatabase(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) {
    auto dropped = opCtx.service.engine().dropDatabase(opCtx.db);
    if (!dropped.isOK()) return dropped.getStatus();
    reply.appendString("dropped", opCtx.db);
    return ddlWithWriteConcern(opCtx, args, dropped, reply);
}

}  // namespace

Status checkNamespace(const OperationContext& opCtx, std::string_view coll) {
    return storage::validateNamespace(opCtx.ns(coll));
}

void registerCatalogCommands(CommandRegistry& r) {
    addCommand(r, "listDatabases", runListDatabases, /*admin=*/true);
    addCommand(r, "listCollections", runListCollections);
    addCommand(r, "create", runCreate);
    addCommand(r, "drop", runDrop);
    addCommand(r, "dropDatabase", runDropDatabase);
}

}  // namespace mongosd::shard
