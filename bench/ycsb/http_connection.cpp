#include "bench/ycsb/http_connection.h"

#include <charconv>

namespace mongosd::ycsb {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string_view trimSpaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

Status protocolError(std::string why) {
    return Status(ErrorCodes::ProtocolError, "HTTP response: " + std::move(why));
}

constexpr size_t kMaxBody = 64 << 20;

}  // namespace

StatusWith<HttpEndpoint> parseHttpUrl(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    if (url.substr(0, kScheme.size()) != kScheme)
        return Status(ErrorCodes::BadValue, "URL must start with http://: " + std::string(url));
    std::string_view rest = url.substr(kScheme.size());
    rest = rest.substr(0, rest.find('/'));
    size_t colon = rest.rfind(':');
    HttpEndpoint e;
    if (colon == std::string_view::npos) {
        e.host = std::string(rest);
        e.port = 80;
    } else {
        e.host = std::string(rest.substr(0, colon));
        std::string_view port = rest.substr(colon + 1);
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
        if (ec != std::errc() || p != port.data() + port.size() || e.port == 0)
            return Status(ErrorCodes::BadValue, "bad port in URL: " + std::string(url));
    }
    if (e.host.empty()) return Status(ErrorCodes::BadValue, "no host in URL: " + std::string(url));
    return e;
}

StatusWith<size_t> parseHttpResponseHead(std::string_view buffer, int* status,
                                         size_t* contentLength, bool* keepAlive) {
    size_t end = buffer.find("\r\n\r\n");
    if (end == std::string_view::npos) return size_t{0};
    std::string_view head = buffer.substr(0, end);
    size_t lineEnd = head.find("\r\n");
    std::string_view statusLine = head.substr(0, lineEnd);
    if (statusLine.substr(0, 7) != "HTTP/1." || statusLine.size() < 12)
        return protocolError("bad status line '" + std::string(statusLine) + "'");
    auto [p, ec] = std::from_chars(statusLine.data() + 9, statusLine.data() + 12, *status);
    if (ec != std::errc()) return protocolError("bad status code");
    bool haveLength = false;
    *keepAlive = true;
    while (lineEnd != std::string_view::npos) {
        size_t next = head.find("\r\n", lineEnd + 2);
        std::string_view line =
            head.substr(lineEnd + 2, next == std::string_view::npos ? std::string_view::npos
                                                                    : next - lineEnd - 2);
        lineEnd = next;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = trimSpaces(line.substr(0, colon));
        std::string_view value = trimSpaces(line.substr(colon + 1));
        if (equalsIgnoreCase(name, "content-length")) {
            auto [q, e2] =
                std::from_chars(value.data(), value.data() + value.size(), *contentLength);
            if (e2 != std::errc() || *contentLength > kMaxBody)
                return protocolError("bad Content-Length");
            haveLength = true;
        } else if (equalsIgnoreCase(name, "connection")) {
            *keepAlive = !equalsIgnoreCase(value, "close");
        } else if (equalsIgnoreCase(name, "transfer-encoding")) {
            return protocolError("chunked bodies are not supported");
        }
    }
    if (!haveLength) return protocolError("no Content-Length");
    return end + 4;
}

Status HttpConnection::connect() {
    _buffer.clear();
    auto socket = net::TcpSocket::connect(_endpoint.host, _endpoint.port, _timeout);
    if (!socket.isOK()) return socket.getStatus();
    _socket.emplace(std::move(socket.getValue()));
    return Status::OK();
}

StatusWith<HttpResponse> HttpConnection::postJson(std::string_view target, std::string_view body) {
    _request.clear();
    _request.append("POST ").append(target).append(" HTTP/1.1\r\nHost: ").append(_endpoint.host);
    _request.append("\r\nContent-Type: application/json\r\nContent-Length: ");
    _request.append(std::to_string(body.size())).append("\r\n\r\n").append(body);
    // A keep-alive connection the server closed while idle fails on first use: retry once on a
    // fresh one. A request that did reach the server is never retried (it failed on read).
    bool fresh = !_socket || !_socket->isOpen();
    if (fresh) MONGOSD_RETURN_IF_ERROR(connect());
    auto r = roundTrip(_request);
    if (!r.isOK() && !fresh && r.getStatus().code() == ErrorCodes::HostUnreachable) {
        MONGOSD_RETURN_IF_ERROR(connect());
        r = roundTrip(_request);
    }
    return r;
}

StatusWith<HttpResponse> HttpConnection::roundTrip(const std::string& request) {
    net::Deadline deadline = net::deadlineAfter(_timeout);
    Status sent = _socket->sendAll(request, deadline);
    if (!sent.isOK()) {
        _socket.reset();
        // Nothing was answered: the request can safely be sent again on a new connection.
        return Status(ErrorCodes::HostUnreachable, sent.reason());
    }
    auto r = readResponse(deadline);
    if (!r.isOK() || !r.getValue().keepAlive) _socket.reset();
    return r;
}

StatusWith<HttpResponse> HttpConnection::readResponse(net::Deadline deadline) {
    HttpResponse response;
    size_t headLength = 0;
    size_t contentLength = 0;
    uint8_t chunk[65536];
    for (;;) {
        if (headLength == 0) {
            auto head = parseHttpResponseHead(_buffer, &response.status, &contentLength,
                                              &response.keepAlive);
            if (!head.isOK()) return head.getStatus();
            headLength = head.getValue();
        }
        if (headLength && _buffer.size() >= headLength + contentLength) {
            response.body.assign(_buffer, headLength, contentLength);
            _buffer.erase(0, headLength + contentLength);
            return response;
        }
        auto n = _socket->recvSome(chunk, sizeof(chunk), deadline);
        if (!n.isOK()) return n.getStatus();
        if (n.getValue() == 0)
            return Status(ErrorCodes::SocketException, "connection closed by the server");
        _buffer.append(reinterpret_cast<const char*>(chunk), n.getValue());
    }
}

}  // namespace mongosd::ycsb
