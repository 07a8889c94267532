#pragma once
// A byte-level HTTP/1.1 client for server tests: writes exactly what a test gives it and parses
// responses (Content-Length bodies only, which is all HttpServer sends). Keeps unread bytes, so
// pipelined responses can be read one by one.

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include "common/net/tcp_socket.h"

namespace mongosd::net::testing {

struct RawHttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

class HttpTestClient {
public:
    static HttpTestClient open(uint16_t port) {
        auto s = TcpSocket::connect("127.0.0.1", port, std::chrono::seconds(5));
        invariant(s.isOK());
        return HttpTestClient(std::move(s.getValue()));
    }

    Status send(std::string_view bytes) { return _socket.sendAll(bytes, deadline()); }

    StatusWith<RawHttpResponse> read() {
        size_t headEnd;
        while ((headEnd = _buffer.find("\r\n\r\n")) == std::string::npos)
            MONGOSD_RETURN_IF_ERROR(fill());
        RawHttpResponse r = parseHead(_buffer.substr(0, headEnd));
        _buffer.erase(0, headEnd + 4);
        size_t length =
            r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
        while (_buffer.size() < length) MONGOSD_RETURN_IF_ERROR(fill());
        r.body = _buffer.substr(0, length);
        _buffer.erase(0, length);
        return r;
    }

    StatusWith<RawHttpResponse> request(const std::string& raw) {
        MONGOSD_RETURN_IF_ERROR(send(raw));
        return read();
    }

    // True when the server closes the connection (EOF or reset) within the timeout.
    bool closedByPeer(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        uint8_t b[4096];
        for (;;) {
            auto r = _socket.recvSome(b, sizeof(b), deadlineAfter(timeout));
            if (!r.isOK()) return r.getStatus().code() == ErrorCodes::SocketException;
            if (r.getValue() == 0) return true;
        }
    }

    TcpSocket& socket() { return _socket; }

private:
    explicit HttpTestClient(TcpSocket s) : _socket(std::move(s)) {}

    static Deadline deadline() { return deadlineAfter(std::chrono::seconds(10)); }

    Status fill() {
        uint8_t b[65536];
        auto r = _socket.recvSome(b, sizeof(b), deadline());
        if (!r.isOK()) return r.getStatus();
        if (r.getValue() == 0) return Status(ErrorCodes::SocketException, "closed by server");
        _buffer.append(reinterpret_cast<const char*>(b), r.getValue());
        return Status::OK();
    }

    static RawHttpResponse parseHead(const std::string& head) {
        RawHttpResponse r;
        size_t lineEnd = head.find("\r\n");
        std::string statusLine = head.substr(0, lineEnd);
        r.status = std::stoi(statusLine.substr(statusLine.find(' ') + 1, 3));
        while (lineEnd != std::string::npos) {
            size_t start = lineEnd + 2;
            lineEnd = head.find("\r\n", start);
            std::string line = head.substr(
                start, lineEnd == std::string::npos ? std::string::npos : lineEnd - start);
            size_t colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            size_t valueStart = line.find_first_not_of(' ', colon + 1);
            r.headers[name] = valueStart == std::string::npos ? "" : line.substr(valueStart);
        }
        return r;
    }

    TcpSocket _socket;
    std::string _buffer;
};

}  // namespace mongosd::net::testing
