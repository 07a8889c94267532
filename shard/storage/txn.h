#pragma once
// Transactions on the storage engine: ReadTxn (a snapshot) and WriteTxn (a snapshot plus
// exactly one write), both obtained from StorageEngine.
//
// A transaction owns one pooled WiredTiger session for its life and must be used by one thread
// at a time. Documents are keyed by KeyString(_id), so scans return them in _id order (BSON
// comparison order; 1 and 1.0 are the same _id). Reads see the snapshot taken at the first
// read; a WriteTxn also sees its own write.
//
// A WriteTxn performs at most one successful write (insert, update or remove): that write,
// its oplog entry, and for an implicitly created collection the catalog entry and its "c"
// oplog entry, commit atomically in one WiredTiger transaction stamped with the oplog
// timestamp. A failed write other than DuplicateKey/NoSuchKey leaves the transaction able only
// to roll back: commit() then returns that error. WriteConflict (112) means "another
// transaction wrote the same document first": start a new WriteTxn and redo the read and the
// write, e.g. with retryOnWriteConflict(). A transaction not committed is rolled back when
// destroyed.
//
// Long-lived transactions pin old versions in the WiredTiger cache; keep them short.

#include <bson/bson.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bson.h"
#include "common/optime.h"
#include "common/status.h"
#include "query/index_key.h"

struct __wt_cursor;  // WT_CURSOR, without exposing <wiredtiger.h> to callers

namespace mongosd::storage {

struct TxnState;

// A cursor over a collection (in _id KeyString order, forwards or backwards) or over the oplog
// (in timestamp order). Does not copy the table: value() points into WiredTiger's memory and is valid until
// the next call to next() or the cursor's destruction. Must be destroyed before its
// transaction ends. Move-only.
class RecordCursor {
public:
    RecordCursor(RecordCursor&& other) noexcept;
    RecordCursor& operator=(RecordCursor&&) = delete;
    ~RecordCursor();

    // Moves to the next record; false at the end or on an error (see status()).
    bool next();
    // The record's key bytes: KeyString(_id) for documents, the 8-byte big-endian timestamp
    // for oplog entries. Valid until next().
    std::string_view key() const { return _key; }
    BsonView value() const { return _value; }
    // OK unless next() stopped on an error.
    const Status& status() const { return _status; }
    // Repositions so that next() returns the first record whose key is greater than `key`
    // (a backward cursor: smaller): how a query resumes a scan in a later transaction.
    void seekAfter(std::string_view key);
    // Repositions so that next() returns the first record at `key` or past it in the
    // cursor's direction: where a range scan starts.
    void seekAtOrAfter(std::string_view key);

private:
    friend class SnapshotTxn;
    enum class Seek { kNone, kAtOrAfter, kAfter };
    RecordCursor() = default;
    RecordCursor(TxnState* txn, __wt_cursor* cursor, bool backward)
        : _txn(txn), _cursor(cursor), _backward(backward) {}
    // Applies a pending seek; false when there was none. Leaves the WT result in _lastRet.
    bool position();

    TxnState* _txn = nullptr;
    __wt_cursor* _cursor = nullptr;  // nullptr: an empty cursor (collection does not exist)
    bool _backward = false;
    Seek _seek = Seek::kNone;
    std::string _seekKey;
    std::string_view _key;
    BsonView _value;
    Status _status;
    bool _atEnd = false;
    int _lastRet = 0;
};

// A secondary index as a reader sees it (its catalog description).
struct IndexDescriptor {
    std::string name;
    BsonObj spec;  // as listIndexes shows it
    query::IndexKeyPattern pattern;
    bool unique = false;
    bool sparse = false;
    BsonObj partialFilter;  // empty: not partial
    std::optional<int64_t> expireAfterSeconds;
    std::vector<bool> multikey;  // per pattern field
};

// The rows of one index in row-key order, and the documents they point to. Row keys are
// KeyString(index key) + KeyString(_id), or just the index key for a unique index; keyPart()
// is the index key, idKey() the KeyString(_id) (the row's value). Views are valid until the cursor moves. Must be
// destroyed before its transaction ends. Move-only.
class IndexCursor {
public:
    IndexCursor(IndexCursor&& other) noexcept;
    IndexCursor& operator=(IndexCursor&&) = delete;
    ~IndexCursor();

    // Positions on the first row whose row key is >= `rowKey`; false when there is none.
    bool seekAtOrAfter(std::string_view rowKey);
    // Positions on the last row whose row key is <= `rowKey`; false when there is none.
    bool seekAtOrBefore(std::string_view rowKey);
    bool next();
    bool prev();
    std::string_view rowKey() const { return _rowKey; }
    std::string_view idKey() const { return _idKey; }
    std::string_view keyPart() const {
        return _unique ? _rowKey : _rowKey.substr(0, _rowKey.size() - _idKey.size());
    }
    // The document of the current row (valid until the next fetch or move), or nullopt when
    // the row points at no document, which validate reports as corruption.
    StatusWith<std::optional<BsonView>> fetch();
    // OK unless a move stopped on an error.
    const Status& status() const { return _status; }

private:
    friend class SnapshotTxn;
    IndexCursor(TxnState* txn, __wt_cursor* rows, __wt_cursor* docs, bool unique)
        : _txn(txn), _rows(rows), _docs(docs), _unique(unique) {}
    bool load(int ret);

    TxnState* _txn;
    __wt_cursor* _rows;
    __wt_cursor* _docs;
    bool _unique;
    std::string_view _rowKey;
    std::string_view _idKey;
    Status _status;
};

class SnapshotTxn {
public:
    SnapshotTxn(SnapshotTxn&&) noexcept;
    SnapshotTxn& operator=(SnapshotTxn&&) noexcept;
    ~SnapshotTxn();

    // The document with this _id (`id` points at the _id value), nullopt when there is none or
    // the collection does not exist.
    StatusWith<std::optional<BsonObj>> findById(std::string_view ns, const bson_iter_t& id);
    // All documents of `ns` in _id order (descending when `backward`); an empty cursor when
    // the collection does not exist.
    RecordCursor scan(std::string_view ns, bool backward = false);
    // Oplog entries with ts >= from, in order. Old entries are truncated (oplogMaxBytes): when
    // the first entry returned is later than `from`, the ones in between are gone.
    RecordCursor scanOplogFrom(Timestamp from);

    // The secondary indexes of `ns` this snapshot can use: the ones whose build committed
    // before it (reading the collection's catalog row pins the snapshot first, so an index
    // made ready later is left out rather than scanned half-visible). Empty for a missing
    // collection.
    std::vector<IndexDescriptor> indexes(std::string_view ns);
    // A cursor over the index `name` of `ns`. QueryPlanKilled (175) when the collection or
    // the index is gone.
    StatusWith<IndexCursor> openIndex(std::string_view ns, std::string_view name);

protected:
    explicit SnapshotTxn(std::unique_ptr<TxnState> state);
    std::unique_ptr<TxnState> _state;
};

class ReadTxn : public SnapshotTxn {
private:
    friend class StorageEngine;
    explicit ReadTxn(std::unique_ptr<TxnState> state);
};

class WriteTxn : public SnapshotTxn {
public:
    // Inserts `doc`, which must have an _id. Creates the collection if needed (like MongoDB).
    // DuplicateKey (11000) when a document with this _id exists.
    Status insert(std::string_view ns, BsonView doc);
    // Replaces the document with postImage's _id by postImage. NoSuchKey when there is none,
    // NamespaceNotFound when the collection does not exist.
    Status update(std::string_view ns, BsonView postImage);
    // Deletes the document with this _id. NoSuchKey when there is none.
    Status remove(std::string_view ns, const bson_iter_t& id);

    // Commits; returns the optime of the write (of the last oplog entry it produced). Without
    // a write it commits nothing and returns the last applied optime. WriteConflict: retry.
    // Either way the transaction is over: only destruction may follow. Every RecordCursor of
    // the transaction must have been destroyed before.
    StatusWith<OpTime> commit();
    // Rolls back now instead of at destruction.
    void abort();

private:
    friend class StorageEngine;
    explicit WriteTxn(std::unique_ptr<TxnState> state);
    Status checkWritable() const;
};

// Backs off before the attempt'th retry: yields at first, then sleeps up to 10 ms.
void writeConflictBackoff(int attempt);

inline const Status& statusOf(const Status& s) { return s; }
template <typename T>
const Status& statusOf(const StatusWith<T>& s) {
    return s.getStatus();
}

// Runs fn() (which returns Status or StatusWith<T>) again while it fails with WriteConflict,
// with backoff, up to kMaxWriteConflictRetries times; returns the last result. fn must start
// a fresh WriteTxn on every call.
constexpr int kMaxWriteConflictRetries = 10000;
template <typename Fn>
auto retryOnWriteConflict(Fn&& fn) -> decltype(fn()) {
    for (int attempt = 0;; ++attempt) {
        auto result = fn();
        if (statusOf(result).code() != ErrorCodes::WriteConflict ||
            attempt + 1 >= kMaxWriteConflictRetries) {
            return result;
        }
        writeConflictBackoff(attempt);
    }
}

}  // namespace mongosd::storage
