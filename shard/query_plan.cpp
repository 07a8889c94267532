#include "shard/query_plan.h"

#include "query/matcher.h"
#include "shard/commands/command.h"
#include "shard/service.h"

namespace mongosd::shard {
namespace {

// How many keys a candidate's ranges are counted up to when comparing candidates: enough to
// tell a selective index from an unselective one without reading the unselective one whole.
constexpr int64_t kCandidateCountCap = 2000;

std::vector<query::IndexInfo> toIndexInfo(const std::vector<storage::IndexDescriptor>& indexes) {
    std::vector<query::IndexInfo> out;
    out.reserve(indexes.size());
    for (const auto& d : indexes) {
        out.push_back(query::IndexInfo{d.name, d.pattern, d.unique, d.sparse, d.partialFilter,
                                       d.multikey});
    }
    return out;
}

constexpr const char* kIdIndexName = "_id_";

// The implicit {_id: 1} index: the collection's table, keyed by KeyString(_id).
const storage::IndexDescriptor& idIndex() {
    static const storage::IndexDescriptor kIdIndex = [] {
        BsonBuilder key;
        key.appendInt32("_id", 1);
        BsonObj pattern = key.obj();
        BsonBuilder spec;
        spec.appendInt32("v", 2).appendDocument("key", pattern.view()).appendString("name", kIdIndexName);
        storage::IndexDescriptor d;
        d.name = kIdIndexName;
        d.spec = spec.obj();
        d.pattern = query::IndexKeyPattern::parse(pattern.view()).getValue();
        d.unique = true;
        d.multikey = {false};  // _id is never an array
        return d;
    }();
    return kIdIndex;
}

// Records of the collection in `scan`'s ranges, counted up to kCandidateCountCap.
StatusWith<int64_t> countRecords(storage::ReadTxn& txn, const std::string& ns,
                                 const query::IndexScanPlan& scan) {
    int64_t n = 0;
    for (const auto& range : scan.ranges) {
        storage::RecordCursor c = txn.scan(ns);
        c.seekAtOrAfter(range.start);
        while (n < kCandidateCountCap && c.next() && !pastEnd(c.key(), range)) {
            if (!beforeStart(c.key(), range)) ++n;
        }
        MONGOSD_RETURN_IF_ERROR(c.status());
        if (n >= kCandidateCountCap) break;
    }
    return n;
}

// Keys of `scan`'s ranges, counted up to kCandidateCountCap.
StatusWith<int64_t> countKeys(storage::ReadTxn& txn, const std::string& ns,
                              const std::string& index, const query::IndexScanPlan& scan) {
    if (index == kIdIndexName) return countRecords(txn, ns, scan);
    auto cursor = txn.openIndex(ns, index);
    if (!cursor.isOK()) return cursor.getStatus();
    storage::IndexCursor& c = cursor.getValue();
    int64_t n = 0;
    for (const auto& range : scan.ranges) {
        for (bool ok = c.seekAtOrAfter(range.start); ok && n < kCandidateCountCap; ok = c.next()) {
            if (pastEnd(c.keyPart(), range)) break;
            if (!beforeStart(c.keyPart(), range)) ++n;
        }
        MONGOSD_RETURN_IF_ERROR(c.status());
        if (n >= kCandidateCountCap) break;
    }
    return n;
}

std::string indexSetSignature(const std::vector<storage::IndexDescriptor>& indexes) {
    std::string sig;
    for (const auto& d : indexes) {
        sig += d.name;
        sig += '\0';
        sig.append(reinterpret_cast<const char*>(d.spec.data()), d.spec.size());
        // A field turning multikey changes the bounds the planner may build.
        for (bool m : d.multikey) sig += m ? '1' : '0';
    }
    return sig;
}

}  // namespace

std::optional<std::string> PlanCache::lookup(const std::string& key, const std::string& indexSet) {
    std::lock_guard lk(_mutex);
    auto it = _entries.find(key);
    if (it == _entries.end() || it->second.indexSet != indexSet) return std::nullopt;
    return it->second.index;
}

void PlanCache::store(const std::string& key, const std::string& indexSet,
                      const std::string& index) {
    std::lock_guard lk(_mutex);
    if (_entries.size() >= kMaxEntries) _entries.clear();
    _entries[key] = Entry{indexSet, index};
}

size_t PlanCache::size() const {
    std::lock_guard lk(_mutex);
    return _entries.size();
}

void PlanCache::clear() {
    std::lock_guard lk(_mutex);
    _entries.clear();
}

StatusWith<FindPlan> chooseFindPlan(OperationContext& opCtx, storage::ReadTxn& txn,
                                    const FindPlanRequest& request) {
    FindPlan plan;
    if (request.hint.isEmpty()) {
        if (auto id = query::extractIdEquality(request.filter)) {
            plan.kind = FindPlan::Kind::kIdLookup;
            plan.idValue = std::move(*id);
            return plan;
        }
    }
    std::vector<storage::IndexDescriptor> indexes = txn.indexes(request.ns);
    indexes.push_back(idIndex());
    std::vector<query::IndexInfo> infos = toIndexInfo(indexes);
    query::PlannerInput input;
    input.filter = request.filter;
    input.sort = request.sort;
    input.hint = request.hint;
    input.indexes = &infos;
    auto planned = query::planQuery(input);
    if (!planned.isOK()) return planned.getStatus();
    auto& candidates = planned.getValue().candidates;
    if (candidates.empty()) return plan;  // collection scan

    const std::string cacheKey =
        request.ns + '\0' + query::queryShape(request.filter, request.sort, request.projection) +
        '\0' + std::string(reinterpret_cast<const char*>(request.hint.data()),
                           request.hint.size());
    const std::string signature = indexSetSignature(indexes);
    size_t best = 0;
    bool cached = false;
    if (candidates.size() > 1) {
        if (auto name = opCtx.service.planCache().lookup(cacheKey, signature)) {
            for (size_t i = 0; i < candidates.size(); ++i) {
                if (infos[candidates[i].index].name == *name) {
                    best = i;
                    cached = true;
                }
            }
        }
        if (!cached) {
            // Fewest keys in range wins; among equals (e.g. all over the cap) one that gives
            // the sort, then the one with more fields pinned.
            std::vector<int64_t> counts;
            for (const auto& c : candidates) {
                auto n = countKeys(txn, request.ns, infos[c.index].name, c);
                if (!n.isOK()) return n.getStatus();
                counts.push_back(n.getValue());
            }
            auto better = [&](size_t a, size_t b) {
                if (counts[a] != counts[b]) return counts[a] < counts[b];
                if (candidates[a].providesSort != candidates[b].providesSort)
                    return candidates[a].providesSort;
                return candidates[a].boundedFields > candidates[b].boundedFields;
            };
            for (size_t i = 1; i < candidates.size(); ++i) {
                if (better(i, best)) best = i;
            }
            opCtx.service.planCache().store(cacheKey, signature, infos[candidates[best].index].name);
        }
    }
    plan.kind = FindPlan::Kind::kIndexScan;
    plan.index = indexes[candidates[best].index];
    plan.recordStore = plan.index.name == kIdIndexName;
    plan.scan = candidates[best];
    plan.providesSort = candidates[best].providesSort;
    plan.fromCache = cached;
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (i != best) {
            plan.rejected.emplace_back(infos[candidates[i].index].name,
                                       candidates[i].explainBounds);
        }
    }
    return plan;
}

BsonObj explainPlanStage(const FindPlan& plan, BsonView filter, const ExecStats* stats,
                         int64_t nReturned) {
    BsonBuilder b;
    switch (plan.kind) {
        case FindPlan::Kind::kIdLookup:
            b.appendString("stage", "IDHACK");
            if (stats) {
                b.appendInt64("nReturned", nReturned);
                b.appendInt64("keysExamined", stats->keysExamined);
                b.appendInt64("docsExamined", stats->docsExamined);
            }
            break;
        case FindPlan::Kind::kCollectionScan:
            b.appendString("stage", "COLLSCAN");
            if (!filter.isEmpty()) b.appendDocument("filter", filter);
            b.appendString("direction", "forward");
            if (stats) {
                b.appendInt64("nReturned", nReturned);
                b.appendInt64("docsExamined", stats->docsExamined);
            }
            break;
        case FindPlan::Kind::kIndexScan: {
            b.appendString("stage", "FETCH");
            if (!filter.isEmpty()) b.appendDocument("filter", filter);
            if (stats) {
                b.appendInt64("nReturned", nReturned);
                b.appendInt64("docsExamined", stats->docsExamined);
            }
            b.appendDocument("inputStage", [&](BsonBuilder& ix) {
                ix.appendString("stage", "IXSCAN");
                ix.appendDocument("keyPattern", plan.index.pattern.bson().view());
                ix.appendString("indexName", plan.index.name);
                bool multikey = false;
                for (bool m : plan.index.multikey) multikey = multikey || m;
                ix.appendBool("isMultiKey", multikey);
                ix.appendBool("isUnique", plan.index.unique);
                ix.appendBool("isSparse", plan.index.sparse);
                ix.appendBool("isPartial", !plan.index.partialFilter.isEmpty());
                ix.appendString("direction", plan.scan.reverse ? "backward" : "forward");
                ix.appendDocument("indexBounds", plan.scan.explainBounds.view());
                if (stats) {
                    ix.appendInt64("keysExamined", stats->keysExamined);
                }
            });
            break;
        }
    }
    return b.obj();
}

}  // namespace mongosd::shard
