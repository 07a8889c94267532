#pragma once
// Group commit for the WiredTiger journal (its write-ahead log).
//
// Commits do not sync the log (transaction_sync=(enabled=false)); a writer that needs its write
// on disk (j:true, w:"majority") calls waitUntilDurable(ts). One waiter at a time becomes the
// flusher: it reads the last committed timestamp T, then runs one log flush (fsync), after
// which everything committed up to T is durable. Waiters that arrive while a flush runs wait
// for it to finish and, if it did not cover them, share the next one. With N concurrent
// writers this costs about one fsync per "round", not one per write.
//
// Why T is read before the flush starts: a commit publishes its timestamp only after
// WT_SESSION::commit_transaction returned, i.e. after its log record is in the log buffer, and
// a flush makes everything in the buffer durable.
//
// The flush and "last committed" are injected so the protocol can be tested without WT.
// Thread-safe.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "common/optime.h"
#include "common/status.h"

namespace mongosd::storage {

class Journal {
public:
    using FlushFn = std::function<Status()>;
    using LastCommittedFn = std::function<OpTime()>;

    Journal(FlushFn flush, LastCommittedFn lastCommitted)
        : _flush(std::move(flush)), _lastCommitted(std::move(lastCommitted)) {}

    // Blocks until every write with a timestamp <= ts is durable. The caller must have
    // committed ts already (BadValue otherwise: it would wait forever).
    Status waitUntilDurable(Timestamp ts);
    // Makes everything committed so far durable (the background flusher's call).
    Status flushAll() { return waitUntilDurable(_lastCommitted().ts); }

    // Declares everything up to `opTime` durable without flushing: at startup, where the
    // oplog holds only what survived in the log.
    void setDurable(OpTime opTime);

    OpTime durable() const;
    uint64_t flushCount() const;

private:
    FlushFn _flush;
    LastCommittedFn _lastCommitted;
    mutable std::mutex _mutex;
    std::condition_variable _flushed;
    bool _flushing = false;
    OpTime _durable;
    uint64_t _flushes = 0;
};

}  // namespace mongosd::storage
