#pragma once
// Helpers for storage tests: a temporary dbpath and small document builders.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "common/bson.h"
#include "shard/storage/storage_engine.h"
#include "tests/support/server_process.h"

namespace mongosd::storage::test {

using mongosd::test::TempDir;

inline BsonObj doc(int64_t id, int64_t value) {
    BsonBuilder b;
    b.appendInt64("_id", id).appendInt64("v", value);
    return b.obj();
}

// {_id: id} for building id iterators.
inline BsonObj idDoc(int64_t id) {
    BsonBuilder b;
    b.appendInt64("_id", id);
    return b.obj();
}

// An iterator on the _id field of `d` (which must outlive it).
inline bson_iter_t idOf(const BsonObj& d) {
    bson_iter_t it;
    EXPECT_TRUE(d.view().find("_id", &it));
    return it;
}

inline int64_t int64Field(BsonView d, std::string_view field) {
    bson_iter_t it;
    if (!d.find(field, &it)) return -1;
    return bson_iter_as_int64(&it);
}

inline std::unique_ptr<StorageEngine> openEngine(const std::string& path,
                                                 StorageOptions options = {}) {
    options.dbpath = path;
    auto engine = StorageEngine::open(options);
    EXPECT_TRUE(engine.isOK()) << engine.getStatus().toString();
    return engine.isOK() ? std::move(engine.getValue()) : nullptr;
}

// Inserts `d` into `ns` in its own transaction and returns the optime.
inline OpTime insertOne(StorageEngine& engine, std::string_view ns, const BsonObj& d) {
    auto txn = engine.beginWrite();
    EXPECT_TRUE(txn.isOK());
    Status st = txn.getValue().insert(ns, d);
    EXPECT_TRUE(st.isOK()) << st.toString();
    auto op = txn.getValue().commit();
    EXPECT_TRUE(op.isOK()) << op.getStatus().toString();
    return op.isOK() ? op.getValue() : OpTime{};
}

// Number of documents a full scan of `ns` returns.
inline int64_t scanCount(StorageEngine& engine, std::string_view ns) {
    auto txn = engine.beginRead();
    EXPECT_TRUE(txn.isOK());
    int64_t n = 0;
    RecordCursor c = txn.getValue().scan(ns);
    while (c.next()) ++n;
    EXPECT_TRUE(c.status().isOK()) << c.status().toString();
    return n;
}

}  // namespace mongosd::storage::test
