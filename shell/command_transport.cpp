#include "shell/command_transport.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/json/ejson.h"
#include "common/net/tcp_socket.h"

namespace mongosd::shell {
namespace {

constexpr std::chrono::milliseconds kConnectTimeout{5000};
constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr size_t kMaxBodyBytes = 64 << 20;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

bool parseNumber(std::string_view text, size_t* out, int base = 10) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out, base);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

Status protocolError(const std::string& why) {
    return Status(ErrorCodes::ProtocolError, "bad HTTP response: " + why);
}

// An API error body ({error, error_code, code, ...extras}) as MongoDB's reply shape.
BsonObj replyFromErrorBody(int httpStatus, const std::string& body) {
    BsonBuilder reply;
    reply.appendDouble("ok", 0);
    auto parsed = json::parseJsonObject(body);
    if (!parsed.isOK()) {
        reply.appendString("errmsg", "HTTP " + std::to_string(httpStatus) + ": " + body);
        reply.appendInt32("code", ErrorCodes::InternalError);
        return reply.obj();
    }
    BsonView err = parsed.getValue().view();
    bson_iter_t it;
    if (err.find("error", &it) && BSON_ITER_HOLDS_UTF8(&it))
        reply.appendIter("errmsg", it);
    else
        reply.appendString("errmsg", "HTTP " + std::to_string(httpStatus));
    if (err.find("code", &it)) reply.appendIter("code", it);
    if (err.find("error_code", &it)) reply.appendIter("codeName", it);
    err.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view k = bson_iter_key(&it);
        if (k != "error" && k != "code" && k != "error_code" && k != "ok") reply.appendIter(k, it);
    }
    return reply.obj();
}

}  // namespace

StatusWith<HttpUrl> parseHttpUrl(const std::string& url) {
    std::string_view rest = url;
    if (rest.substr(0, 7) == "http://") {
        rest.remove_prefix(7);
    } else if (rest.find("://") != std::string_view::npos) {
        return Status(ErrorCodes::BadValue,
                      "unsupported URL '" + url + "': the shell speaks http:// only");
    }
    HttpUrl out;
    size_t slash = rest.find('/');
    if (slash != std::string_view::npos) {
        out.database = std::string(rest.substr(slash + 1));
        while (!out.database.empty() && out.database.back() == '/') out.database.pop_back();
        if (out.database.find('/') != std::string::npos)
            return Status(ErrorCodes::BadValue,
                          "URL '" + url + "': the path names one database (http://host:port/db)");
        rest = rest.substr(0, slash);
    }
    size_t colon = rest.rfind(':');
    out.host = std::string(rest.substr(0, colon));
    out.port = 8080;
    if (colon != std::string_view::npos) {
        size_t port = 0;
        if (!parseNumber(rest.substr(colon + 1), &port) || port == 0 || port > 65535)
            return Status(ErrorCodes::BadValue, "bad port in URL '" + url + "'");
        out.port = uint16_t(port);
    }
    if (out.host.empty()) return Status(ErrorCodes::BadValue, "no host in URL '" + url + "'");
    return out;
}

HttpCommandClient::HttpCommandClient(HttpUrl url, std::chrono::milliseconds timeout)
    : _url(std::move(url)), _timeout(timeout) {}

HttpCommandClient::~HttpCommandClient() = default;

std::string HttpCommandClient::address() const {
    return "http://" + _url.host + ":" + std::to_string(_url.port);
}

Status HttpCommandClient::ensureConnected() {
    if (_socket && _socket->isOpen()) {
        // A keep-alive connection the server closed while we were idle reads as EOF right
        // away; a live one has nothing to read and times out at once.
        uint8_t byte;
        auto probe = _socket->recvSome(&byte, 1, net::deadlineAfter(std::chrono::milliseconds(0)));
        if (!probe.isOK() && probe.getStatus().code() == ErrorCodes::NetworkTimeout)
            return Status::OK();
        _socket.reset();
    }
    auto socket = net::TcpSocket::connect(_url.host, _url.port, kConnectTimeout);
    if (!socket.isOK()) return socket.getStatus();
    _socket = std::make_unique<net::TcpSocket>(std::move(socket.getValue()));
    return Status::OK();
}

StatusWith<std::string> HttpCommandClient::exchange(const std::string& request, int* httpStatus,
                                                    bool* keepAlive) {
    const net::Deadline deadline = net::deadlineAfter(_timeout);
    MONGOSD_RETURN_IF_ERROR(_socket->sendAll(request, deadline));

    std::string data;
    size_t headerEnd = std::string::npos;
    uint8_t buf[16384];
    while ((headerEnd = data.find("\r\n\r\n")) == std::string::npos) {
        if (data.size() > kMaxHeaderBytes) return protocolError("headers too long");
        auto n = _socket->recvSome(buf, sizeof buf, deadline);
        if (!n.isOK()) return n.getStatus();
        if (n.getValue() == 0)
            return Status(ErrorCodes::SocketException, "the server closed the connection");
        data.append(reinterpret_cast<char*>(buf), n.getValue());
    }
    std::string_view head(data.data(), headerEnd);
    size_t lineEnd = head.find("\r\n");
    std::string_view statusLine = head.substr(0, lineEnd);
    if (statusLine.substr(0, 5) != "HTTP/" || statusLine.size() < 12)
        return protocolError("status line '" + std::string(statusLine) + "'");
    size_t code = 0;
    if (!parseNumber(statusLine.substr(9, 3), &code)) return protocolError("status code");
    *httpStatus = int(code);

    size_t contentLength = 0;
    bool haveLength = false, chunked = false;
    *keepAlive = statusLine.substr(0, 8) != "HTTP/1.0";
    while (lineEnd != std::string_view::npos && lineEnd < head.size()) {
        size_t next = head.find("\r\n", lineEnd + 2);
        std::string_view line = head.substr(lineEnd + 2, next == std::string_view::npos
                                                             ? std::string_view::npos
                                                             : next - lineEnd - 2);
        lineEnd = next;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string name = lower(trim(line.substr(0, colon)));
        std::string value = lower(trim(line.substr(colon + 1)));
        if (name == "content-length") {
            if (!parseNumber(value, &contentLength)) return protocolError("Content-Length");
            haveLength = true;
        } else if (name == "transfer-encoding") {
            chunked = value.find("chunked") != std::string::npos;
        } else if (name == "connection") {
            if (value == "close") *keepAlive = false;
            if (value == "keep-alive") *keepAlive = true;
        }
    }
    std::string body = data.substr(headerEnd + 4);
    auto readMore = [&]() -> Status {
        auto n = _socket->recvSome(buf, sizeof buf, deadline);
        if (!n.isOK()) return n.getStatus();
        if (n.getValue() == 0)
            return Status(ErrorCodes::SocketException, "the server closed the connection");
        body.append(reinterpret_cast<char*>(buf), n.getValue());
        return Status::OK();
    };
    if (chunked) {
        std::string decoded;
        size_t pos = 0;
        while (true) {
            size_t eol;
            while ((eol = body.find("\r\n", pos)) == std::string::npos)
                MONGOSD_RETURN_IF_ERROR(readMore());
            std::string_view sizeText = std::string_view(body).substr(pos, eol - pos);
            sizeText = sizeText.substr(0, sizeText.find(';'));
            size_t size = 0;
            if (!parseNumber(trim(sizeText), &size, 16)) return protocolError("chunk size");
            // Compared without adding: a hostile size near SIZE_MAX must not wrap around.
            if (size > kMaxBodyBytes - decoded.size()) return protocolError("body too large");
            while (body.size() < eol + 2 + size + 2) MONGOSD_RETURN_IF_ERROR(readMore());
            if (size == 0) break;
            decoded.append(body, eol + 2, size);
            pos = eol + 2 + size + 2;
        }
        return decoded;
    }
    if (!haveLength) {
        // No length: the body runs to the end of the connection.
        *keepAlive = false;
        while (true) {
            auto n = _socket->recvSome(buf, sizeof buf, deadline);
            if (!n.isOK()) return n.getStatus();
            if (n.getValue() == 0) break;
            body.append(reinterpret_cast<char*>(buf), n.getValue());
            if (body.size() > kMaxBodyBytes) return protocolError("body too large");
        }
        return body;
    }
    if (contentLength > kMaxBodyBytes) return protocolError("body too large");
    while (body.size() < contentLength) MONGOSD_RETURN_IF_ERROR(readMore());
    body.resize(contentLength);
    return body;
}

StatusWith<BsonObj> HttpCommandClient::runCommand(BsonView command) {
    MONGOSD_RETURN_IF_ERROR(ensureConnected());
    const std::string body = json::toJson(command, json::JsonMode::kCanonical);
    std::string request = "POST /api/v1/command HTTP/1.1\r\nHost: " +
                          _url.host + ":" + std::to_string(_url.port) +
                          "\r\nContent-Type: application/json\r\nAccept: application/ejson\r\n"
                          "Content-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n";
    request += body;
    int httpStatus = 0;
    bool keepAlive = false;
    auto response = exchange(request, &httpStatus, &keepAlive);
    if (!response.isOK() || !keepAlive) _socket.reset();
    if (!response.isOK()) return response.getStatus();
    if (httpStatus != 200) return replyFromErrorBody(httpStatus, response.getValue());
    auto reply = json::parseJsonObject(response.getValue(), {kMaxBsonDepth, kMaxBodyBytes});
    if (!reply.isOK())
        return protocolError("the reply is not a JSON document: " + reply.getStatus().reason());
    return reply;
}

}  // namespace mongosd::shell
