#pragma once
// CollectionGate: keeps writers out of a collection while its indexes change.
//
// Every write transaction holds its collection's gate shared from the moment it resolves the
// collection until the transaction ends; creating or dropping an index holds it exclusively,
// so an index build sees every committed write and no write can commit against the old index
// list (docs/indexes.md, "Building an index"). Writer-preferring: once an index change waits,
// new write transactions wait behind it, so a steady write load cannot starve a build.
// Thread-safe.

#include <condition_variable>
#include <mutex>

namespace mongosd::storage {

class CollectionGate {
public:
    void lockShared() {
        std::unique_lock lk(_mutex);
        _cv.wait(lk, [&] { return !_exclusive && _waitingExclusive == 0; });
        ++_shared;
    }
    void unlockShared() {
        std::lock_guard lk(_mutex);
        if (--_shared == 0) _cv.notify_all();
    }
    void lockExclusive() {
        std::unique_lock lk(_mutex);
        ++_waitingExclusive;
        _cv.wait(lk, [&] { return !_exclusive && _shared == 0; });
        --_waitingExclusive;
        _exclusive = true;
    }
    void unlockExclusive() {
        std::lock_guard lk(_mutex);
        _exclusive = false;
        _cv.notify_all();
    }

private:
    std::mutex _mutex;
    std::condition_variable _cv;
    int _shared = 0;
    int _waitingExclusive = 0;
    bool _exclusive = false;
};

}  // namespace mongosd::storage
