#include "shard/storage/journal.h"

namespace mongosd::storage {

Status Journal::waitUntilDurable(Timestamp ts) {
    std::unique_lock lk(_mutex);
    while (_durable.ts < ts) {
        if (_flushing) {
            _flushed.wait(lk);
            continue;
        }
        _flushing = true;
        OpTime target = _lastCommitted();
        if (target.ts < ts) {
            _flushing = false;
            _flushed.notify_all();
            return Status(ErrorCodes::BadValue, "waitUntilDurable for " + ts.toString() +
                                                    " which is not committed (last committed " +
                                                    target.ts.toString() + ")");
        }
        lk.unlock();
        Status status = _flush();
        lk.lock();
        _flushing = false;
        _flushed.notify_all();
        if (!status.isOK()) return status;
        ++_flushes;
        if (_durable.ts < target.ts) _durable = target;
    }
    return Status::OK();
}

void Journal::setDurable(OpTime opTime) {
    std::lock_guard lk(_mutex);
    if (_durable.ts < opTime.ts) _durable = opTime;
}

OpTime Journal::durable() const {
    std::lock_guard lk(_mutex);
    return _durable;
}

uint64_t Journal::flushCount() const {
    std::lock_guard lk(_mutex);
    return _flushes;
}

}  // namespace mongosd::storage
