// Reading indexes in a snapshot: which indexes it may use, and cursors over their rows.
#include <algorithm>

#include "shard/storage/engine_core.h"
#include "shard/storage/txn.h"
#include "shard/storage/txn_state.h"
#include "shard/storage/wt_util.h"

namespace mongosd::storage {
namespace {

Status planKilled(std::string_view ns, std::string_view name) {
    return Status(ErrorCodes::QueryPlanKilled,
                  "index " + std::string(name) + " of " + std::string(ns) +
                      " was dropped during the query");
}

// The idents of the indexes named by `ns`'s catalog row as this snapshot sees it.
StatusWith<std::vector<std::string>> identsInSnapshot(TxnState& txn, std::string_view ns) {
    auto cursor = txn.checkout(kCatalogUri, CursorMode::kStrict);
    if (!cursor.isOK()) return cursor.getStatus();
    ScopedCursor c(&txn, cursor.getValue(), CursorMode::kStrict);
    WT_ITEM k = makeItem(ns.data(), ns.size());
    c->set_key(c.get(), &k);
    int ret = c->search(c.get());
    if (ret == WT_NOTFOUND) return std::vector<std::string>();
    WT_ITEM v;
    if (ret == 0) ret = c->get_value(c.get(), &v);
    if (ret != 0) return wtError(ret, "read catalog row");
    BsonView row(static_cast<const uint8_t*>(v.data), v.size);
    std::vector<std::string> idents;
    bson_iter_t it, elem;
    if (!row.find("indexes", &it) || !bson_iter_recurse(&it, &elem)) return idents;
    while (bson_iter_next(&elem)) {
        bson_iter_t field;
        if (bson_iter_recurse(&elem, &field) && bson_iter_find(&field, "ident") &&
            BSON_ITER_HOLDS_UTF8(&field)) {
            idents.emplace_back(bson_iter_utf8(&field, nullptr));
        }
    }
    return idents;
}

}  // namespace

IndexCursor::IndexCursor(IndexCursor&& other) noexcept
    : _txn(other._txn),
      _rows(other._rows),
      _docs(other._docs),
      _unique(other._unique),
      _rowKey(other._rowKey),
      _idKey(other._idKey),
      _status(std::move(other._status)) {
    other._rows = nullptr;
    other._docs = nullptr;
}

IndexCursor::~IndexCursor() {
    if (_rows) _txn->giveBack(_rows, CursorMode::kStrict);
    if (_docs) _txn->giveBack(_docs, CursorMode::kStrict);
}

bool IndexCursor::load(int ret) {
    if (ret == WT_NOTFOUND) return false;
    WT_ITEM k, v;
    if (ret == 0) ret = _rows->get_key(_rows, &k);
    if (ret == 0) ret = _rows->get_value(_rows, &v);
    if (ret != 0) {
        _status = wtError(ret, "index cursor");
        return false;
    }
    _rowKey = itemView(k);
    _idKey = itemView(v);
    if (!_unique && _idKey.size() > _rowKey.size()) {
        _status = Status(ErrorCodes::InternalError, "corrupt index row: value longer than key");
        return false;
    }
    return true;
}

bool IndexCursor::seekAtOrAfter(std::string_view rowKey) {
    if (!_status.isOK()) return false;
    WT_ITEM k = makeItem(rowKey.data(), rowKey.size());
    _rows->set_key(_rows, &k);
    int exact = 0;
    int ret = _rows->search_near(_rows, &exact);
    if (ret == 0 && exact < 0) ret = _rows->next(_rows);
    return load(ret);
}

bool IndexCursor::seekAtOrBefore(std::string_view rowKey) {
    if (!_status.isOK()) return false;
    WT_ITEM k = makeItem(rowKey.data(), rowKey.size());
    _rows->set_key(_rows, &k);
    int exact = 0;
    int ret = _rows->search_near(_rows, &exact);
    if (ret == 0 && exact > 0) ret = _rows->prev(_rows);
    return load(ret);
}

bool IndexCursor::next() {
    if (!_status.isOK()) return false;
    return load(_rows->next(_rows));
}

bool IndexCursor::prev() {
    if (!_status.isOK()) return false;
    return load(_rows->prev(_rows));
}

StatusWith<std::optional<BsonView>> IndexCursor::fetch() {
    WT_ITEM k = makeItem(_idKey.data(), _idKey.size());
    _docs->set_key(_docs, &k);
    int ret = _docs->search(_docs);
    if (ret == WT_NOTFOUND) return std::optional<BsonView>();
    WT_ITEM v;
    if (ret == 0) ret = _docs->get_value(_docs, &v);
    if (ret != 0) return wtError(ret, "fetch document");
    return std::optional<BsonView>(BsonView(static_cast<const uint8_t*>(v.data), v.size));
}

std::vector<IndexDescriptor> SnapshotTxn::indexes(std::string_view ns) {
    invariant(_state && _state->active);
    CollectionPtr entry = _state->core->catalog.lookup(ns);
    if (!entry || entry->indexes.empty()) return {};
    auto idents = identsInSnapshot(*_state, ns);
    if (!idents.isOK()) return {};
    std::vector<IndexDescriptor> out;
    for (const auto& index : entry->indexes) {
        const auto& visible = idents.getValue();
        if (std::find(visible.begin(), visible.end(), index->ident) == visible.end()) continue;
        out.push_back(IndexDescriptor{index->name, index->spec, index->pattern, index->unique,
                                      index->sparse, index->partialFilter,
                                      index->expireAfterSeconds, index->multikeyFields()});
    }
    return out;
}

StatusWith<IndexCursor> SnapshotTxn::openIndex(std::string_view ns, std::string_view name) {
    invariant(_state && _state->active);
    CollectionPtr entry = _state->core->catalog.lookup(ns);
    if (!entry) return planKilled(ns, name);
    IndexPtr index = entry->findIndex(name);
    if (!index) return planKilled(ns, name);
    auto rows = _state->checkout(index->uri(), CursorMode::kStrict);
    if (!rows.isOK()) return planKilled(ns, name);
    auto docs = _state->checkout(entry->uri(), CursorMode::kStrict);
    if (!docs.isOK()) {
        _state->giveBack(rows.getValue(), CursorMode::kStrict);
        return planKilled(ns, name);
    }
    return IndexCursor(_state.get(), rows.getValue(), docs.getValue(), index->unique);
}

}  // namespace mongosd::storage
