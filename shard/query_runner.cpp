// MatchRunner: runs a FindPlan over a read transaction, resumable between transactions.
#include "shard/commands/command.h"
#include "shard/query_plan.h"

namespace mongosd::shard {
namespace {

// How often long loops check for maxTimeMS and shutdown.
constexpr int kInterruptCheckEvery = 256;

// A key that sorts after every row whose index key is `key` (row keys append a KeyString
// _id, whose first byte is a type byte below 0xFF) and before any larger index key.
std::string afterAllRowsOf(const std::string& key) { return key + '\xff'; }

}  // namespace

MatchRunner::MatchRunner(std::string ns, FindPlan plan, const query::MatchExpression* matcher,
                         bool wantPosition)
    : _ns(std::move(ns)), _plan(std::move(plan)), _matcher(matcher), _wantPosition(wantPosition) {}

StatusWith<Visit> MatchRunner::offer(BsonView doc, const Visitor& visit) {
    ++_stats.docsExamined;
    std::optional<size_t> position;
    auto matched = _matcher->matchesChecked(doc, _wantPosition ? &position : nullptr);
    if (!matched.isOK()) return matched.getStatus();
    if (!matched.getValue()) return Visit::kNext;
    return visit(doc, position);
}

StatusWith<bool> MatchRunner::run(OperationContext& opCtx, storage::ReadTxn& txn,
                                  const Visitor& visit) {
    if (_done) return true;
    StatusWith<bool> result = false;
    switch (_plan.kind) {
        case FindPlan::Kind::kIdLookup:
            result = runIdLookup(txn, visit);
            break;
        case FindPlan::Kind::kCollectionScan:
            result = runCollectionScan(opCtx, txn, visit);
            break;
        case FindPlan::Kind::kIndexScan:
            result = runIndexScan(opCtx, txn, visit);
            break;
    }
    if (result.isOK() && result.getValue()) _done = true;
    return result;
}

StatusWith<bool> MatchRunner::runIdLookup(storage::ReadTxn& txn, const Visitor& visit) {
    bson_iter_t id;
    _plan.idValue.view().iterInit(&id);
    bson_iter_next(&id);
    auto doc = txn.findById(_ns, id);
    if (!doc.isOK()) return doc.getStatus();
    ++_stats.keysExamined;
    if (!doc.getValue()) return true;
    auto v = offer(doc.getValue()->view(), visit);
    if (!v.isOK()) return v.getStatus();
    // A document that did not fit is offered again on the next call.
    return v.getValue() != Visit::kStopBefore;
}

StatusWith<bool> MatchRunner::runCollectionScan(OperationContext& opCtx, storage::ReadTxn& txn,
                                                const Visitor& visit) {
    storage::RecordCursor cursor = txn.scan(_ns);
    if (_started) cursor.seekAfter(_lastKey);
    _started = true;
    int n = 0;
    while (cursor.next()) {
        if (++n % kInterruptCheckEvery == 0) MONGOSD_RETURN_IF_ERROR(opCtx.checkForInterrupt());
        auto v = offer(cursor.value(), visit);
        if (!v.isOK()) return v.getStatus();
        if (v.getValue() == Visit::kStopBefore) return false;
        _lastKey.assign(cursor.key());
        if (v.getValue() == Visit::kStopAfter) return !cursor.next() && cursor.status().isOK();
    }
    MONGOSD_RETURN_IF_ERROR(cursor.status());
    return true;
}

StatusWith<bool> MatchRunner::runIndexScan(OperationContext& opCtx, storage::ReadTxn& txn,
                                           const Visitor& visit) {
    if (_plan.recordStore) return runRecordRangeScan(opCtx, txn, visit);
    const auto& ranges = _plan.scan.ranges;
    const bool reverse = _plan.scan.reverse;
    if (ranges.empty()) return true;
    auto opened = txn.openIndex(_ns, _plan.index.name);
    if (!opened.isOK()) return opened.getStatus();
    storage::IndexCursor& c = opened.getValue();
    // Ranges are ascending; a reverse scan takes them last to first, each backwards.
    auto rangeAt = [&](size_t i) -> const query::KeyRange& {
        return reverse ? ranges[ranges.size() - 1 - i] : ranges[i];
    };
    auto seekRange = [&](size_t i) {
        const auto& r = rangeAt(i);
        return reverse ? c.seekAtOrBefore(afterAllRowsOf(r.end)) : c.seekAtOrAfter(r.start);
    };
    bool ok;
    if (!_started) {
        _started = true;
        ok = seekRange(_range);
    } else {
        // Back to the last consumed row, then one step past it.
        ok = reverse ? c.seekAtOrBefore(_lastKey) : c.seekAtOrAfter(_lastKey);
        if (ok && c.rowKey() == _lastKey) ok = reverse ? c.prev() : c.next();
    }
    int n = 0;
    for (;;) {
        if (++n % kInterruptCheckEvery == 0) MONGOSD_RETURN_IF_ERROR(opCtx.checkForInterrupt());
        MONGOSD_RETURN_IF_ERROR(c.status());
        const auto& r = rangeAt(_range);
        const bool done = !ok || (reverse ? beforeStart(c.keyPart(), r) : pastEnd(c.keyPart(), r));
        if (done) {
            if (++_range == ranges.size()) return true;
            ok = seekRange(_range);
            continue;
        }
        std::string_view key = c.keyPart();
        const bool inRange = reverse ? !pastEnd(key, r) : !beforeStart(key, r);
        if (inRange) {
            ++_stats.keysExamined;
            const bool fresh = !_plan.scan.multikey || _seen.insert(std::string(c.idKey())).second;
            if (fresh) {
                auto doc = c.fetch();
                if (!doc.isOK()) return doc.getStatus();
                if (doc.getValue()) {
                    auto v = offer(*doc.getValue(), visit);
                    if (!v.isOK()) return v.getStatus();
                    if (v.getValue() == Visit::kStopBefore) {
                        if (_plan.scan.multikey) _seen.erase(std::string(c.idKey()));
                        return false;
                    }
                    _lastKey.assign(c.rowKey());
                    if (v.getValue() == Visit::kStopAfter) return false;
                }
            }
        }
        _lastKey.assign(c.rowKey());
        ok = reverse ? c.prev() : c.next();
    }
}

// The `_id_` plan: the collection's table is keyed by KeyString(_id), the same bytes as the
// keys of an index on {_id: 1}, so the planner's ranges bound it directly; the documents come
// from the table itself (no fetch). Resumes after the last consumed _id key.
StatusWith<bool> MatchRunner::runRecordRangeScan(OperationContext& opCtx, storage::ReadTxn& txn,
                                                 const Visitor& visit) {
    const auto& ranges = _plan.scan.ranges;
    const bool reverse = _plan.scan.reverse;
    if (ranges.empty()) return true;
    auto rangeAt = [&](size_t i) -> const query::KeyRange& {
        return reverse ? ranges[ranges.size() - 1 - i] : ranges[i];
    };
    storage::RecordCursor c = txn.scan(_ns, /*backward=*/reverse);
    // KeyStrings are never empty: an empty _lastKey means nothing was consumed yet.
    if (_lastKey.empty()) {
        c.seekAtOrAfter(reverse ? rangeAt(_range).end : rangeAt(_range).start);
    } else {
        c.seekAfter(_lastKey);
    }
    int n = 0;
    while (true) {
        if (++n % kInterruptCheckEvery == 0) MONGOSD_RETURN_IF_ERROR(opCtx.checkForInterrupt());
        const bool ok = c.next();
        MONGOSD_RETURN_IF_ERROR(c.status());
        const auto& r = rangeAt(_range);
        if (!ok || (reverse ? beforeStart(c.key(), r) : pastEnd(c.key(), r))) {
            if (!ok || ++_range == ranges.size()) return true;
            const auto& nextRange = rangeAt(_range);
            c.seekAtOrAfter(reverse ? nextRange.end : nextRange.start);
            continue;
        }
        // Not yet in the range: an exclusive bound the seek landed on.
        if (reverse ? pastEnd(c.key(), r) : beforeStart(c.key(), r)) continue;
        ++_stats.keysExamined;
        auto v = offer(c.value(), visit);
        if (!v.isOK()) return v.getStatus();
        if (v.getValue() == Visit::kStopBefore) return false;
        _lastKey.assign(c.key());
        if (v.getValue() == Visit::kStopAfter) return false;
    }
}

}  // namespace mongosd::shard
