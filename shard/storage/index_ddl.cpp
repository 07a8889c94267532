// createIndexes, dropIndexes and listIndexes (storage_engine.h). An index change holds the
// collection's gate exclusively (collection_gate.h): no write transaction is in flight on the
// collection while its index list changes.
#include <spdlog/spdlog.h>

#include "shard/storage/engine_core.h"
#include "shard/storage/index_table.h"
#include "shard/storage/namespace_util.h"
#include "shard/storage/storage_engine.h"
#include "shard/storage/txn_state.h"

namespace mongosd::storage {
namespace {

// MongoDB's limit, _id included.
constexpr size_t kMaxIndexesPerCollection = 64;

class ExclusiveGate {
public:
    explicit ExclusiveGate(std::shared_ptr<CollectionGate> gate) : _gate(std::move(gate)) {
        _gate->lockExclusive();
    }
    ~ExclusiveGate() { _gate->unlockExclusive(); }
    ExclusiveGate(const ExclusiveGate&) = delete;
    ExclusiveGate& operator=(const ExclusiveGate&) = delete;

private:
    std::shared_ptr<CollectionGate> _gate;
};

BsonObj idIndexSpec() {
    BsonBuilder b;
    b.appendInt32("v", 2);
    b.appendDocument("key", [](BsonBuilder& k) { k.appendInt32("_id", 1); });
    b.appendString("name", "_id_");
    return b.obj();
}

std::string specName(BsonView spec) {
    bson_iter_t it;
    spec.find("name", &it);
    return bson_iter_utf8(&it, nullptr);
}

// {_id: 1} (any positive number): the implicit _id index. {_id: -1} or {_id: "hashed"} are
// indexes of their own, as in MongoDB.
bool isIdKey(BsonView spec) {
    bson_iter_t it, k;
    if (!spec.find("key", &it) || !bson_iter_recurse(&it, &k)) return false;
    if (!bson_iter_next(&k) || std::string_view(bson_iter_key(&k)) != "_id") return false;
    if (!BSON_ITER_HOLDS_NUMBER(&k) || !(bson_iter_as_double(&k) > 0)) return false;
    return !bson_iter_next(&k);
}

// Classifies a new spec against the existing indexes: OK and *exists when an identical index
// is there, an error on a conflict, OK and !*exists for a new index.
Status checkAgainst(const std::vector<IndexPtr>& existing, BsonView spec, bool* exists) {
    *exists = false;
    const std::string name = specName(spec);
    for (const auto& index : existing) {
        const bool sameName = index->name == name;
        const bool sameKey = sameIndexKey(*index, spec);
        if (sameName && sameIndexOptions(*index, spec)) {
            *exists = true;
            return Status::OK();
        }
        if (sameName && !sameKey) {
            return Status(ErrorCodes::IndexKeySpecsConflict,
                          "An existing index has the same name as the requested index but a "
                          "different key: " + index->name);
        }
        if (sameName) {
            return Status(ErrorCodes::IndexOptionsConflict,
                          "An existing index has the same name as the requested index but "
                          "different options: " + index->name);
        }
        if (sameKey) {
            return Status(ErrorCodes::IndexOptionsConflict,
                          "Index already exists with a different name: " + index->name);
        }
    }
    return Status::OK();
}

void dropIdents(EngineCore& core, std::vector<std::string>& idents) {
    for (auto& ident : idents) core.scheduleDrop(std::move(ident), Timestamp{});
    idents.clear();
}

}  // namespace

StatusWith<CreateIndexesResult> StorageEngine::createIndexes(std::string_view ns,
                                                             const std::vector<BsonObj>& specs) {
    MONGOSD_RETURN_IF_ERROR(validateNamespace(ns));
    if (specs.empty()) {
        return Status(ErrorCodes::BadValue, "Must specify at least one index to create");
    }
    std::vector<BsonObj> normalized;
    for (const auto& spec : specs) {
        auto n = normalizeIndexSpec(spec.view());
        if (!n.isOK()) return n.getStatus();
        normalized.push_back(std::move(n.getValue()));
    }
    for (size_t i = 0; i < normalized.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            if (specName(normalized[i].view()) == specName(normalized[j].view())) {
                return Status(ErrorCodes::IndexKeySpecsConflict,
                              "two indexes in the request have the name " +
                                  specName(normalized[i].view()));
            }
        }
    }

    ExclusiveGate gate(_core->gateFor(ns));
    CreateIndexesResult result;
    CollectionPtr current = _core->catalog.lookup(ns);
    if (!current) {
        auto created = createCollection(ns);
        if (!created.isOK() && created.getStatus() != ErrorCodes::NamespaceExists) {
            return created.getStatus();
        }
        result.createdCollectionAutomatically = created.isOK();
        current = _core->catalog.lookup(ns);
        if (!current) return Status(ErrorCodes::IndexBuildAborted, "collection was dropped");
    }
    result.numIndexesBefore = int(current->indexes.size()) + 1;

    std::vector<BsonObj> toBuild;
    for (const auto& spec : normalized) {
        if (isIdKey(spec.view())) continue;  // the _id index always exists
        bool exists = false;
        MONGOSD_RETURN_IF_ERROR(checkAgainst(current->indexes, spec.view(), &exists));
        if (!exists) toBuild.push_back(spec);
    }
    if (toBuild.empty()) {
        result.numIndexesAfter = result.numIndexesBefore;
        result.allExisted = true;
        result.opTime = lastAppliedOpTime();
        return result;
    }
    if (current->indexes.size() + 1 + toBuild.size() > kMaxIndexesPerCollection) {
        return Status(ErrorCodes::CannotCreateIndex,
                      "add index fails, too many indexes for " + std::string(ns) + " (max " +
                          std::to_string(kMaxIndexesPerCollection) + ")");
    }

    // Build every table first; nothing is in the catalog yet, so a crash here leaves only
    // orphan tables, which startup drops.
    std::vector<std::string> idents;
    std::vector<IndexPtr> built;
    auto readSession = _core->sessions.acquire();
    if (!readSession.isOK()) return readSession.getStatus();
    auto writeSession = _core->sessions.acquire();
    if (!writeSession.isOK()) return writeSession.getStatus();
    for (const auto& spec : toBuild) {
        auto ident = _core->createIdent(kIndexIdentPrefix);
        if (!ident.isOK()) {
            dropIdents(*_core, idents);
            return ident.getStatus();
        }
        idents.push_back(ident.getValue());
        auto entry = makeIndexEntry(spec.view(), ident.getValue(), Timestamp{}, {});
        if (!entry.isOK()) {
            dropIdents(*_core, idents);
            return entry.getStatus();
        }
        std::vector<bool> multikey;
        int64_t keys = 0;
        Status st = buildIndexTable(readSession.getValue().get(), writeSession.getValue().get(),
                                    current->ns, current->uri(), *entry.getValue(), &multikey,
                                    &keys);
        if (!st.isOK()) {
            dropIdents(*_core, idents);
            return st;
        }
        for (size_t f = 0; f < multikey.size(); ++f) {
            if (multikey[f]) entry.getValue()->multikey[f].store(true);
        }
        spdlog::info("storage: built index {} on {}: {} keys", entry.getValue()->name, ns, keys);
        built.push_back(std::move(entry.getValue()));
    }
    readSession.getValue().reset();
    writeSession.getValue().reset();

    // Any checkpoint that ran during the build has a stable timestamp at most this one, so
    // recovery rebuilds the index exactly when a checkpoint could hold a partial table.
    const Timestamp readyAt = _core->lastCommitted().ts;
    std::vector<IndexPtr> indexes = current->indexes;
    std::vector<BsonObj> entries;
    for (const auto& index : built) {
        auto ready = makeIndexEntry(index->spec.view(), index->ident, readyAt,
                                    index->multikeyFields());
        if (!ready.isOK()) {
            dropIdents(*_core, idents);
            return ready.getStatus();
        }
        indexes.push_back(ready.getValue());
        BsonBuilder o;
        o.appendString("createIndexes", collOf(ns));
        o.appendAll(index->spec.view());
        entries.push_back(o.obj());
    }
    auto next = std::make_shared<CollectionEntry>(current->ns, current->uuid, current->ident,
                                                  current->options, indexes);
    auto txn = beginWrite();
    if (!txn.isOK()) {
        dropIdents(*_core, idents);
        return txn.getStatus();
    }
    Status replaced = txn.getValue()._state->replaceCollection(current, next, entries, {});
    auto committed = replaced.isOK() ? txn.getValue().commit() : StatusWith<OpTime>(replaced);
    if (!committed.isOK()) {
        dropIdents(*_core, idents);
        if (committed.getStatus() == ErrorCodes::WriteConflict) {
            return Status(ErrorCodes::IndexBuildAborted,
                          "collection " + std::string(ns) + " was dropped during the index build");
        }
        return committed.getStatus();
    }
    result.numIndexesAfter = int(indexes.size()) + 1;
    result.opTime = committed.getValue();
    return result;
}

StatusWith<DropIndexesResult> StorageEngine::dropIndexes(std::string_view ns,
                                                         const std::vector<std::string>& names,
                                                         BsonView keyPattern) {
    MONGOSD_RETURN_IF_ERROR(validateNamespace(ns));
    ExclusiveGate gate(_core->gateFor(ns));
    CollectionPtr current = _core->catalog.lookup(ns);
    if (!current) {
        return Status(ErrorCodes::NamespaceNotFound, "ns not found: " + std::string(ns));
    }
    std::vector<IndexPtr> keep = current->indexes;
    std::vector<IndexPtr> drop;
    auto take = [&](const IndexPtr& index) {
        keep.erase(std::find(keep.begin(), keep.end(), index));
        drop.push_back(index);
    };
    if (!keyPattern.isEmpty()) {
        IndexPtr found;
        for (const auto& index : current->indexes) {
            if (index->pattern.bson().view().binaryEqual(keyPattern)) found = index;
        }
        bson_iter_t it;
        if (!found && keyPattern.find("_id", &it)) {
            return Status(ErrorCodes::InvalidOptions, "cannot drop _id index");
        }
        if (!found) {
            return Status(ErrorCodes::IndexNotFound, "can't find index with key: " +
                                                         std::string("the given key pattern"));
        }
        take(found);
    } else {
        for (const auto& name : names) {
            if (name == "*") {
                for (const auto& index : current->indexes) {
                    if (std::find(drop.begin(), drop.end(), index) == drop.end()) take(index);
                }
                continue;
            }
            if (name == "_id_") return Status(ErrorCodes::InvalidOptions, "cannot drop _id index");
            IndexPtr index = current->findIndex(name);
            if (!index) {
                return Status(ErrorCodes::IndexNotFound, "index not found with name [" + name + "]");
            }
            if (std::find(drop.begin(), drop.end(), index) == drop.end()) take(index);
        }
    }
    DropIndexesResult result;
    result.nIndexesWas = int(current->indexes.size()) + 1;
    if (drop.empty()) {
        result.opTime = lastAppliedOpTime();
        return result;
    }
    std::vector<BsonObj> entries;
    std::vector<std::string> idents;
    for (const auto& index : drop) {
        BsonBuilder o;
        o.appendString("dropIndexes", collOf(ns));
        o.appendString("index", index->name);
        entries.push_back(o.obj());
        idents.push_back(index->ident);
    }
    auto next = std::make_shared<CollectionEntry>(current->ns, current->uuid, current->ident,
                                                  current->options, keep);
    auto txn = beginWrite();
    if (!txn.isOK()) return txn.getStatus();
    MONGOSD_RETURN_IF_ERROR(
        txn.getValue()._state->replaceCollection(current, next, entries, std::move(idents)));
    auto committed = txn.getValue().commit();
    if (!committed.isOK()) return committed.getStatus();
    result.opTime = committed.getValue();
    return result;
}

StatusWith<std::vector<BsonObj>> StorageEngine::listIndexes(std::string_view ns) const {
    CollectionPtr current = _core->catalog.lookup(ns);
    if (!current) {
        return Status(ErrorCodes::NamespaceNotFound, "ns does not exist: " + std::string(ns));
    }
    std::vector<BsonObj> out{idIndexSpec()};
    for (const auto& index : current->indexes) out.push_back(index->spec);
    return out;
}

}  // namespace mongosd::storage
