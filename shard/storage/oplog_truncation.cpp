// Oplog truncation: keep about StorageOptions::oplogMaxBytes of entries. Runs at the start of
// each checkpoint and removes entries oldest first, only up to the last checkpoint's stable
// timestamp: recovery replays from there, so nothing newer may go.
#include "shard/storage/engine_core.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {

namespace {

constexpr std::string_view kTruncationKey = "truncated";
constexpr int64_t kMaxEntriesPerBatch = 10000;

}  // namespace

Status EngineCore::loadOplogTruncation(WtSession* session) {
    WT_CURSOR* c = nullptr;
    MONGOSD_RETURN_IF_ERROR(
        wtStatus(session->checkoutCursor(kOplogTruncationUri, CursorMode::kStrict, &c), "open"));
    WT_ITEM k = makeItem(kTruncationKey.data(), kTruncationKey.size());
    c->set_key(c, &k);
    int ret = c->search(c);
    WT_ITEM v;
    if (ret == 0) ret = c->get_value(c, &v);
    if (ret == 0) {
        bson_iter_t it;
        BsonView row(static_cast<const uint8_t*>(v.data), v.size);
        if (row.find("bytes", &it) && BSON_ITER_HOLDS_INT64(&it)) {
            _oplogTruncatedBytes.store(bson_iter_int64(&it));
        }
    }
    session->returnCursor(c, CursorMode::kStrict);
    return ret == 0 || ret == WT_NOTFOUND ? Status::OK() : wtError(ret, "read oplogTruncation");
}

Status EngineCore::truncateOplog(WtSession* session) {
    for (;;) {
        int64_t excess = oplogBytes() - int64_t(options.oplogMaxBytes);
        if (excess <= 0) return Status::OK();
        auto removed = truncateOplogBatch(session, excess);
        if (!removed.isOK()) return removed.getStatus();
        if (removed.getValue() == 0) return Status::OK();  // the rest is still needed
    }
}

// Removes entries from the start, at most `excess` bytes' worth (rounded up to a whole entry)
// and none newer than the last checkpoint, in one transaction that also records the bytes.
// Returns the bytes removed.
StatusWith<int64_t> EngineCore::truncateOplogBatch(WtSession* session, int64_t excess) {
    WT_SESSION* s = session->get();
    MONGOSD_RETURN_IF_ERROR(
        wtStatus(s->begin_transaction(s, "isolation=snapshot"), "begin truncate"));
    WT_CURSOR* scan = nullptr;
    WT_CURSOR* stop = nullptr;
    WT_CURSOR* record = nullptr;
    int ret = session->checkoutCursor(kOplogUri, CursorMode::kStrict, &scan);
    if (ret == 0) ret = session->checkoutCursor(kOplogUri, CursorMode::kStrict, &stop);
    if (ret == 0) {
        ret = session->checkoutCursor(kOplogTruncationUri, CursorMode::kOverwrite, &record);
    }
    int64_t bytes = 0, entries = 0;
    std::string lastKey;
    while (ret == 0 && bytes < excess && entries < kMaxEntriesPerBatch) {
        ret = scan->next(scan);
        WT_ITEM k, v;
        Timestamp ts;
        if (ret == 0) ret = scan->get_key(scan, &k);
        if (ret == 0) ret = scan->get_value(scan, &v);
        if (ret != 0) break;
        if (!decodeOplogKey(k, &ts) || ts > _lastCheckpointTs) break;
        lastKey.assign(itemView(k));
        bytes += int64_t(v.size);
        ++entries;
    }
    if (ret == WT_NOTFOUND) ret = 0;
    if (ret == 0 && entries > 0) {
        WT_ITEM k = makeItem(lastKey.data(), lastKey.size());
        stop->set_key(stop, &k);
        ret = scan->reset(scan);
        if (ret == 0) ret = stop->search(stop);
        // From the first entry through `stop`, inclusive.
        if (ret == 0) ret = s->truncate(s, nullptr, nullptr, stop, nullptr);
    }
    if (ret == 0 && entries > 0) {
        BsonBuilder b;
        b.appendInt64("bytes", _oplogTruncatedBytes.load() + bytes);
        BsonObj row = b.obj();
        WT_ITEM k = makeItem(kTruncationKey.data(), kTruncationKey.size());
        WT_ITEM v = makeItem(row.data(), row.size());
        record->set_key(record, &k);
        record->set_value(record, &v);
        ret = record->insert(record);
    }
    for (WT_CURSOR* c : {scan, stop}) {
        if (c) session->returnCursor(c, CursorMode::kStrict);
    }
    if (record) session->returnCursor(record, CursorMode::kOverwrite);
    if (ret != 0 || entries == 0) {
        s->rollback_transaction(s, nullptr);
        return ret == 0 ? StatusWith<int64_t>(int64_t(0)) : wtError(ret, "truncate oplog");
    }
    MONGOSD_RETURN_IF_ERROR(wtStatus(s->commit_transaction(s, nullptr), "commit truncate"));
    _oplogTruncatedBytes.fetch_add(bytes);
    return bytes;
}

}  // namespace mongosd::storage
