#include "shard/storage/txn_state.h"

#include <cerrno>
#include <cstring>

#include "shard/storage/engine_core.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {

TxnState::~TxnState() {
    invariantMsg(openCursors == 0, "a RecordCursor outlived its transaction");
    rollback();
    if (!committed) {
        for (auto& ident : createdIdents) core->scheduleDrop(std::move(ident), Timestamp{});
    }
    for (const auto& gate : heldGates) gate->unlockShared();
}

void TxnState::holdGate(std::string_view ns) {
    auto gate = core->gateFor(ns);
    for (const auto& held : heldGates) {
        if (held == gate) return;
    }
    gate->lockShared();
    heldGates.push_back(std::move(gate));
}

Status TxnState::begin(std::optional<Timestamp> readAt) {
    std::string config = "isolation=snapshot";
    if (readAt) config += ",read_timestamp=" + tsToHex(*readAt);
    WT_SESSION* s = session->get();
    int ret = s->begin_transaction(s, config.c_str());
    if (ret == EINVAL && readAt) {
        return Status(ErrorCodes::BadValue, "cannot read at " + readAt->toString() +
                                                ": older than the oldest timestamp kept");
    }
    MONGOSD_RETURN_IF_ERROR(wtStatus(ret, "begin_transaction"));
    active = true;
    return Status::OK();
}

void TxnState::rollback() {
    if (!active) return;
    WT_SESSION* s = session->get();
    int ret = s->rollback_transaction(s, nullptr);
    invariantMsg(ret == 0, "rollback_transaction failed");
    active = false;
}

StatusWith<WT_CURSOR*> TxnState::checkout(const std::string& uri, CursorMode mode) {
    WT_CURSOR* cursor = nullptr;
    int ret = session->checkoutCursor(uri, mode, &cursor);
    if (ret == ENOENT || ret == EBUSY) {
        // The table was dropped (or is being dropped) after we looked the collection up.
        return Status(ErrorCodes::WriteConflict, "collection table " + uri + " was dropped");
    }
    if (ret != 0) return wtError(ret, "open_cursor " + uri);
    ++openCursors;
    return cursor;
}

void TxnState::giveBack(WT_CURSOR* cursor, CursorMode mode) {
    invariant(openCursors > 0);
    --openCursors;
    session->returnCursor(cursor, mode);
}

Status TxnState::poison(Status status) {
    invariant(!status.isOK());
    if (poisoned.isOK()) poisoned = status;
    return status;
}

std::string formatIdForMessage(const bson_iter_t& id) {
    if (BSON_ITER_HOLDS_OID(&id)) {
        char hex[25];
        bson_oid_to_string(bson_iter_oid(&id), hex);
        return std::string("{ _id: ObjectId('") + hex + "') }";
    }
    bson_t doc = BSON_INITIALIZER;
    bson_append_iter(&doc, "_id", 3, &id);
    size_t len = 0;
    char* json = bson_as_relaxed_extended_json(&doc, &len);
    bson_destroy(&doc);
    std::string out = json ? std::string(json, len) : std::string("{ _id: ? }");
    bson_free(json);
    // libbson writes { "_id" : v }; MongoDB's messages say { _id: v }.
    constexpr std::string_view kPrefix = "{ \"_id\" : ";
    if (out.compare(0, kPrefix.size(), kPrefix) == 0) out = "{ _id: " + out.substr(kPrefix.size());
    return out;
}

}  // namespace mongosd::storage
