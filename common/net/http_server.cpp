#include "common/net/http_server.h"

#include "common/net/server_core.h"  // first: brings <utility> before any Asio header

#include <spdlog/spdlog.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace mongosd::net {
namespace {

namespace asio = detail::asio;
namespace beast = detail::beast;
namespace http = beast::http;
using boost::system::error_code;
using detail::Connection;
using BeastResponse = http::response<http::string_body>;

constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr unsigned kHttp11 = 11;

auto redirect(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

void appendJsonString(std::string& out, std::string_view s) {
    static const char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c < 0x20) {
            out.append("\\u00").push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        } else {
            out.push_back(ch);
        }
    }
    out.push_back('"');
}

// API.md's error body.
HttpResponse errorResponse(int status, ErrorCodes::Error code, std::string_view message) {
    HttpResponse r;
    r.status = status;
    r.body = "{\"error\":";
    appendJsonString(r.body, message);
    r.body += ",\"error_code\":";
    appendJsonString(r.body, ErrorCodes::name(code));
    r.body += ",\"code\":" + std::to_string(static_cast<int>(code)) + "}";
    return r;
}

HttpResponse callHandler(const HttpHandler& handler, const HttpRequest& request) noexcept {
    try {
        return handler(request);
    } catch (const std::exception& e) {
        spdlog::error("http handler threw on {} {}: {}", request.method, request.target, e.what());
    } catch (...) {
        spdlog::error("http handler threw a non-standard exception on {} {}", request.method,
                      request.target);
    }
    return errorResponse(500, ErrorCodes::InternalError, "internal error");
}

bool isTokenChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool safeHeader(const std::string& name, const std::string& value) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), isTokenChar)) return false;
    return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

BeastResponse toBeast(HttpResponse r, unsigned version, bool keepAlive) {
    BeastResponse res;
    res.version(version);
    res.result(r.status >= 100 && r.status <= 999 ? static_cast<unsigned>(r.status) : 500u);
    res.set(http::field::server, "mongosd");
    if (!r.contentType.empty() && safeHeader("Content-Type", r.contentType))
        res.set(http::field::content_type, r.contentType);
    for (const auto& [name, value] : r.headers)
        if (safeHeader(name, value)) res.set(name, value);
    res.body() = std::move(r.body);
    res.keep_alive(keepAlive);
    res.prepare_payload();
    return res;
}

// Beast refuses some combinations (a body on a 204, say): answer 500 rather than drop the client.
BeastResponse toBeastOr500(HttpResponse r, unsigned version, bool keepAlive) {
    try {
        return toBeast(std::move(r), version, keepAlive);
    } catch (const std::exception& e) {
        spdlog::error("http handler returned an unsendable response: {}", e.what());
        return toBeast(errorResponse(500, ErrorCodes::InternalError, "internal error"), version,
                       keepAlive);
    }
}

// The answer owed for a failed read, or nothing when the client simply went away or timed out.
std::optional<HttpResponse> answerForReadError(const error_code& ec, size_t maxBodyBytes) {
    if (ec == http::error::body_limit)
        return errorResponse(
            413, ErrorCodes::BSONObjectTooLarge,
            "request body exceeds the limit of " + std::to_string(maxBodyBytes) + " bytes");
    if (ec == http::error::header_limit)
        return errorResponse(431, ErrorCodes::BadValue, "request headers too large");
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
        return errorResponse(400, ErrorCodes::FailedToParse,
                             "malformed HTTP request: " + ec.message());
    return std::nullopt;
}

bool expectsContinue(const http::request<http::string_body>& req) {
    return beast::iequals(req[http::field::expect], "100-continue");
}

HttpRequest toRequest(http::request<http::string_body>&& req, const std::string& peer) {
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.contentType = std::string(req[http::field::content_type]);
    r.accept = std::string(req[http::field::accept]);
    r.body = std::move(req.body());
    r.peer = peer;
    for (const auto& field : req)
        r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    return r;
}

// Over the connection cap: a best-effort canned 503 written without blocking the io thread.
void rejectOverCap(detail::tcp::socket& socket) {
    static const std::string canned = [] {
        HttpResponse r = errorResponse(503, ErrorCodes::HostUnreachable, "too many connections");
        std::string head =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            "Connection: close\r\nContent-Length: " +
            std::to_string(r.body.size()) + "\r\n\r\n";
        return head + r.body;
    }();
    error_code ec;
    socket.non_blocking(true, ec);
    if (!ec) socket.write_some(asio::buffer(canned), ec);
    socket.shutdown(detail::tcp::socket::shutdown_send, ec);
}

detail::ServerCoreOptions coreOptions(const HttpServerOptions& o) {
    return {"http", o.bindIp, o.port, o.ioThreads, o.workerThreads, o.maxConnections};
}

}  // namespace

class HttpServer::Impl {
public:
    Impl(HttpServerOptions options, HttpHandler handler)
        : _options(std::move(options)),
          _handler(std::move(handler)),
          _core(coreOptions(_options)) {}

    Status start() {
        return _core.start([this](std::shared_ptr<Connection> c) { return serve(std::move(c)); },
                           rejectOverCap);
    }
    uint16_t port() const { return _core.port(); }
    void stop() { _core.stop(); }

private:
    asio::awaitable<void> serve(std::shared_ptr<Connection> c) {
        beast::flat_buffer buffer;  // outlives one request: it holds pipelined bytes
        while (co_await serveOne(*c, buffer)) {
        }
    }

    // Reads one request, answers it; false when the connection should close.
    asio::awaitable<bool> serveOne(Connection& c, beast::flat_buffer& buffer) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(kMaxHeaderBytes);
        parser.body_limit(_options.maxBodyBytes);
        error_code ec;
        c.stream.expires_after(_options.idleTimeout);
        co_await http::async_read_header(c.stream, buffer, parser, redirect(ec));
        if (!ec && expectsContinue(parser.get())) {
            http::response<http::empty_body> go{http::status::continue_, parser.get().version()};
            co_await http::async_write(c.stream, go, redirect(ec));
        }
        if (!ec) co_await http::async_read(c.stream, buffer, parser, redirect(ec));
        if (ec) {
            co_await answerReadError(c, ec);
            co_return false;
        }
        unsigned version = parser.get().version();
        bool keepAlive = parser.get().keep_alive();
        bool isHead = parser.get().method() == http::verb::head;
        HttpRequest request = toRequest(parser.release(), c.peer);
        HttpResponse response = co_await _core.runOnWorkers(
            [this, &request]() noexcept { return callHandler(_handler, request); });
        BeastResponse res = toBeastOr500(std::move(response), version, keepAlive);
        if (isHead) res.body().clear();  // keeps the Content-Length a GET would have
        c.stream.expires_after(_options.idleTimeout);
        co_await http::async_write(c.stream, res, redirect(ec));
        co_return !ec && keepAlive;
    }

    asio::awaitable<void> answerReadError(Connection& c, const error_code& readError) {
        std::optional<HttpResponse> answer = answerForReadError(readError, _options.maxBodyBytes);
        if (!answer) co_return;
        BeastResponse res = toBeast(std::move(*answer), kHttp11, false);
        error_code ec;
        c.stream.expires_after(_options.idleTimeout);
        co_await http::async_write(c.stream, res, redirect(ec));
        if (!ec) co_await detail::lingeringClose(c);
    }

    HttpServerOptions _options;
    HttpHandler _handler;
    detail::ServerCore _core;
};

std::string_view HttpRequest::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (beast::iequals(key, beast::string_view(name.data(), name.size()))) return value;
    return {};
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : _impl(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

StatusWith<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerOptions options,
                                                          HttpHandler handler) {
    invariant(handler != nullptr);
    auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
    MONGOSD_RETURN_IF_ERROR(impl->start());
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return _impl->port(); }

void HttpServer::stop() { _impl->stop(); }

}  // namespace mongosd::net
