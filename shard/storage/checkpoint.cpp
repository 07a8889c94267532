// Checkpoints: make the document tables durable up to a stable timestamp, so that recovery
// replays only the oplog written since (docs/storage.md, "Durability and recovery").
#include <spdlog/spdlog.h>

#include <set>

#include "shard/storage/engine_core.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {

Status EngineCore::writeSizeStorer(WtSession* session, Timestamp at) {
    WT_SESSION* s = session->get();
    MONGOSD_RETURN_IF_ERROR(
        wtStatus(s->begin_transaction(s, "isolation=snapshot"), "begin sizeStorer txn"));
    WT_CURSOR* c = nullptr;
    int ret = session->checkoutCursor(kSizeStorerUri, CursorMode::kOverwrite, &c);
    if (ret != 0) {
        s->rollback_transaction(s, nullptr);
        return wtError(ret, "open sizeStorer");
    }
    std::vector<CollectionPtr> entries = catalog.all();
    std::set<CollectionUuid> live;
    for (const auto& entry : entries) live.insert(entry->uuid);

    // Rows of dropped collections go; the others are rewritten with the current counts.
    std::vector<CollectionUuid> stale;
    while (ret == 0 && (ret = c->next(c)) == 0) {
        WT_ITEM k;
        CollectionUuid uuid;
        ret = c->get_key(c, &k);
        if (ret == 0 &&
            CollectionUuid::fromBytes(static_cast<const uint8_t*>(k.data), k.size, &uuid) &&
            live.count(uuid) == 0) {
            stale.push_back(uuid);
        }
    }
    if (ret == WT_NOTFOUND) ret = 0;
    for (const auto& uuid : stale) {
        if (ret != 0) break;
        WT_ITEM k = makeItem(uuid.bytes.data(), uuid.bytes.size());
        c->set_key(c, &k);
        ret = c->remove(c);
    }
    if (ret == 0) {
        BsonBuilder b;
        b.appendInt64("appendedBytes", _oplogAppendedBytes.load());
        BsonObj row = b.obj();
        WT_ITEM k = makeItem(kOplogSizeKey.data(), kOplogSizeKey.size());
        WT_ITEM v = makeItem(row.data(), row.size());
        c->set_key(c, &k);
        c->set_value(c, &v);
        ret = c->insert(c);
    }
    for (const auto& entry : entries) {
        if (ret != 0) break;
        BsonBuilder b;
        b.appendInt64("count", entry->count.load());
        BsonObj row = b.obj();
        WT_ITEM k = makeItem(entry->uuid.bytes.data(), entry->uuid.bytes.size());
        WT_ITEM v = makeItem(row.data(), row.size());
        c->set_key(c, &k);
        c->set_value(c, &v);
        ret = c->insert(c);
    }
    session->returnCursor(c, CursorMode::kOverwrite);
    if (ret != 0) {
        s->rollback_transaction(s, nullptr);
        return wtError(ret, "write sizeStorer");
    }
    std::string config = "commit_timestamp=" + tsToHex(at);
    return wtStatus(s->commit_transaction(s, config.c_str()), "commit sizeStorer");
}

Status EngineCore::checkpoint() {
    std::lock_guard ck(_checkpointMutex);
    auto session = sessions.acquire();
    if (!session.isOK()) return session.getStatus();
    MONGOSD_RETURN_IF_ERROR(truncateOplog(session.getValue().get()));
    Timestamp at;
    {
        // The counts and `at` must describe the same instant (invariant 4).
        std::lock_guard lk(_commitMutex);
        at = lastCommitted().ts;
        if (at.isNull() || at == _lastCheckpointTs) {
            at = Timestamp{};
        } else {
            MONGOSD_RETURN_IF_ERROR(writeSizeStorer(session.getValue().get(), at));
        }
    }
    if (!at.isNull()) {
        // Single node: durable == majority committed, so the stable timestamp may move to it.
        MONGOSD_RETURN_IF_ERROR(journal.waitUntilDurable(at));
        std::string hex = tsToHex(at);
        std::string config = "stable_timestamp=" + hex + ",oldest_timestamp=" + hex;
        MONGOSD_RETURN_IF_ERROR(
            wtStatus(conn->set_timestamp(conn, config.c_str()), "set_timestamp"));
        _stableTs = at;
        WT_SESSION* s = session.getValue()->get();
        MONGOSD_RETURN_IF_ERROR(wtStatus(s->checkpoint(s, "use_timestamp=true"), "checkpoint"));
        _lastCheckpointTs = at;
        spdlog::debug("storage: checkpoint at {}", at.toString());
    }
    session.getValue().reset();
    dropPendingTables();
    return Status::OK();
}

Status EngineCore::advanceStableTimestamp() {
    // A running checkpoint pins stable at the instant its counts describe (invariant 4);
    // skip this round rather than wait for it.
    std::unique_lock ck(_checkpointMutex, std::try_to_lock);
    if (!ck.owns_lock()) return Status::OK();
    // Single node: durable == majority committed, and every commit at or below it is visible
    // (invariant 1), so it may become stable.
    const Timestamp durable = journal.durable().ts;
    if (durable.isNull() || durable <= _stableTs) return Status::OK();
    const std::string hex = tsToHex(durable);
    const std::string config = "stable_timestamp=" + hex + ",oldest_timestamp=" + hex;
    MONGOSD_RETURN_IF_ERROR(wtStatus(conn->set_timestamp(conn, config.c_str()), "set_timestamp"));
    _stableTs = durable;
    return Status::OK();
}

}  // namespace mongosd::storage
