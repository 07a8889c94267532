#pragma once
// Server-side cursors: what find/aggregate leave open when results exceed one batch, continued
// by getMore and closed by killCursors, exhaustion, or the idle timeout (10 minutes default).
//
// Invariants:
//  1. A cursor is either in the table or checked out by exactly one request; a checked-out
//     cursor is invisible to other requests (getMore on it answers CursorNotFound).
//  2. Ids are random, positive and never 0 (0 means "no cursor" on the wire).
// Thread-safe: every method takes the table's mutex; sources run outside it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/bson.h"

namespace mongosd::shard {

struct OperationContext;

// A batch being filled: stops at maxDocs documents or maxBytes of BSON.
struct Batch {
    size_t maxDocs = SIZE_MAX;  // batchSize; 0 is a legal "no documents now"
    size_t maxBytes = 16 * 1024 * 1024;
    std::vector<BsonObj> docs;
    size_t bytes = 0;
    bool exhausted = false;

    // In the reply's batch array each document also costs a type byte and its index as a key
    // ("12345\0"): with small documents that adds up to more than the reply's slack over 16 MiB.
    static constexpr size_t kElementOverhead = 9;

    bool full() const {
        return docs.size() >= maxDocs || bytes >= maxBytes;
    }
    // Whether `doc` may still be added (the first document of a batch always may).
    bool fits(size_t docBytes) const {
        return docs.empty() || bytes + docBytes + kElementOverhead <= maxBytes;
    }
    void add(BsonObj doc) {
        bytes += doc.size() + kElementOverhead;
        docs.push_back(std::move(doc));
    }
};

// Produces a query's results in order, a batch at a time. May hold no storage resources
// between fill() calls (a collection scan remembers its position as a key).
class CursorSource {
public:
    virtual ~CursorSource() = default;
    // Adds results until the batch is full or the results are exhausted (sets batch.exhausted).
    virtual Status fill(OperationContext& opCtx, Batch& batch) = 0;
};

struct ClientCursor {
    int64_t id = 0;
    std::string ns;
    std::unique_ptr<CursorSource> source;
    std::chrono::steady_clock::time_point lastUsed;
};

class CursorManager {
public:
    explicit CursorManager(std::chrono::milliseconds idleTimeout, size_t maxCursors = 100000);

    // Stores a cursor and returns its id; OperationFailed when too many are open.
    StatusWith<int64_t> add(std::string ns, std::unique_ptr<CursorSource> source);
    // Takes the cursor out for one getMore. CursorNotFound when unknown, killed, in use or idle
    // past the timeout;
    // Unauthorized when it belongs to another namespace.
    StatusWith<std::unique_ptr<ClientCursor>> checkOut(int64_t id, std::string_view ns);
    // Puts it back after a batch that did not exhaust it.
    void checkIn(std::unique_ptr<ClientCursor> cursor);
    // Removes a cursor; false when it was not found.
    bool kill(int64_t id);
    // Drops cursors idle for longer than the timeout; returns how many.
    size_t reapIdle(std::chrono::steady_clock::time_point now);
    size_t size() const;
    uint64_t timedOutTotal() const;

private:
    std::chrono::milliseconds _idleTimeout;
    size_t _maxCursors;
    mutable std::mutex _mutex;
    std::unordered_map<int64_t, std::unique_ptr<ClientCursor>> _cursors;
    std::mt19937_64 _rng;
    uint64_t _timedOut = 0;
};

}  // namespace mongosd::shard
