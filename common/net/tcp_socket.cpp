#include "common/net/tcp_socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace mongosd::net {
namespace {

std::string errnoText(int err) { return std::strerror(err); }

int millisUntil(Deadline deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    return left.count() > INT32_MAX ? INT32_MAX : static_cast<int>(left.count());
}

struct AddrInfoDeleter {
    void operator()(addrinfo* ai) const { freeaddrinfo(ai); }
};

// Non-blocking connect bounded by the deadline; returns the connected descriptor.
StatusWith<int> connectOne(const addrinfo* ai, Deadline deadline) {
    int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) return Status(ErrorCodes::SocketException, "socket(): " + errnoText(errno));
    auto fail = [fd](ErrorCodes::Error code, std::string msg) {
        ::close(fd);
        return Status(code, std::move(msg));
    };
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS)
        return fail(ErrorCodes::HostUnreachable, "connect(): " + errnoText(errno));
    pollfd p{fd, POLLOUT, 0};
    int rc;
    do {
        rc = ::poll(&p, 1, millisUntil(deadline));
    } while (rc < 0 && errno == EINTR);
    if (rc == 0) return fail(ErrorCodes::NetworkTimeout, "connect timed out");
    int err = 0;
    socklen_t len = sizeof(err);
    if (rc < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
        return fail(ErrorCodes::HostUnreachable, "connect(): " + errnoText(err ? err : errno));
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

}  // namespace

StatusWith<TcpSocket> TcpSocket::connect(const std::string& host, uint16_t port,
                                         std::chrono::milliseconds timeout) {
    Deadline deadline = deadlineAfter(timeout);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw);
    if (rc != 0)
        return Status(ErrorCodes::HostUnreachable,
                      "cannot resolve " + host + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);
    Status last(ErrorCodes::HostUnreachable, "no address for " + host);
    for (const addrinfo* ai = list.get(); ai; ai = ai->ai_next) {
        auto fd = connectOne(ai, deadline);
        if (fd.isOK()) return TcpSocket(fd.getValue());
        last = fd.getStatus();
        if (last.code() == ErrorCodes::NetworkTimeout) break;
    }
    return last.withContext("connecting to " + host + ":" + std::to_string(port));
}

TcpSocket::TcpSocket(TcpSocket&& other) noexcept : _fd(other._fd) { other._fd = -1; }

TcpSocket& TcpSocket::operator=(TcpSocket&& other) noexcept {
    if (this != &other) {
        close();
        _fd = other._fd;
        other._fd = -1;
    }
    return *this;
}

TcpSocket::~TcpSocket() { close(); }

void TcpSocket::close() {
    if (_fd >= 0) ::close(_fd);
    _fd = -1;
}

void TcpSocket::shutdownSend() {
    if (_fd >= 0) ::shutdown(_fd, SHUT_WR);
}

Status TcpSocket::waitReady(short events, Deadline deadline) {
    if (_fd < 0) return Status(ErrorCodes::SocketException, "socket is closed");
    pollfd p{_fd, events, 0};
    for (;;) {
        int rc = ::poll(&p, 1, millisUntil(deadline));
        if (rc > 0) return Status::OK();  // errors surface from the following send/recv
        if (rc == 0) return Status(ErrorCodes::NetworkTimeout, "socket operation timed out");
        if (errno != EINTR)
            return Status(ErrorCodes::SocketException, "poll(): " + errnoText(errno));
    }
}

Status TcpSocket::sendAll(std::string_view bytes, Deadline deadline) {
    size_t sent = 0;
    while (sent < bytes.size()) {
        MONGOSD_RETURN_IF_ERROR(waitReady(POLLOUT, deadline));
        ssize_t n = ::send(_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n < 0) return Status(ErrorCodes::SocketException, "send(): " + errnoText(errno));
        sent += static_cast<size_t>(n);
    }
    return Status::OK();
}

StatusWith<size_t> TcpSocket::recvSome(uint8_t* buf, size_t cap, Deadline deadline) {
    for (;;) {
        MONGOSD_RETURN_IF_ERROR(waitReady(POLLIN, deadline));
        ssize_t n = ::recv(_fd, buf, cap, 0);
        if (n >= 0) return static_cast<size_t>(n);
        if (errno != EAGAIN && errno != EINTR)
            return Status(ErrorCodes::SocketException, "recv(): " + errnoText(errno));
    }
}

Status TcpSocket::recvExact(uint8_t* buf, size_t n, Deadline deadline) {
    size_t got = 0;
    while (got < n) {
        auto r = recvSome(buf + got, n - got, deadline);
        if (!r.isOK()) return r.getStatus();
        if (r.getValue() == 0)
            return Status(ErrorCodes::SocketException, "connection closed by peer");
        got += r.getValue();
    }
    return Status::OK();
}

StatusWith<std::string> TcpSocket::recvUntilClose(Deadline deadline, size_t maxBytes) {
    std::string out;
    uint8_t buf[16384];
    while (out.size() < maxBytes) {
        auto r = recvSome(buf, sizeof(buf), deadline);
        if (!r.isOK()) {
            // A reset after data arrived still delivered that data: report what we got.
            if (r.getStatus().code() == ErrorCodes::SocketException && !out.empty()) break;
            return r.getStatus();
        }
        if (r.getValue() == 0) break;
        out.append(reinterpret_cast<const char*>(buf), r.getValue());
    }
    return out;
}

}  // namespace mongosd::net
