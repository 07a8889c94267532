#include "shard/query_exec.h"

#include "query/matcher.h"
#include "query/projection.h"
#include "query/sort.h"
#include "shard/commands/command.h"
#include "shard/service.h"
#include "shard/storage/storage_engine.h"

namespace mongosd::shard {
namespace {

using query::MatchExpression;
using query::Projection;
using query::SortSpec;

// How often long loops check for maxTimeMS and shutdown.
constexpr int kInterruptCheckEvery = 256;

class VectorSource final : public CursorSource {
public:
    explicit VectorSource(std::vector<BsonObj> docs) : _docs(std::move(docs)) {}
    Status fill(OperationContext&, Batch& batch) override {
        while (_next < _docs.size() && !batch.full() && batch.fits(_docs[_next].size()))
            batch.add(std::move(_docs[_next++]));
        batch.exhausted = _next == _docs.size();
        return Status::OK();
    }

private:
    std::vector<BsonObj> _docs;
    size_t _next = 0;
};

// Collection scan in _id order; between batches only the last key is kept.
class ScanSource final : public CursorSource {
public:
    ScanSource(std::string ns, std::unique_ptr<MatchExpression> matcher, Projection projection,
               int64_t skip, int64_t limit)
        : _ns(std::move(ns)),
          _matcher(std::move(matcher)),
          _projection(std::move(projection)),
          _skip(skip),
          _limit(limit) {}

    Status fill(OperationContext& opCtx, Batch& batch) override {
        if (batch.full()) return Status::OK();  // batchSize 0
        auto txn = opCtx.service.engine().beginRead();
        if (!txn.isOK()) return txn.getStatus();
        storage::RecordCursor cursor = txn.getValue().scan(_ns);
        if (!_lastKey.empty()) cursor.seekAfter(_lastKey);
        bool more = cursor.next();
        int n = 0;
        for (; more; more = cursor.next()) {
            if (++n % kInterruptCheckEvery == 0) MONGOSD_RETURN_IF_ERROR(opCtx.checkForInterrupt());
            BsonView doc = cursor.value();
            // The matched array position is only needed by a positional projection ("a.$").
            std::optional<size_t> position;
            auto matched =
                _matcher->matchesChecked(doc, _projection.hasPositional() ? &position : nullptr);
            if (!matched.isOK()) return matched.getStatus();
            if (!matched.getValue()) continue;
            if (_skip > 0) {
                --_skip;
                continue;
            }
            auto projected = _projection.apply(doc, query::ProjectionContext{position, nullptr});
            if (!projected.isOK()) return projected.getStatus();
            BsonObj out = std::move(projected.getValue());
            if (!batch.fits(out.size())) break;  // resume at this document next time
            _lastKey.assign(cursor.key());
            batch.add(std::move(out));
            if (_limit > 0 && ++_returned >= _limit) {
                batch.exhausted = true;
                return Status::OK();
            }
            if (batch.full()) {
                batch.exhausted = !cursor.next();
                return cursor.status();
            }
        }
        MONGOSD_RETURN_IF_ERROR(cursor.status());
        batch.exhausted = !more;
        return Status::OK();
    }

private:
    std::string _ns;
    std::unique_ptr<MatchExpression> _matcher;
    Projection _projection;
    int64_t _skip;
    int64_t _limit;
    int64_t _returned = 0;
    std::string _lastKey;
};

}  // namespace

Status forEachMatch(OperationContext& opCtx, const std::string& ns, BsonView filter,
                    const std::function<bool(BsonView doc)>& fn) {
    auto matcher = query::parseFilter(filter);
    if (!matcher.isOK()) return matcher.getStatus();
    auto txn = opCtx.service.engine().beginRead();
    if (!txn.isOK()) return txn.getStatus();
    if (auto id = query::extractIdEquality(filter)) {
        bson_iter_t idIt;
        id->view().iterInit(&idIt);
        bson_iter_next(&idIt);
        auto doc = txn.getValue().findById(ns, idIt);
        if (!doc.isOK()) return doc.getStatus();
        if (!doc.getValue()) return Status::OK();
        auto matched = matcher.getValue()->matchesChecked(doc.getValue()->view());
        if (!matched.isOK()) return matched.getStatus();
        if (matched.getValue()) fn(doc.getValue()->view());
        return Status::OK();
    }
    storage::RecordCursor cursor = txn.getValue().scan(ns);
    int n = 0;
    while (cursor.next()) {
        if (++n % kInterruptCheckEvery == 0) MONGOSD_RETURN_IF_ERROR(opCtx.checkForInterrupt());
        auto matched = matcher.getValue()->matchesChecked(cursor.value());
        if (!matched.isOK()) return matched.getStatus();
        if (matched.getValue() && !fn(cursor.value())) break;
    }
    return cursor.status();
}

std::unique_ptr<CursorSource> makeVectorSource(std::vector<BsonObj> docs) {
    return std::make_unique<VectorSource>(std::move(docs));
}

StatusWith<std::unique_ptr<CursorSource>> makeFindSource(OperationContext& opCtx, FindSpec spec) {
    auto matcher = query::parseFilter(spec.filter);
    if (!matcher.isOK()) return matcher.getStatus();
    auto projection = Projection::parse(spec.projection);
    if (!projection.isOK()) return projection.getStatus();
    auto sort = SortSpec::parse(spec.sort);
    if (!sort.isOK()) return sort.getStatus();

    bool pointLookup = query::extractIdEquality(spec.filter).has_value();
    if (sort.getValue().empty() && !pointLookup)
        return std::unique_ptr<CursorSource>(
            std::make_unique<ScanSource>(spec.ns, std::move(matcher.getValue()),
                                         std::move(projection.getValue()), spec.skip, spec.limit));

    // Blocking plan: collect matches, sort, then apply skip/limit/projection.
    std::vector<BsonObj> docs;
    size_t bytes = 0;
    bool tooBig = false;
    Status st = forEachMatch(opCtx, spec.ns, spec.filter, [&](BsonView doc) {
        bytes += doc.size();
        if (bytes > kMaxBlockingSortBytes) {
            tooBig = true;
            return false;
        }
        docs.push_back(BsonObj::copyOf(doc));
        return true;
    });
    if (!st.isOK()) return st;
    if (tooBig)
        return Status(ErrorCodes::ExceededMemoryLimit,
                      "Sort exceeded memory limit of " + std::to_string(kMaxBlockingSortBytes) +
                          " bytes; add an index or a more selective filter");
    sort.getValue().sort(docs);
    std::vector<BsonObj> out;
    for (size_t i = static_cast<size_t>(std::min<int64_t>(spec.skip, docs.size())); i < docs.size();
         ++i) {
        if (spec.limit > 0 && static_cast<int64_t>(out.size()) >= spec.limit) break;
        query::ProjectionContext ctx;
        if (projection.getValue().hasPositional()) {
            // Sorting lost each match's array position; matching again finds it.
            auto matched = matcher.getValue()->matchesChecked(docs[i].view(), &ctx.matchedPosition);
            if (!matched.isOK()) return matched.getStatus();
        }
        auto projected = projection.getValue().apply(docs[i].view(), ctx);
        if (!projected.isOK()) return projected.getStatus();
        out.push_back(std::move(projected.getValue()));
    }
    return makeVectorSource(std::move(out));
}

}  // namespace mongosd::shard
