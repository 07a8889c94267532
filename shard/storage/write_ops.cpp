// The document writes of a WriteTxn: insert, update (replace by _id) and remove.
#include <cerrno>
#include <optional>

#include "common/key_string.h"
#include "shard/storage/engine_core.h"
#include "shard/storage/txn_state.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {
namespace {

Status findId(BsonView doc, bson_iter_t* id) {
    if (!doc.find("_id", id)) return Status(ErrorCodes::BadValue, "document has no _id field");
    switch (bson_iter_type(id)) {
        case BSON_TYPE_ARRAY:
            return Status(ErrorCodes::InvalidIdField, "The '_id' value cannot be of type array");
        case BSON_TYPE_REGEX:
            return Status(ErrorCodes::InvalidIdField, "The '_id' value cannot be of type regex");
        case BSON_TYPE_UNDEFINED:
            return Status(ErrorCodes::InvalidIdField,
                          "The '_id' value cannot be of type undefined");
        default:
            return Status::OK();
    }
}

// For a collection with indexes, the stored version of the document under `k` (copied: the
// index maintenance that follows moves the cursor), whose index rows the write replaces; left
// unset when there is none, or when the collection has no index to maintain.
Status readBeforeImage(const CollectionEntry& entry, WT_CURSOR* c, const WT_ITEM& k,
                       std::optional<BsonObj>* before) {
    if (entry.indexes.empty()) return Status::OK();
    c->set_key(c, &k);
    int ret = c->search(c);
    if (ret == WT_NOTFOUND) return Status::OK();
    WT_ITEM v;
    if (ret == 0) ret = c->get_value(c, &v);
    if (ret != 0) return wtError(ret, "read before write");
    *before = BsonObj::copyOf(BsonView(static_cast<const uint8_t*>(v.data), v.size));
    return Status::OK();
}

Status noSuchDocument(std::string_view ns, const bson_iter_t& id) {
    return Status(ErrorCodes::NoSuchKey,
                  "no document " + formatIdForMessage(id) + " in collection " + std::string(ns));
}

}  // namespace

StatusWith<CollectionPtr> TxnState::resolveForWrite(std::string_view ns, bool autoCreate) {
    for (const auto& entry : touched) {
        if (entry->ns == ns) return entry;
    }
    // Before the lookup, so that the entry (and its index list) stays current until we end.
    holdGate(ns);
    if (CollectionPtr entry = core->catalog.lookup(ns)) {
        touched.push_back(entry);
        return entry;
    }
    if (!autoCreate) {
        return Status(ErrorCodes::NamespaceNotFound,
                      "collection " + std::string(ns) + " does not exist");
    }
    auto created = createCollection(ns, BsonView());
    // Two transactions creating the same collection conflict on its catalog row: the loser
    // retries and finds the winner's collection.
    if (created.getStatus() == ErrorCodes::NamespaceExists) {
        return poison(Status(ErrorCodes::WriteConflict, created.getStatus().reason()));
    }
    return created;
}

Status TxnState::insertDoc(std::string_view ns, BsonView doc) {
    bson_iter_t id;
    MONGOSD_RETURN_IF_ERROR(findId(doc, &id));
    if (doc.size() > kMaxUserBsonSize) {
        return Status(ErrorCodes::BSONObjectTooLarge, "document is larger than 16 MiB");
    }
    auto coll = resolveForWrite(ns, true);
    if (!coll.isOK()) return coll.getStatus();
    CollectionPtr entry = coll.getValue();
    auto cursor = checkout(entry->uri(), CursorMode::kStrict);
    if (!cursor.isOK()) return poison(cursor.getStatus());
    ScopedCursor c(this, cursor.getValue(), CursorMode::kStrict);

    std::string key = keystring::encodeValue(id);
    WT_ITEM k = makeItem(key.data(), key.size());
    WT_ITEM v = makeItem(doc.data(), doc.size());
    c->set_key(c.get(), &k);
    c->set_value(c.get(), &v);
    int ret = c->insert(c.get());
    if (ret == WT_DUPLICATE_KEY) {
        return Status(ErrorCodes::DuplicateKey,
                      "E11000 duplicate key error collection: " + std::string(ns) +
                          " index: _id_ dup key: " + formatIdForMessage(id));
    }
    if (ret != 0) return poison(wtError(ret, "insert into " + std::string(ns)));
    if (!entry->indexes.empty()) {
        Status indexed = updateIndexes(entry, BsonView(), doc, key);
        if (!indexed.isOK()) return poison(indexed);
    }
    oplog.push_back(PendingOplogEntry::insert(ns, entry->uuid, doc));
    countDeltas.emplace_back(entry, 1);
    userWriteDone = true;
    return Status::OK();
}

Status TxnState::updateDoc(std::string_view ns, BsonView postImage) {
    bson_iter_t id;
    MONGOSD_RETURN_IF_ERROR(findId(postImage, &id));
    if (postImage.size() > kMaxUserBsonSize) {
        return Status(ErrorCodes::BSONObjectTooLarge, "document is larger than 16 MiB");
    }
    auto coll = resolveForWrite(ns, false);
    if (!coll.isOK()) return coll.getStatus();
    CollectionPtr entry = coll.getValue();
    auto cursor = checkout(entry->uri(), CursorMode::kStrict);
    if (!cursor.isOK()) return poison(cursor.getStatus());
    ScopedCursor c(this, cursor.getValue(), CursorMode::kStrict);

    std::string key = keystring::encodeValue(id);
    WT_ITEM k = makeItem(key.data(), key.size());
    std::optional<BsonObj> before;
    Status read = readBeforeImage(*entry, c.get(), k, &before);
    if (!read.isOK()) return poison(read);
    if (!entry->indexes.empty() && !before) return noSuchDocument(ns, id);
    WT_ITEM v = makeItem(postImage.data(), postImage.size());
    c->set_key(c.get(), &k);
    c->set_value(c.get(), &v);
    int ret = c->update(c.get());
    if (ret == WT_NOTFOUND) return noSuchDocument(ns, id);
    if (ret != 0) return poison(wtError(ret, "update in " + std::string(ns)));
    if (before) {
        Status indexed = updateIndexes(entry, before->view(), postImage, key);
        if (!indexed.isOK()) return poison(indexed);
    }
    oplog.push_back(PendingOplogEntry::update(ns, entry->uuid, postImage, id));
    userWriteDone = true;
    return Status::OK();
}

Status TxnState::removeDoc(std::string_view ns, const bson_iter_t& id) {
    auto coll = resolveForWrite(ns, false);
    if (!coll.isOK()) return coll.getStatus();
    CollectionPtr entry = coll.getValue();
    auto cursor = checkout(entry->uri(), CursorMode::kStrict);
    if (!cursor.isOK()) return poison(cursor.getStatus());
    ScopedCursor c(this, cursor.getValue(), CursorMode::kStrict);

    std::string key = keystring::encodeValue(id);
    WT_ITEM k = makeItem(key.data(), key.size());
    std::optional<BsonObj> before;
    Status read = readBeforeImage(*entry, c.get(), k, &before);
    if (!read.isOK()) return poison(read);
    if (!entry->indexes.empty() && !before) return noSuchDocument(ns, id);
    c->set_key(c.get(), &k);
    int ret = c->remove(c.get());
    if (ret == WT_NOTFOUND) return noSuchDocument(ns, id);
    if (ret != 0) return poison(wtError(ret, "remove from " + std::string(ns)));
    if (before) {
        Status indexed = updateIndexes(entry, before->view(), BsonView(), key);
        if (!indexed.isOK()) return poison(indexed);
    }
    oplog.push_back(PendingOplogEntry::remove(ns, entry->uuid, id));
    countDeltas.emplace_back(entry, -1);
    userWriteDone = true;
    return Status::OK();
}

}  // namespace mongosd::storage
