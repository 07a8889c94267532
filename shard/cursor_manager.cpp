#include "shard/cursor_manager.h"

namespace mongosd::shard {

CursorManager::CursorManager(std::chrono::milliseconds idleTimeout, size_t maxCursors)
    : _idleTimeout(idleTimeout), _maxCursors(maxCursors), _rng(std::random_device{}()) {}

StatusWith<int64_t> CursorManager::add(std::string ns, std::unique_ptr<CursorSource> source) {
    auto now = std::chrono::steady_clock::now();
    reapIdle(now);
    std::lock_guard lk(_mutex);
    if (_cursors.size() >= _maxCursors)
        return Status(ErrorCodes::OperationFailed,
                      "too many open cursors (" + std::to_string(_maxCursors) + ")");
    int64_t id = 0;
    do {
        // 53 bits, so JavaScript clients reading the command endpoint's JSON keep ids exact.
        id = static_cast<int64_t>(_rng() >> 11);
    } while (id == 0 || _cursors.count(id));
    auto c = std::make_unique<ClientCursor>();
    c->id = id;
    c->ns = std::move(ns);
    c->source = std::move(source);
    c->lastUsed = now;
    _cursors.emplace(id, std::move(c));
    return id;
}

StatusWith<std::unique_ptr<ClientCursor>> CursorManager::checkOut(int64_t id, std::string_view ns) {
    std::unique_ptr<ClientCursor> expired;  // destroyed outside the lock
    std::lock_guard lk(_mutex);
    auto it = _cursors.find(id);
    if (it == _cursors.end())
        return Status(ErrorCodes::CursorNotFound, "cursor id " + std::to_string(id) + " not found");
    // Idle past the timeout but not reaped yet (reaping runs when cursors are added).
    if (std::chrono::steady_clock::now() - it->second->lastUsed > _idleTimeout) {
        expired = std::move(it->second);
        _cursors.erase(it);
        ++_timedOut;
        return Status(ErrorCodes::CursorNotFound,
                      "cursor id " + std::to_string(id) + " not found (timed out)");
    }
    if (it->second->ns != ns)
        return Status(ErrorCodes::Unauthorized, "Requested getMore on namespace '" +
                                                    std::string(ns) +
                                                    "', but cursor belongs to a different namespace " +
                                                    it->second->ns);
    auto c = std::move(it->second);
    _cursors.erase(it);
    return c;
}

void CursorManager::checkIn(std::unique_ptr<ClientCursor> cursor) {
    cursor->lastUsed = std::chrono::steady_clock::now();
    std::lock_guard lk(_mutex);
    int64_t id = cursor->id;
    _cursors.emplace(id, std::move(cursor));
}

bool CursorManager::kill(int64_t id) {
    std::unique_ptr<ClientCursor> victim;  // destroyed outside the lock
    std::lock_guard lk(_mutex);
    auto it = _cursors.find(id);
    if (it == _cursors.end()) return false;
    victim = std::move(it->second);
    _cursors.erase(it);
    return true;
}

size_t CursorManager::reapIdle(std::chrono::steady_clock::time_point now) {
    std::vector<std::unique_ptr<ClientCursor>> victims;
    std::lock_guard lk(_mutex);
    for (auto it = _cursors.begin(); it != _cursors.end();) {
        if (now - it->second->lastUsed > _idleTimeout) {
            victims.push_back(std::move(it->second));
            it = _cursors.erase(it);
        } else {
            ++it;
        }
    }
    _timedOut += victims.size();
    return victims.size();
}

size_t CursorManager::size() const {
    std::lock_guard lk(_mutex);
    return _cursors.size();
}

uint64_t CursorManager::timedOutTotal() const {
    std::lock_guard lk(_mutex);
    return _timedOut;
}

}  // namespace mongosd::shard
