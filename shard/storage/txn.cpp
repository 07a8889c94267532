#include "shard/storage/txn.h"

#include <chrono>
#include <thread>

#include "common/key_string.h"
#include "shard/storage/engine_core.h"
#include "shard/storage/txn_state.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {
namespace {

// The collection a read in `txn` sees: one this transaction created or wrote, else the
// catalog's current one.
CollectionPtr lookupForRead(TxnState& txn, std::string_view ns) {
    for (const auto& entry : txn.touched) {
        if (entry->ns == ns) return entry;
    }
    return txn.core->catalog.lookup(ns);
}

}  // namespace

RecordCursor::RecordCursor(RecordCursor&& other) noexcept
    : _txn(other._txn),
      _cursor(other._cursor),
      _backward(other._backward),
      _seek(other._seek),
      _seekKey(std::move(other._seekKey)),
      _key(other._key),
      _value(other._value),
      _status(std::move(other._status)),
      _atEnd(other._atEnd),
      _lastRet(other._lastRet) {
    other._cursor = nullptr;
}

RecordCursor::~RecordCursor() {
    if (_cursor != nullptr) _txn->giveBack(_cursor, CursorMode::kStrict);
}

void RecordCursor::seekAfter(std::string_view key) {
    _seek = Seek::kAfter;
    _seekKey.assign(key);
    _atEnd = false;
}

void RecordCursor::seekAtOrAfter(std::string_view key) {
    _seek = Seek::kAtOrAfter;
    _seekKey.assign(key);
    _atEnd = false;
}

bool RecordCursor::position() {
    if (_seek == Seek::kNone) return false;
    WT_ITEM k = makeItem(_seekKey.data(), _seekKey.size());
    _cursor->set_key(_cursor, &k);
    int exact = 0;
    int ret = _cursor->search_near(_cursor, &exact);
    // search_near lands on the key, or a neighbour on either side: step to the first record
    // at/after the key in the cursor's direction.
    const int behind = _backward ? 1 : -1;
    if (ret == 0 && (exact == behind || (exact == 0 && _seek == Seek::kAfter))) {
        ret = _backward ? _cursor->prev(_cursor) : _cursor->next(_cursor);
    }
    _seek = Seek::kNone;
    _lastRet = ret;
    return true;
}

bool RecordCursor::next() {
    if (_cursor == nullptr || _atEnd || !_status.isOK()) return false;
    int ret = position() ? _lastRet : (_backward ? _cursor->prev(_cursor) : _cursor->next(_cursor));
    if (ret == WT_NOTFOUND) {
        // WiredTiger would wrap around to the first record on the next call.
        _atEnd = true;
        return false;
    }
    if (ret == 0) {
        WT_ITEM k, v;
        ret = _cursor->get_key(_cursor, &k);
        if (ret == 0) ret = _cursor->get_value(_cursor, &v);
        if (ret == 0) {
            _key = itemView(k);
            _value = BsonView(static_cast<const uint8_t*>(v.data), v.size);
            return true;
        }
    }
    _status = wtError(ret, "cursor next");
    return false;
}

SnapshotTxn::SnapshotTxn(std::unique_ptr<TxnState> state) : _state(std::move(state)) {}
SnapshotTxn::SnapshotTxn(SnapshotTxn&&) noexcept = default;
SnapshotTxn& SnapshotTxn::operator=(SnapshotTxn&&) noexcept = default;
SnapshotTxn::~SnapshotTxn() = default;
ReadTxn::ReadTxn(std::unique_ptr<TxnState> state) : SnapshotTxn(std::move(state)) {}
WriteTxn::WriteTxn(std::unique_ptr<TxnState> state) : SnapshotTxn(std::move(state)) {}

StatusWith<std::optional<BsonObj>> SnapshotTxn::findById(std::string_view ns,
                                                         const bson_iter_t& id) {
    invariant(_state && _state->active);
    CollectionPtr entry = lookupForRead(*_state, ns);
    if (!entry) return std::optional<BsonObj>();
    auto cursor = _state->checkout(entry->uri(), CursorMode::kStrict);
    if (!cursor.isOK()) return std::optional<BsonObj>();  // dropped meanwhile
    ScopedCursor c(_state.get(), cursor.getValue(), CursorMode::kStrict);
    std::string key = keystring::encodeValue(id);
    WT_ITEM k = makeItem(key.data(), key.size());
    c->set_key(c.get(), &k);
    int ret = c->search(c.get());
    if (ret == WT_NOTFOUND) return std::optional<BsonObj>();
    WT_ITEM v;
    if (ret == 0) ret = c->get_value(c.get(), &v);
    if (ret != 0) return wtError(ret, "search " + std::string(ns));
    return std::optional<BsonObj>(
        BsonObj::copyOf(BsonView(static_cast<const uint8_t*>(v.data), v.size)));
}

RecordCursor SnapshotTxn::scan(std::string_view ns, bool backward) {
    invariant(_state && _state->active);
    CollectionPtr entry = lookupForRead(*_state, ns);
    if (!entry) return RecordCursor();
    auto cursor = _state->checkout(entry->uri(), CursorMode::kStrict);
    if (!cursor.isOK()) return RecordCursor();
    return RecordCursor(_state.get(), cursor.getValue(), backward);
}

RecordCursor SnapshotTxn::scanOplogFrom(Timestamp from) {
    invariant(_state && _state->active);
    auto cursor = _state->checkout(kOplogUri, CursorMode::kStrict);
    if (!cursor.isOK()) {
        RecordCursor failed;
        failed._status = cursor.getStatus();
        return failed;
    }
    RecordCursor out(_state.get(), cursor.getValue(), /*backward=*/false);
    uint8_t key[kOplogKeySize];
    encodeOplogKey(from, key);
    out.seekAtOrAfter(std::string_view(reinterpret_cast<const char*>(key), sizeof(key)));
    return out;
}

Status WriteTxn::checkWritable() const {
    invariant(_state && _state->active);
    invariantMsg(!_state->userWriteDone, "a WriteTxn performs exactly one write");
    return _state->poisoned;
}

Status WriteTxn::insert(std::string_view ns, BsonView doc) {
    MONGOSD_RETURN_IF_ERROR(checkWritable());
    return _state->insertDoc(ns, doc);
}

Status WriteTxn::update(std::string_view ns, BsonView postImage) {
    MONGOSD_RETURN_IF_ERROR(checkWritable());
    return _state->updateDoc(ns, postImage);
}

Status WriteTxn::remove(std::string_view ns, const bson_iter_t& id) {
    MONGOSD_RETURN_IF_ERROR(checkWritable());
    return _state->removeDoc(ns, id);
}

StatusWith<OpTime> WriteTxn::commit() {
    invariant(_state);
    return _state->core->commit(*_state);
}

void WriteTxn::abort() {
    invariant(_state);
    _state->rollback();
}

void writeConflictBackoff(int attempt) {
    if (attempt < 4) {
        std::this_thread::yield();
        return;
    }
    auto micros = std::min(10000, 50 * (attempt - 3));
    std::this_thread::sleep_for(std::chrono::microseconds(micros));
}

}  // namespace mongosd::storage
