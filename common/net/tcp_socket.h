#pragma once
// TcpSocket: a blocking TCP client socket (POSIX) where every operation takes a deadline. Used by
// WireClient and by tests that need byte-level control over a connection. Owns its descriptor;
// movable, not copyable. One thread at a time.
//
// Errors: connect failures (refused, unresolvable) -> HostUnreachable, a passed deadline ->
// NetworkTimeout, send/recv failures and unexpected EOF -> SocketException.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mongosd::net {

using Deadline = std::chrono::steady_clock::time_point;

inline Deadline deadlineAfter(std::chrono::milliseconds timeout) {
    return std::chrono::steady_clock::now() + timeout;
}

class TcpSocket {
public:
    // Resolves host (name or literal address), connects, and disables Nagle's algorithm.
    static StatusWith<TcpSocket> connect(const std::string& host, uint16_t port,
                                         std::chrono::milliseconds timeout);

    TcpSocket(TcpSocket&& other) noexcept;
    TcpSocket& operator=(TcpSocket&& other) noexcept;
    TcpSocket(const TcpSocket&) = delete;
    TcpSocket& operator=(const TcpSocket&) = delete;
    ~TcpSocket();

    bool isOpen() const { return _fd >= 0; }

    // Sends every byte or fails.
    Status sendAll(std::string_view bytes, Deadline deadline);
    // Receives up to cap bytes; 0 means the peer closed its sending side.
    StatusWith<size_t> recvSome(uint8_t* buf, size_t cap, Deadline deadline);
    // Receives exactly n bytes; EOF before that is a SocketException.
    Status recvExact(uint8_t* buf, size_t n, Deadline deadline);
    // Receives until the peer closes (or maxBytes); for tests reading a whole response.
    StatusWith<std::string> recvUntilClose(Deadline deadline, size_t maxBytes = 64 << 20);

    // Half-close: the peer sees EOF, we can still read.
    void shutdownSend();
    void close();

private:
    explicit TcpSocket(int fd) : _fd(fd) {}
    // Waits until the descriptor is ready for `events` (POLLIN/POLLOUT) or the deadline passes.
    Status waitReady(short events, Deadline deadline);

    int _fd = -1;
};

}  // namespace mongosd::net
