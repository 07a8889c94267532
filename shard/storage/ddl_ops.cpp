// Catalog changes made inside a transaction: create a collection, drop one, drop a database.
// Each writes the catalog row and the "c" oplog entry in the caller's transaction; the
// in-memory catalog follows at commit (EngineCore::commit).
#include "shard/storage/engine_core.h"
#include "shard/storage/namespace_util.h"
#include "shard/storage/txn_state.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {
namespace {

Status namespaceExists(std::string_view ns) {
    return Status(ErrorCodes::NamespaceExists, "Collection already exists. NS: " + std::string(ns));
}

Status namespaceNotFound(std::string_view ns) {
    return Status(ErrorCodes::NamespaceNotFound, "ns not found: " + std::string(ns));
}

BsonObj createCommand(std::string_view coll, BsonView options) {
    BsonBuilder b;
    b.appendString("create", coll);
    b.appendAll(options);
    return b.obj();
}

}  // namespace

StatusWith<CollectionPtr> TxnState::createCollection(std::string_view ns, BsonView options) {
    MONGOSD_RETURN_IF_ERROR(validateNamespace(ns));
    if (core->catalog.lookup(ns)) return namespaceExists(ns);
    auto ident = core->createIdent();
    if (!ident.isOK()) return ident.getStatus();
    createdIdents.push_back(ident.getValue());
    auto entry = std::make_shared<CollectionEntry>(std::string(ns), CollectionUuid::generate(),
                                                   ident.getValue(), BsonObj::copyOf(options));

    auto cursor = checkout(kCatalogUri, CursorMode::kStrict);
    if (!cursor.isOK()) return poison(cursor.getStatus());
    ScopedCursor c(this, cursor.getValue(), CursorMode::kStrict);
    BsonObj row = catalogRow(*entry);
    WT_ITEM k = makeItem(ns.data(), ns.size());
    WT_ITEM v = makeItem(row.data(), row.size());
    c->set_key(c.get(), &k);
    c->set_value(c.get(), &v);
    int ret = c->insert(c.get());
    if (ret == WT_DUPLICATE_KEY) return namespaceExists(ns);
    if (ret != 0) return poison(wtError(ret, "insert catalog row"));

    oplog.push_back(
        PendingOplogEntry::command(dbOf(ns), &entry->uuid, createCommand(collOf(ns), options)));
    added.push_back(entry);
    touched.push_back(entry);
    return entry;
}

Status TxnState::dropCollection(std::string_view ns) {
    MONGOSD_RETURN_IF_ERROR(validateNamespace(ns));
    CollectionPtr entry = core->catalog.lookup(ns);
    if (!entry) return namespaceNotFound(ns);

    auto cursor = checkout(kCatalogUri, CursorMode::kStrict);
    if (!cursor.isOK()) return poison(cursor.getStatus());
    ScopedCursor c(this, cursor.getValue(), CursorMode::kStrict);
    WT_ITEM k = makeItem(ns.data(), ns.size());
    c->set_key(c.get(), &k);
    int ret = c->remove(c.get());
    // Not in our snapshot although the mirror has it: dropped and re-created concurrently.
    if (ret == WT_NOTFOUND) return poison(Status(ErrorCodes::WriteConflict, "catalog changed"));
    if (ret != 0) return poison(wtError(ret, "remove catalog row"));

    BsonBuilder o;
    o.appendString("drop", collOf(ns));
    oplog.push_back(PendingOplogEntry::command(dbOf(ns), &entry->uuid, o.obj()));
    removed.push_back(entry);
    touched.push_back(entry);
    return Status::OK();
}

Status TxnState::replaceCollection(const CollectionPtr& current, CollectionPtr next,
                                   const std::vector<BsonObj>& entries,
                                   std::vector<std::string> droppedIdents) {
    auto cursor = checkout(kCatalogUri, CursorMode::kOverwrite);
    if (!cursor.isOK()) return poison(cursor.getStatus());
    ScopedCursor c(this, cursor.getValue(), CursorMode::kOverwrite);
    BsonObj row = catalogRow(*next);
    WT_ITEM k = makeItem(next->ns.data(), next->ns.size());
    WT_ITEM v = makeItem(row.data(), row.size());
    c->set_key(c.get(), &k);
    c->set_value(c.get(), &v);
    int ret = c->insert(c.get());
    if (ret != 0) return poison(wtError(ret, "rewrite catalog row"));
    for (const auto& o : entries) {
        oplog.push_back(PendingOplogEntry::command(dbOf(next->ns), &next->uuid, o.view()));
    }
    replaced.emplace_back(current, std::move(next));
    for (auto& ident : droppedIdents) identsToDrop.push_back(std::move(ident));
    return Status::OK();
}

Status TxnState::dropDatabase(std::string_view db) {
    MONGOSD_RETURN_IF_ERROR(validateDatabaseName(db));
    std::vector<CollectionPtr> entries = core->catalog.inDatabase(db);
    if (entries.empty()) return Status::OK();

    auto cursor = checkout(kCatalogUri, CursorMode::kStrict);
    if (!cursor.isOK()) return poison(cursor.getStatus());
    ScopedCursor c(this, cursor.getValue(), CursorMode::kStrict);
    for (const auto& entry : entries) {
        WT_ITEM k = makeItem(entry->ns.data(), entry->ns.size());
        c->set_key(c.get(), &k);
        int ret = c->remove(c.get());
        if (ret == WT_NOTFOUND) return poison(Status(ErrorCodes::WriteConflict, "catalog changed"));
        if (ret != 0) return poison(wtError(ret, "remove catalog row"));
        removed.push_back(entry);
        touched.push_back(entry);
    }
    BsonBuilder o;
    o.appendInt32("dropDatabase", 1);
    oplog.push_back(PendingOplogEntry::command(db, nullptr, o.obj()));
    return Status::OK();
}

}  // namespace mongosd::storage
