// validate: does every index agree with its collection?
#include <algorithm>

#include "common/json/ejson.h"
#include "shard/storage/engine_core.h"
#include "shard/storage/index_table.h"
#include "shard/storage/storage_engine.h"
#include "shard/storage/txn_state.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {
namespace {

// Errors reported per index before the rest are only counted.
constexpr int kMaxErrorsShown = 20;

struct Row {
    std::string key;
    std::string value;
    bool operator<(const Row& o) const { return key < o.key; }
};

StatusWith<std::vector<Row>> readRows(TxnState& txn, const std::string& uri) {
    auto cursor = txn.checkout(uri, CursorMode::kStrict);
    if (!cursor.isOK()) return cursor.getStatus();
    ScopedCursor c(&txn, cursor.getValue(), CursorMode::kStrict);
    std::vector<Row> rows;
    int ret;
    while ((ret = c->next(c.get())) == 0) {
        WT_ITEM k, v;
        if ((ret = c->get_key(c.get(), &k)) != 0 || (ret = c->get_value(c.get(), &v)) != 0) break;
        rows.push_back(Row{std::string(itemView(k)), std::string(itemView(v))});
    }
    if (ret != WT_NOTFOUND) return wtError(ret, "scan " + uri);
    return rows;
}

}  // namespace

StatusWith<ValidateResult> StorageEngine::validate(std::string_view ns) {
    CollectionPtr coll = _core->catalog.lookup(ns);
    if (!coll) return Status(ErrorCodes::NamespaceNotFound, "ns not found: " + std::string(ns));
    auto txn = beginRead();
    if (!txn.isOK()) return txn.getStatus();
    TxnState& state = *txn.getValue()._state;
    ValidateResult result;
    result.countBefore = coll->count.load();

    std::vector<std::vector<Row>> expected(coll->indexes.size());
    {
        auto cursor = state.checkout(coll->uri(), CursorMode::kStrict);
        if (!cursor.isOK()) return cursor.getStatus();
        ScopedCursor c(&state, cursor.getValue(), CursorMode::kStrict);
        int ret;
        while ((ret = c->next(c.get())) == 0) {
            WT_ITEM k, v;
            if ((ret = c->get_key(c.get(), &k)) != 0 || (ret = c->get_value(c.get(), &v)) != 0) {
                break;
            }
            ++result.nrecords;
            std::string_view idKey = itemView(k);
            BsonView doc(static_cast<const uint8_t*>(v.data), v.size);
            for (size_t i = 0; i < coll->indexes.size(); ++i) {
                const IndexEntry& index = *coll->indexes[i];
                auto keys = indexKeysOf(index, doc);
                if (!keys.isOK()) {
                    result.errors.push_back("a document cannot be indexed by " + index.name +
                                            ": " + keys.getStatus().reason());
                    continue;
                }
                for (size_t f = 0; f < keys.getValue().multikey.size(); ++f) {
                    if (keys.getValue().multikey[f] && !index.multikey[f].load()) {
                        result.errors.push_back("index " + index.name +
                                                " is not marked multikey but a document has an "
                                                "array in field " +
                                                index.pattern.fields()[f].path.dotted());
                    }
                }
                for (const auto& key : keys.getValue().keys) {
                    expected[i].push_back(
                        Row{indexRowKey(index, key, idKey), std::string(idKey)});
                }
            }
        }
        if (ret != WT_NOTFOUND) return wtError(ret, "scan " + coll->uri());
    }
    result.keysPerIndex.emplace_back("_id_", result.nrecords);
    if (result.nrecords != result.countBefore) {
        result.errors.push_back("the document count is " + std::to_string(result.countBefore) +
                                " but the collection holds " + std::to_string(result.nrecords));
    }

    for (size_t i = 0; i < coll->indexes.size(); ++i) {
        const IndexEntry& index = *coll->indexes[i];
        auto actual = readRows(state, index.uri());
        if (!actual.isOK()) return actual.getStatus();
        result.keysPerIndex.emplace_back(index.name, int64_t(actual.getValue().size()));
        std::vector<Row>& want = expected[i];
        std::sort(want.begin(), want.end());
        const std::vector<Row>& have = actual.getValue();
        int shown = 0;
        int64_t missing = 0, extra = 0, misdirected = 0;
        size_t a = 0, b = 0;
        while (a < want.size() || b < have.size()) {
            if (b == have.size() || (a < want.size() && want[a].key < have[b].key)) {
                ++missing;
                if (shown++ < kMaxErrorsShown) {
                    result.errors.push_back(
                        "index " + index.name + " is missing the key " +
                        json::toJson(indexKeyToDocument(index, want[a].key).view()));
                }
                ++a;
            } else if (a == want.size() || have[b].key < want[a].key) {
                ++extra;
                if (shown++ < kMaxErrorsShown) {
                    result.errors.push_back("index " + index.name + " has an extra row for a " +
                                            "document that does not have it");
                }
                ++b;
            } else {
                if (want[a].value != have[b].value) ++misdirected;
                ++a;
                ++b;
            }
        }
        if (missing + extra + misdirected > 0) {
            result.errors.push_back("index " + index.name + ": " + std::to_string(missing) +
                                    " missing, " + std::to_string(extra) + " extra, " +
                                    std::to_string(misdirected) +
                                    " pointing at the wrong document");
        }
    }
    return result;
}

}  // namespace mongosd::storage
