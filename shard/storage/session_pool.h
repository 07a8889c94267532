#pragma once
// Pooled WiredTiger sessions, each with its own cursor cache.
//
// A WT_SESSION (and every cursor opened on it) may be used by one thread at a time. The pool
// hands a session to one transaction for its life and takes it back afterwards, so opening a
// session or a cursor is rare: a cursor, once opened on a table, is reset and kept in its
// session's cache for the next transaction. WiredTiger's own cursor cache is disabled
// (cache_cursors=false on the connection) because a cursor it caches keeps the table busy and
// blocks WT_SESSION::drop; our cache can be emptied on demand (invalidateCursors()).
//
// Thread safety: SessionPool is thread-safe. A WtSession and its cursors belong to the thread
// holding its Handle.

#include <wiredtiger.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace mongosd::storage {

// kStrict cursors report existing/missing keys (overwrite=false): insert fails with
// WT_DUPLICATE_KEY, update/remove with WT_NOTFOUND. kOverwrite cursors upsert and remove
// blindly; recovery replay uses them.
enum class CursorMode { kStrict = 0, kOverwrite = 1 };

class WtSession {
public:
    explicit WtSession(WT_SESSION* session) : _session(session) {}
    ~WtSession();
    WtSession(const WtSession&) = delete;
    WtSession& operator=(const WtSession&) = delete;

    WT_SESSION* get() const { return _session; }

    // A cursor on `uri`, reused from this session's cache when one is free. Give it back with
    // returnCursor() before the session goes back to the pool. Returns the WiredTiger error
    // code (ENOENT when the table does not exist).
    int checkoutCursor(const std::string& uri, CursorMode mode, WT_CURSOR** out);
    // Resets the cursor (releasing its position and snapshot pins) and caches it.
    void returnCursor(WT_CURSOR* cursor, CursorMode mode);
    int checkedOut() const { return _checkedOut; }
    void closeCachedCursors();

private:
    friend class SessionPool;
    WT_SESSION* _session;
    std::unordered_map<std::string, std::vector<WT_CURSOR*>> _cache[2];
    int _checkedOut = 0;
    uint64_t _epoch = 0;
};

class SessionPool {
public:
    // An acquired session; goes back to the pool on destruction. Move-only.
    class Handle {
    public:
        Handle() = default;
        Handle(Handle&& other) noexcept : _pool(other._pool), _session(other._session) {
            other._session = nullptr;
        }
        Handle& operator=(Handle&& other) noexcept;
        ~Handle() { reset(); }
        WtSession* operator->() const { return _session; }
        WtSession* get() const { return _session; }
        explicit operator bool() const { return _session != nullptr; }
        void reset();

    private:
        friend class SessionPool;
        Handle(SessionPool* pool, WtSession* session) : _pool(pool), _session(session) {}
        SessionPool* _pool = nullptr;
        WtSession* _session = nullptr;
    };

    explicit SessionPool(WT_CONNECTION* conn) : _conn(conn) {}
    // Every handle must have been returned.
    ~SessionPool();

    StatusWith<Handle> acquire();
    // Closes every idle session; before the connection closes. No session may be in use.
    void closeIdle();
    // Closes the cached cursors of idle sessions now and of busy sessions when they come back,
    // so that a table can be dropped. A busy session's checked-out cursors still pin tables:
    // WT_SESSION::drop then answers EBUSY and the caller retries later.
    void invalidateCursors();
    size_t inUse() const;

private:
    void release(WtSession* session);

    static constexpr size_t kMaxIdleSessions = 64;
    WT_CONNECTION* _conn;
    mutable std::mutex _mutex;
    std::vector<std::unique_ptr<WtSession>> _idle;
    size_t _inUse = 0;
    uint64_t _epoch = 0;
};

// A cursor checked out of a session for the length of a scope, outside any TxnState.
class SessionCursor {
public:
    SessionCursor(WtSession* session, CursorMode mode) : _session(session), _mode(mode) {}
    ~SessionCursor() {
        if (_cursor) _session->returnCursor(_cursor, _mode);
    }
    SessionCursor(const SessionCursor&) = delete;
    SessionCursor& operator=(const SessionCursor&) = delete;
    // WriteConflict when the table was dropped (ENOENT) or is being dropped (EBUSY) after the
    // caller looked its collection up: a retry resolves the collection again.
    Status open(const std::string& uri);
    WT_CURSOR* operator->() const { return _cursor; }
    WT_CURSOR* get() const { return _cursor; }

private:
    WtSession* _session;
    CursorMode _mode;
    WT_CURSOR* _cursor = nullptr;
};

}  // namespace mongosd::storage
