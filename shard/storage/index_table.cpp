#include "shard/storage/index_table.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "common/failpoint.h"
#include "common/json/ejson.h"
#include "common/key_string.h"
#include "shard/storage/session_pool.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {
namespace {

// Rows per build transaction: big enough to amortise the commit, small enough that one
// transaction's updates stay a few megabytes of cache.
constexpr int kBuildBatchRows = 5000;

}  // namespace

StatusWith<query::IndexKeys> indexKeysOf(const IndexEntry& index, BsonView doc) {
    if (doc.isEmpty()) return query::IndexKeys{};
    if (index.partialMatcher && !index.partialMatcher->matches(doc)) return query::IndexKeys{};
    return query::generateIndexKeys(index.pattern, doc, index.sparse);
}

std::string indexRowKey(const IndexEntry& index, std::string_view key, std::string_view idKey) {
    std::string row(key);
    if (!index.unique) row.append(idKey);
    return row;
}

BsonObj indexKeyToDocument(const IndexEntry& index, std::string_view key) {
    BsonBuilder b;
    auto decoded = keystring::decode(key, index.pattern.size(), index.pattern.directions());
    if (!decoded.isOK()) {
        b.appendString("$corruptKey", decoded.getStatus().reason());
        return b.obj();
    }
    bson_iter_t it;
    decoded.getValue().view().iterInit(&it);
    for (const auto& field : index.pattern.fields()) {
        if (!bson_iter_next(&it)) break;
        b.appendIter(field.path.dotted(), it);
    }
    return b.obj();
}

Status duplicateKeyError(const std::string& ns, const IndexEntry& index, std::string_view key) {
    BsonObj keyValue = indexKeyToDocument(index, key);
    Status st(ErrorCodes::DuplicateKey, "E11000 duplicate key error collection: " + ns +
                                            " index: " + index.name +
                                            " dup key: " + json::toJson(keyValue.view()));
    BsonBuilder extra;
    extra.appendDocument("keyPattern", index.pattern.bson().view());
    extra.appendDocument("keyValue", keyValue.view());
    BsonObj e = extra.obj();
    return st.withExtraInfo(std::string(reinterpret_cast<const char*>(e.data()), e.size()));
}

Status buildIndexTable(WtSession* readSession, WtSession* writeSession,
                       const std::string& collectionNs, const std::string& collectionUri,
                       const IndexEntry& index, std::vector<bool>* multikey, int64_t* keys) {
    multikey->assign(index.pattern.size(), false);
    *keys = 0;
    WT_CURSOR* docs = nullptr;
    MONGOSD_RETURN_IF_ERROR(wtStatus(
        readSession->checkoutCursor(collectionUri, CursorMode::kStrict, &docs),
        "open " + collectionUri));
    WT_CURSOR* rows = nullptr;
    const CursorMode mode = index.unique ? CursorMode::kStrict : CursorMode::kOverwrite;
    int ret = writeSession->checkoutCursor(index.uri(), mode, &rows);
    if (ret != 0) {
        readSession->returnCursor(docs, CursorMode::kStrict);
        return wtError(ret, "open " + index.uri());
    }
    WT_SESSION* ws = writeSession->get();
    bool inTxn = false;
    int batch = 0;
    auto finish = [&](Status st) {
        if (inTxn) {
            if (st.isOK()) {
                int r = ws->commit_transaction(ws, nullptr);
                if (r != 0) st = wtError(r, "commit index build batch");
            } else {
                ws->rollback_transaction(ws, nullptr);
            }
        }
        writeSession->returnCursor(rows, mode);
        readSession->returnCursor(docs, CursorMode::kStrict);
        return st;
    };

    while ((ret = docs->next(docs)) == 0) {
        WT_ITEM k, v;
        if ((ret = docs->get_key(docs, &k)) != 0 || (ret = docs->get_value(docs, &v)) != 0) {
            return finish(wtError(ret, "read " + collectionUri));
        }
        std::string_view idKey = itemView(k);
        BsonView doc(static_cast<const uint8_t*>(v.data), v.size);
        auto generated = indexKeysOf(index, doc);
        if (!generated.isOK()) return finish(generated.getStatus());
        for (size_t f = 0; f < generated.getValue().multikey.size(); ++f) {
            if (generated.getValue().multikey[f]) (*multikey)[f] = true;
        }
        for (const auto& key : generated.getValue().keys) {
            if (!inTxn) {
                ret = ws->begin_transaction(ws, "isolation=snapshot");
                if (ret != 0) return finish(wtError(ret, "begin index build batch"));
                inTxn = true;
            }
            std::string row = indexRowKey(index, key, idKey);
            WT_ITEM rk = makeItem(row.data(), row.size());
            WT_ITEM rv = makeItem(idKey.data(), idKey.size());
            rows->set_key(rows, &rk);
            rows->set_value(rows, &rv);
            ret = rows->insert(rows);
            if (ret == WT_DUPLICATE_KEY) {
                return finish(duplicateKeyError(collectionNs, index, key));
            }
            if (ret != 0) return finish(wtError(ret, "insert index row"));
            ++*keys;
            if (++batch == kBuildBatchRows) {
                ret = ws->commit_transaction(ws, nullptr);
                inTxn = false;
                batch = 0;
                if (ret != 0) return finish(wtError(ret, "commit index build batch"));
                // Tests: die like kill -9 with part of the index written (index_crash_test).
                auto crashAt = failpointValue("indexBuildCrashAfterRows");
                if (crashAt && *keys >= *crashAt) {
                    spdlog::warn("failpoint indexBuildCrashAfterRows: exiting after {} rows", *keys);
                    std::_Exit(137);
                }
            }
        }
    }
    if (ret != WT_NOTFOUND) return finish(wtError(ret, "scan " + collectionUri));
    return finish(Status::OK());
}

}  // namespace mongosd::storage
