#pragma once
// Choosing and running the plan of a query on one shard (DESIGN.md §6, docs/indexes.md).
//
// chooseFindPlan() asks the planner (query/planner.h) which indexes can serve the filter and
// sort and picks one: a point lookup when the filter pins _id; otherwise an index whenever
// one applies (the implicit `_id_` index is the collection's table itself: _id ranges and
// _id sorts scan it in key order) (as MongoDB, which only falls back to a collection scan when no index does),
// the most selective by a bounded count of the keys in each candidate's ranges, preferring one
// that provides the sort; otherwise a collection scan. The choice is cached per query shape
// and collection index set (PlanCache), so a new or dropped index invalidates it.
//
// MatchRunner runs a plan: it visits the documents that match the whole filter, in the plan's
// order, inside one read transaction per call, and resumes where it stopped on the next call
// (keeping only a key between calls, never a snapshot).

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/bson.h"
#include "query/matcher.h"
#include "query/planner.h"
#include "shard/storage/txn.h"

namespace mongosd::shard {

struct OperationContext;

struct FindPlan {
    enum class Kind { kIdLookup, kCollectionScan, kIndexScan };
    Kind kind = Kind::kCollectionScan;
    BsonObj idValue;  // kIdLookup: {"": value}
    // kIndexScan:
    storage::IndexDescriptor index;
    query::IndexScanPlan scan;
    // The index is `_id_`: the collection's own table, keyed by KeyString(_id) like an index
    // on {_id: 1}, scanned directly (no separate index table, no fetch).
    bool recordStore = false;
    bool providesSort = false;
    bool fromCache = false;
    // For explain: the other candidates' index names and their bounds.
    std::vector<std::pair<std::string, BsonObj>> rejected;
};

struct FindPlanRequest {
    std::string ns;
    BsonView filter;
    BsonView sort;
    BsonView hint;  // {} or as query::PlannerInput::hint
    BsonView projection;
};

// Caches the chosen index per (namespace, query shape); entries remember the collection's
// index set and are ignored once it changed. Thread-safe.
class PlanCache {
public:
    std::optional<std::string> lookup(const std::string& key, const std::string& indexSet);
    void store(const std::string& key, const std::string& indexSet, const std::string& index);
    size_t size() const;
    void clear();

private:
    static constexpr size_t kMaxEntries = 5000;
    struct Entry {
        std::string indexSet;
        std::string index;
    };
    mutable std::mutex _mutex;
    std::unordered_map<std::string, Entry> _entries;
};

StatusWith<FindPlan> chooseFindPlan(OperationContext& opCtx, storage::ReadTxn& txn,
                                    const FindPlanRequest& request);

// Where a key stands against one of the planner's ranges, its bounds' inclusiveness counted.
inline bool pastEnd(std::string_view key, const query::KeyRange& r) {
    return key > r.end || (key == r.end && !r.endInclusive);
}
inline bool beforeStart(std::string_view key, const query::KeyRange& r) {
    return key < r.start || (key == r.start && !r.startInclusive);
}

struct ExecStats {
    int64_t keysExamined = 0;
    int64_t docsExamined = 0;
};

enum class Visit {
    kNext,        // consumed; go on
    kStopAfter,   // consumed; stop here (resume after it)
    kStopBefore,  // not consumed; stop (resume at it)
};

class MatchRunner {
public:
    // `matcher` must outlive the runner.
    MatchRunner(std::string ns, FindPlan plan, const query::MatchExpression* matcher,
                bool wantPosition);

    using Visitor = std::function<StatusWith<Visit>(BsonView doc, std::optional<size_t> position)>;
    // Visits matches from where the last call stopped; true when the plan is exhausted.
    StatusWith<bool> run(OperationContext& opCtx, storage::ReadTxn& txn, const Visitor& visit);

    const FindPlan& plan() const { return _plan; }
    const ExecStats& stats() const { return _stats; }

private:
    StatusWith<bool> runCollectionScan(OperationContext& opCtx, storage::ReadTxn& txn,
                                       const Visitor& visit);
    StatusWith<bool> runIndexScan(OperationContext& opCtx, storage::ReadTxn& txn,
                                  const Visitor& visit);
    StatusWith<bool> runRecordRangeScan(OperationContext& opCtx, storage::ReadTxn& txn,
                                        const Visitor& visit);
    StatusWith<bool> runIdLookup(storage::ReadTxn& txn, const Visitor& visit);
    // Matches `doc` and hands it to `visit`: kNext when it did not match.
    StatusWith<Visit> offer(BsonView doc, const Visitor& visit);

    std::string _ns;
    FindPlan _plan;
    const query::MatchExpression* _matcher;
    bool _wantPosition;
    ExecStats _stats;
    bool _started = false;
    bool _done = false;
    std::string _lastKey;  // row (or record) key of the last consumed entry
    size_t _range = 0;     // index scans: the range being scanned, in scan order
    std::set<std::string> _seen;  // multikey index scans: KeyString(_id)s already visited
};

// MongoDB's explain tree of a plan ({stage: "FETCH", inputStage: {stage: "IXSCAN", ...}}),
// with execution counters when `stats` is given.
BsonObj explainPlanStage(const FindPlan& plan, BsonView filter, const ExecStats* stats,
                         int64_t nReturned);

}  // namespace mongosd::shard
