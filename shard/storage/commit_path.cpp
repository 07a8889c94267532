// The commit path of a write transaction (engine_core.h, invariants 1 and 2; the steps are
// the "Write path" table of docs/storage.md).
#include <algorithm>
#include <chrono>

#include "shard/storage/engine_core.h"
#include "shard/storage/txn_state.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {
namespace {

uint32_t nowSeconds() {
    using namespace std::chrono;
    return uint32_t(duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
}

// The collections a transaction read the catalog for must be unchanged when it commits:
// otherwise it wrote into a dropped collection, or created one that now exists.
bool catalogUnchanged(const Catalog& catalog, const TxnState& txn) {
    for (const auto& entry : txn.touched) {
        bool created = std::find(txn.added.begin(), txn.added.end(), entry) != txn.added.end();
        if (created ? catalog.lookup(entry->ns) != nullptr : !catalog.isCurrent(entry)) {
            return false;
        }
    }
    for (const auto& [old, next] : txn.replaced) {
        if (!catalog.isCurrent(old)) return false;
    }
    return true;
}

}  // namespace

Timestamp EngineCore::nextTimestamp(Timestamp last) const {
    uint32_t now = nowSeconds();
    if (now > last.secs) return Timestamp{now, 1};
    if (last.inc == UINT32_MAX) return Timestamp{last.secs + 1, 1};
    return Timestamp{last.secs, last.inc + 1};
}

StatusWith<OpTime> EngineCore::commit(TxnState& txn) {
    invariant(txn.active && !txn.committed);
    invariantMsg(txn.openCursors == 0, "commit with a RecordCursor still open");
    if (!txn.poisoned.isOK() || txn.oplog.empty()) {
        txn.rollback();
        if (!txn.poisoned.isOK()) return txn.poisoned;
        return lastCommitted();
    }

    std::lock_guard lk(_commitMutex);  // invariant 1
    if (!catalogUnchanged(catalog, txn)) {
        txn.rollback();
        return Status(ErrorCodes::WriteConflict, "collection created or dropped concurrently");
    }
    OpTime last;
    int64_t bytes = 0;
    Status appended = appendOplogEntries(txn, &last, &bytes);
    if (!appended.isOK()) {
        txn.rollback();
        return appended;
    }
    std::string config = "commit_timestamp=" + tsToHex(last.ts);
    WT_SESSION* s = txn.session->get();
    int ret = s->commit_transaction(s, config.c_str());
    txn.active = false;
    if (ret != 0) return wtError(ret, "commit_transaction");  // WiredTiger rolled it back
    txn.committed = true;
    publishCommit(txn, last, bytes);
    return last;
}

// Stamps each pending entry with the next timestamp and inserts it; *last is the optime of
// the last one. Nothing is consumed on failure: timestamps continue from lastCommitted.
Status EngineCore::appendOplogEntries(TxnState& txn, OpTime* last, int64_t* bytes) {
    auto cursor = txn.checkout(kOplogUri, CursorMode::kStrict);
    if (!cursor.isOK()) return cursor.getStatus();
    ScopedCursor c(&txn, cursor.getValue(), CursorMode::kStrict);
    *last = OpTime{lastCommitted().ts, _term.load()};
    for (auto& entry : txn.oplog) {
        last->ts = nextTimestamp(last->ts);
        entry.stamp(last->ts, last->term);
        uint8_t key[kOplogKeySize];
        encodeOplogKey(last->ts, key);
        WT_ITEM k = makeItem(key, sizeof(key));
        BsonView value = entry.view();
        WT_ITEM v = makeItem(value.data(), value.size());
        c->set_key(c.get(), &k);
        c->set_value(c.get(), &v);
        MONGOSD_RETURN_IF_ERROR(wtStatus(c->insert(c.get()), "insert oplog entry"));
        *bytes += int64_t(value.size());
    }
    return Status::OK();
}

// After the WT commit, still under the commit mutex: the in-memory state follows.
void EngineCore::publishCommit(TxnState& txn, OpTime opTime, int64_t oplogBytes) {
    {
        std::lock_guard lc(_lastCommittedMutex);
        _lastCommitted = opTime;
    }
    for (const auto& entry : txn.removed) {  // invariant 2
        catalog.remove(entry->ns);
        scheduleDrop(entry->ident, opTime.ts);  // invariant 3: once opTime is durable
        for (const auto& index : entry->indexes) scheduleDrop(index->ident, opTime.ts);
    }
    for (const auto& entry : txn.added) catalog.add(entry);
    for (const auto& [old, next] : txn.replaced) {
        next->count.store(old->count.load());
        catalog.add(next);
    }
    for (const auto& ident : txn.identsToDrop) scheduleDrop(ident, opTime.ts);
    for (const auto& [entry, delta] : txn.countDeltas) entry->count.fetch_add(delta);
    _oplogAppendedBytes.fetch_add(oplogBytes);
    _commits.fetch_add(1);
}

}  // namespace mongosd::storage
