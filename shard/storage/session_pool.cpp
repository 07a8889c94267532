#include "shard/storage/session_pool.h"

#include <cerrno>

#include "shard/storage/wt_util.h"

namespace mongosd::storage {

WtSession::~WtSession() {
    invariant(_checkedOut == 0);
    // Closing the session closes its cursors too.
    _session->close(_session, nullptr);
}

int WtSession::checkoutCursor(const std::string& uri, CursorMode mode, WT_CURSOR** out) {
    auto& cached = _cache[int(mode)][uri];
    if (!cached.empty()) {
        *out = cached.back();
        cached.pop_back();
    } else {
        const char* config = mode == CursorMode::kStrict ? "overwrite=false" : "overwrite=true";
        int ret = _session->open_cursor(_session, uri.c_str(), nullptr, config, out);
        if (ret != 0) return ret;
    }
    ++_checkedOut;
    return 0;
}

void WtSession::returnCursor(WT_CURSOR* cursor, CursorMode mode) {
    invariant(_checkedOut > 0);
    --_checkedOut;
    int ret = cursor->reset(cursor);
    if (ret != 0) {
        cursor->close(cursor);
        return;
    }
    _cache[int(mode)][cursor->uri].push_back(cursor);
}

void WtSession::closeCachedCursors() {
    for (auto& byUri : _cache) {
        for (auto& [uri, cursors] : byUri) {
            for (WT_CURSOR* c : cursors) c->close(c);
        }
        byUri.clear();
    }
}

SessionPool::Handle& SessionPool::Handle::operator=(Handle&& other) noexcept {
    if (this != &other) {
        reset();
        _pool = other._pool;
        _session = other._session;
        other._session = nullptr;
    }
    return *this;
}

void SessionPool::Handle::reset() {
    if (_session != nullptr) {
        _pool->release(_session);
        _session = nullptr;
    }
}

SessionPool::~SessionPool() {
    std::lock_guard lk(_mutex);
    invariant(_inUse == 0);
    _idle.clear();
}

StatusWith<SessionPool::Handle> SessionPool::acquire() {
    std::unique_ptr<WtSession> session;
    {
        std::lock_guard lk(_mutex);
        if (!_idle.empty()) {
            session = std::move(_idle.back());
            _idle.pop_back();
        }
        ++_inUse;
    }
    if (!session) {
        WT_SESSION* raw = nullptr;
        int ret = _conn->open_session(_conn, nullptr, "isolation=snapshot", &raw);
        if (ret != 0) {
            std::lock_guard lk(_mutex);
            --_inUse;
            return wtError(ret, "open_session");
        }
        session = std::make_unique<WtSession>(raw);
        std::lock_guard lk(_mutex);
        session->_epoch = _epoch;
    }
    return Handle(this, session.release());
}

void SessionPool::release(WtSession* raw) {
    std::unique_ptr<WtSession> session(raw);
    invariant(session->checkedOut() == 0);
    std::lock_guard lk(_mutex);
    --_inUse;
    if (session->_epoch != _epoch) {
        session->closeCachedCursors();
        session->_epoch = _epoch;
    }
    if (_idle.size() < kMaxIdleSessions) _idle.push_back(std::move(session));
}

void SessionPool::invalidateCursors() {
    std::lock_guard lk(_mutex);
    ++_epoch;
    for (auto& session : _idle) {
        session->closeCachedCursors();
        session->_epoch = _epoch;
    }
}

void SessionPool::closeIdle() {
    std::lock_guard lk(_mutex);
    invariant(_inUse == 0);
    _idle.clear();
}

size_t SessionPool::inUse() const {
    std::lock_guard lk(_mutex);
    return _inUse;
}

Status SessionCursor::open(const std::string& uri) {
    int ret = _session->checkoutCursor(uri, _mode, &_cursor);
    if (ret == ENOENT || ret == EBUSY) {
        return Status(ErrorCodes::WriteConflict, "table " + uri + " was dropped");
    }
    return wtStatus(ret, "open_cursor " + uri);
}

}  // namespace mongosd::storage
