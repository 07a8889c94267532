// Startup recovery: bring the document tables from the last checkpoint up to the end of the
// journaled oplog. The protocol and why each step is safe: docs/storage.md.
#include <spdlog/spdlog.h>

#include <cerrno>
#include <optional>
#include <set>

#include "common/key_string.h"
#include "shard/storage/engine_core.h"
#include "shard/storage/index_table.h"
#include "shard/storage/oplog_entry.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {
namespace {

Status corruptOplog(Timestamp ts, const Status& why) {
    return Status(ErrorCodes::InternalError,
                  "corrupt oplog entry at " + ts.toString() + ": " + why.reason());
}

bool tableExists(WT_SESSION* s, const std::string& uri) {
    WT_CURSOR* meta = nullptr;
    if (s->open_cursor(s, "metadata:", nullptr, nullptr, &meta) != 0) return false;
    meta->set_key(meta, uri.c_str());
    bool found = meta->search(meta) == 0;
    meta->close(meta);
    return found;
}

// Applies one document entry to its table with a blind put/remove, reporting the change in
// the number of documents. Idempotent.
Status applyDocumentOp(WT_CURSOR* c, const OplogEntry& e, int64_t* countDelta,
                       std::string* idKey, std::optional<BsonObj>* before) {
    BsonView idSource = (e.op == 'u' && e.o2) ? *e.o2 : e.o;
    bson_iter_t id;
    if (!idSource.find("_id", &id)) {
        return Status(ErrorCodes::FailedToParse, "entry has no _id");
    }
    std::string key = keystring::encodeValue(id);
    *idKey = key;
    WT_ITEM k = makeItem(key.data(), key.size());
    c->set_key(c, &k);
    int ret = c->search(c);
    if (ret != 0 && ret != WT_NOTFOUND) return wtError(ret, "replay search");
    const bool existed = ret == 0;
    if (existed && before) {
        WT_ITEM old;
        MONGOSD_RETURN_IF_ERROR(wtStatus(c->get_value(c, &old), "replay read"));
        *before = BsonObj::copyOf(BsonView(static_cast<const uint8_t*>(old.data), old.size));
    }
    c->set_key(c, &k);
    if (e.op == 'd') {
        if (!existed) return Status::OK();
        *countDelta = -1;
        return wtStatus(c->remove(c), "replay remove");
    }
    WT_ITEM v = makeItem(e.o.data(), e.o.size());
    c->set_value(c, &v);
    *countDelta = existed ? 0 : 1;
    return wtStatus(c->insert(c), "replay put");
}

}  // namespace

Status EngineCore::recover() {
    char hex[32] = {0};  // 16 hex digits and a NUL
    int ret = conn->query_timestamp(conn, hex, "get=recovery");
    if (ret != 0 && ret != WT_NOTFOUND) return wtError(ret, "query_timestamp recovery");
    const Timestamp checkpointTs = ret == 0 ? tsFromHex(hex) : Timestamp{};
    recoveryStats.checkpointTs = checkpointTs;
    _lastCheckpointTs = checkpointTs;
    _stableTs = checkpointTs;

    auto session = sessions.acquire();
    if (!session.isOK()) return session.getStatus();
    WtSession* ws = session.getValue().get();
    MONGOSD_RETURN_IF_ERROR(loadCatalog(ws));
    MONGOSD_RETURN_IF_ERROR(loadCounts(ws));
    MONGOSD_RETURN_IF_ERROR(loadOplogTruncation(ws));
    // An index made ready at or after the checkpoint may be partial in it (docs/indexes.md):
    // it is not maintained during replay but rebuilt from the recovered collection after.
    for (const auto& coll : catalog.all()) {
        for (const auto& index : coll->indexes) {
            if (!(index->readyAt < checkpointTs)) _indexesToRebuild.insert(index->ident);
        }
    }
    MONGOSD_RETURN_IF_ERROR(replayOplog(checkpointTs));
    MONGOSD_RETURN_IF_ERROR(rebuildIndexes());

    MONGOSD_RETURN_IF_ERROR(loadLastOpTime(ws));
    MONGOSD_RETURN_IF_ERROR(dropOrphanTables(ws));
    session.getValue().reset();

    spdlog::info("storage: recovered from checkpoint at {}: {} oplog entries replayed, {} skipped",
                 checkpointTs.toString(), recoveryStats.entriesReplayed,
                 recoveryStats.entriesSkipped);
    // Checkpoint now so that a crash soon after does not replay the same entries again.
    return checkpoint();
}

Status EngineCore::loadLastOpTime(WtSession* session) {
    // The last entry is where new timestamps continue; everything in the oplog now survived a
    // restart, so it is durable.
    SessionCursor oplog(session, CursorMode::kStrict);
    MONGOSD_RETURN_IF_ERROR(oplog.open(kOplogUri));
    int ret = oplog->prev(oplog.get());
    if (ret == WT_NOTFOUND) return Status::OK();
    WT_ITEM v;
    if (ret == 0) ret = oplog->get_value(oplog.get(), &v);
    if (ret != 0) return wtError(ret, "read last oplog entry");
    auto last = parseOplogEntry(BsonView(static_cast<const uint8_t*>(v.data), v.size));
    if (!last.isOK()) return corruptOplog(Timestamp{}, last.getStatus());
    OpTime opTime{last.getValue().ts, last.getValue().term};
    {
        std::lock_guard lk(_lastCommittedMutex);
        _lastCommitted = opTime;
    }
    journal.setDurable(opTime);
    if (opTime.term > _term.load()) _term.store(opTime.term);
    return Status::OK();
}

Status EngineCore::loadCatalog(WtSession* session) {
    SessionCursor c(session, CursorMode::kStrict);
    MONGOSD_RETURN_IF_ERROR(c.open(kCatalogUri));
    int ret;
    while ((ret = c->next(c.get())) == 0) {
        WT_ITEM v;
        MONGOSD_RETURN_IF_ERROR(wtStatus(c->get_value(c.get(), &v), "read catalog"));
        auto entry = parseCatalogRow(BsonView(static_cast<const uint8_t*>(v.data), v.size));
        if (!entry.isOK()) return entry.getStatus();
        // The catalog is journaled and a table create is logged before the catalog row that
        // names it; a missing table would mean a lost schema operation. Recreate it empty so
        // replay can refill it rather than refusing to start.
        std::string uri = entry.getValue()->uri();
        if (!tableExists(session->get(), uri)) {
            spdlog::warn("storage: table {} of {} is missing; recreating it", uri,
                         entry.getValue()->ns);
            WT_SESSION* s = session->get();
            MONGOSD_RETURN_IF_ERROR(wtStatus(
                s->create(s, uri.c_str(), "key_format=u,value_format=u,log=(enabled=false)"),
                "create " + uri));
        }
        for (const auto& index : entry.getValue()->indexes) {
            if (tableExists(session->get(), index->uri())) continue;
            WT_SESSION* s = session->get();
            MONGOSD_RETURN_IF_ERROR(wtStatus(
                s->create(s, index->uri().c_str(), "key_format=u,value_format=u,log=(enabled=false)"),
                "create " + index->uri()));
            _indexesToRebuild.insert(index->ident);
        }
        catalog.add(std::move(entry.getValue()));
    }
    return ret == WT_NOTFOUND ? Status::OK() : wtError(ret, "scan catalog");
}

Status EngineCore::loadCounts(WtSession* session) {
    SessionCursor c(session, CursorMode::kStrict);
    MONGOSD_RETURN_IF_ERROR(c.open(kSizeStorerUri));
    int ret;
    while ((ret = c->next(c.get())) == 0) {
        WT_ITEM k, v;
        MONGOSD_RETURN_IF_ERROR(wtStatus(c->get_key(c.get(), &k), "read sizeStorer"));
        MONGOSD_RETURN_IF_ERROR(wtStatus(c->get_value(c.get(), &v), "read sizeStorer"));
        bson_iter_t it;
        BsonView row(static_cast<const uint8_t*>(v.data), v.size);
        if (itemView(k) == kOplogSizeKey) {
            if (row.find("appendedBytes", &it) && BSON_ITER_HOLDS_INT64(&it)) {
                _oplogAppendedBytes.store(bson_iter_int64(&it));
            }
            continue;
        }
        CollectionUuid uuid;
        if (!CollectionUuid::fromBytes(static_cast<const uint8_t*>(k.data), k.size, &uuid)) {
            continue;
        }
        CollectionPtr entry = catalog.lookupByUuid(uuid);
        if (entry && row.find("count", &it) && BSON_ITER_HOLDS_INT64(&it)) {
            entry->count.store(bson_iter_int64(&it));
        }
    }
    return ret == WT_NOTFOUND ? Status::OK() : wtError(ret, "scan sizeStorer");
}

Status EngineCore::replayOplog(Timestamp from) {
    // Two sessions: one walks the oplog outside any transaction, the other applies each entry
    // in its own transaction (a commit would reset the walking cursor).
    auto readSession = sessions.acquire();
    auto applySession = sessions.acquire();
    if (!readSession.isOK()) return readSession.getStatus();
    if (!applySession.isOK()) return applySession.getStatus();
    WtSession* applier = applySession.getValue().get();
    WT_SESSION* s = applier->get();

    SessionCursor oplog(readSession.getValue().get(), CursorMode::kStrict);
    MONGOSD_RETURN_IF_ERROR(oplog.open(kOplogUri));
    uint8_t key[kOplogKeySize];
    encodeOplogKey(from, key);
    WT_ITEM k = makeItem(key, sizeof(key));
    oplog->set_key(oplog.get(), &k);
    int exact = 0;
    int ret = oplog->search_near(oplog.get(), &exact);
    if (ret == 0 && exact <= 0) ret = oplog->next(oplog.get());

    for (; ret == 0; ret = oplog->next(oplog.get())) {
        WT_ITEM v;
        MONGOSD_RETURN_IF_ERROR(wtStatus(oplog->get_value(oplog.get(), &v), "read oplog"));
        auto parsed = parseOplogEntry(BsonView(static_cast<const uint8_t*>(v.data), v.size));
        if (!parsed.isOK()) return corruptOplog(Timestamp{}, parsed.getStatus());
        const OplogEntry& e = parsed.getValue();
        _oplogAppendedBytes.fetch_add(int64_t(v.size));  // not in the checkpoint's total
        // Commands need no replay: the journaled catalog is already as of the last entry.
        if (e.op != 'i' && e.op != 'u' && e.op != 'd') continue;
        // An entry for an incarnation the catalog no longer has was for a collection dropped
        // later in the oplog: applying it would be undone by the drop anyway.
        CollectionPtr entry = e.uuid ? catalog.lookupByUuid(*e.uuid) : nullptr;
        if (!entry) {
            ++recoveryStats.entriesSkipped;
            continue;
        }
        std::vector<IndexPtr> maintained;
        for (const auto& index : entry->indexes) {
            if (!_indexesToRebuild.count(index->ident)) maintained.push_back(index);
        }
        SessionCursor table(applier, CursorMode::kOverwrite);
        MONGOSD_RETURN_IF_ERROR(
            wtStatus(s->begin_transaction(s, "isolation=snapshot"), "begin replay txn"));
        Status applied = table.open(entry->uri());
        int64_t delta = 0;
        std::string idKey;
        std::optional<BsonObj> before;
        if (applied.isOK()) {
            applied = applyDocumentOp(table.get(), e, &delta, &idKey,
                                      maintained.empty() ? nullptr : &before);
        }
        if (applied.isOK() && !maintained.empty()) {
            bool flagsChanged = false;  // the journaled catalog row already has the flags
            applied = maintainIndexes(applier, entry->ns, maintained,
                                      before ? before->view() : BsonView(),
                                      e.op == 'd' ? BsonView() : e.o, idKey, &flagsChanged);
        }
        if (!applied.isOK()) {
            s->rollback_transaction(s, nullptr);
            return corruptOplog(e.ts, applied);
        }
        std::string config = "commit_timestamp=" + tsToHex(e.ts);
        MONGOSD_RETURN_IF_ERROR(
            wtStatus(s->commit_transaction(s, config.c_str()), "commit replay txn"));
        entry->count.fetch_add(delta);
        ++recoveryStats.entriesReplayed;
    }
    return ret == WT_NOTFOUND ? Status::OK() : wtError(ret, "scan oplog");
}

Status EngineCore::rebuildIndexes() {
    if (_indexesToRebuild.empty()) return Status::OK();
    auto readSession = sessions.acquire();
    auto writeSession = sessions.acquire();
    if (!readSession.isOK()) return readSession.getStatus();
    if (!writeSession.isOK()) return writeSession.getStatus();
    for (const auto& coll : catalog.all()) {
        bool flagsChanged = false;
        for (const auto& index : coll->indexes) {
            if (!_indexesToRebuild.count(index->ident)) continue;
            WT_SESSION* ws = writeSession.getValue()->get();
            MONGOSD_RETURN_IF_ERROR(wtStatus(
                ws->truncate(ws, index->uri().c_str(), nullptr, nullptr, nullptr),
                "truncate " + index->uri()));
            std::vector<bool> multikey;
            int64_t keys = 0;
            Status built = buildIndexTable(readSession.getValue().get(),
                                           writeSession.getValue().get(), coll->ns, coll->uri(),
                                           *index, &multikey, &keys);
            // The index held these documents before the crash, so a failure is corruption.
            if (!built.isOK()) return built.withContext("rebuilding index " + index->name);
            for (size_t f = 0; f < multikey.size(); ++f) {
                if (multikey[f] && !index->multikey[f].exchange(true)) flagsChanged = true;
            }
            ++recoveryStats.indexesRebuilt;
            spdlog::info("storage: rebuilt index {} on {}: {} keys", index->name, coll->ns, keys);
        }
        if (flagsChanged) MONGOSD_RETURN_IF_ERROR(writeCatalogRow(writeSession.getValue().get(), *coll));
    }
    _indexesToRebuild.clear();
    return Status::OK();
}

Status EngineCore::writeCatalogRow(WtSession* session, const CollectionEntry& coll) {
    SessionCursor c(session, CursorMode::kOverwrite);
    MONGOSD_RETURN_IF_ERROR(c.open(kCatalogUri));
    WT_SESSION* s = session->get();
    MONGOSD_RETURN_IF_ERROR(wtStatus(s->begin_transaction(s, "isolation=snapshot"), "begin"));
    BsonObj row = catalogRow(coll);
    WT_ITEM k = makeItem(coll.ns.data(), coll.ns.size());
    WT_ITEM v = makeItem(row.data(), row.size());
    c->set_key(c.get(), &k);
    c->set_value(c.get(), &v);
    int ret = c->insert(c.get());
    if (ret != 0) {
        s->rollback_transaction(s, nullptr);
        return wtError(ret, "write catalog row");
    }
    return wtStatus(s->commit_transaction(s, nullptr), "commit catalog row");
}

Status EngineCore::dropOrphanTables(WtSession* session) {
    std::set<std::string> live;
    for (const auto& entry : catalog.all()) {
        live.insert(entry->uri());
        for (const auto& index : entry->indexes) live.insert(index->uri());
    }
    WT_SESSION* s = session->get();
    WT_CURSOR* meta = nullptr;
    MONGOSD_RETURN_IF_ERROR(
        wtStatus(s->open_cursor(s, "metadata:", nullptr, nullptr, &meta), "open metadata"));
    const std::string prefix = std::string("table:") + kIdentPrefix;
    const std::string indexPrefix = std::string("table:") + kIndexIdentPrefix;
    std::vector<std::string> orphans;
    int ret;
    while ((ret = meta->next(meta)) == 0) {
        const char* uri = nullptr;
        meta->get_key(meta, &uri);
        std::string_view name(uri);
        if (name.substr(0, prefix.size()) != prefix &&
            name.substr(0, indexPrefix.size()) != indexPrefix) {
            continue;
        }
        if (live.count(std::string(name)) == 0) orphans.emplace_back(name);
    }
    meta->close(meta);
    if (ret != WT_NOTFOUND) return wtError(ret, "scan metadata");
    for (const auto& uri : orphans) {
        ret = s->drop(s, uri.c_str(), "force=true");
        if (ret != 0) return wtError(ret, "drop orphan " + uri);
        ++recoveryStats.orphanTablesDropped;
    }
    return Status::OK();
}

}  // namespace mongosd::storage
