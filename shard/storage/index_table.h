#pragma once
// The rows of an index table (catalog.h, IndexEntry) and building one from its collection.
// Internal to shard/storage.

#include <wiredtiger.h>

#include <string>
#include <string_view>

#include "common/bson.h"
#include "common/status.h"
#include "query/index_key.h"
#include "shard/storage/catalog.h"

namespace mongosd::storage {

class WtSession;

// The keys `doc` contributes to `index`: none for an empty view (no document) or a document
// outside a partial index's filter.
StatusWith<query::IndexKeys> indexKeysOf(const IndexEntry& index, BsonView doc);

// The WiredTiger key of the row for `key` (an index key) and the document with idKey.
std::string indexRowKey(const IndexEntry& index, std::string_view key, std::string_view idKey);

// {field: value, ...} for an index key, named by the key pattern (hashed fields show the
// hash): DuplicateKey's keyValue and validate's messages.
BsonObj indexKeyToDocument(const IndexEntry& index, std::string_view key);

// DuplicateKey (11000) with MongoDB's message and {keyPattern, keyValue} as extra info.
Status duplicateKeyError(const std::string& ns, const IndexEntry& index, std::string_view key);

// Moves the rows of `indexes` for one document (KeyString(_id) = idKey) from version
// `before` to `after` (an empty view: no such version) in the session's current transaction;
// rows common to both stay. Sets the multikey flags the new keys need (and *flagsChanged when
// one was not set yet: the caller persists them in the catalog row).
Status maintainIndexes(WtSession* session, const std::string& ns,
                       const std::vector<IndexPtr>& indexes, BsonView before, BsonView after,
                       std::string_view idKey, bool* flagsChanged);

// Fills the (empty) table of `index` from the collection table `collectionUri`, in
// transactions of a few thousand rows without timestamps (the collection must not change
// meanwhile: the caller holds its gate exclusively, or is startup recovery). DuplicateKey for
// a unique index over duplicate values; CannotIndexParallelArrays etc. from key generation.
// *multikey gets the fields that turned out multikey; *keys the number of rows written.
Status buildIndexTable(WtSession* readSession, WtSession* writeSession,
                       const std::string& collectionNs, const std::string& collectionUri,
                       const IndexEntry& index, std::vector<bool>* multikey, int64_t* keys);

}  // namespace mongosd::storage
