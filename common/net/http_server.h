#pragma once
// HttpServer: an HTTP/1.1 transport. It parses requests, hands each to one HttpHandler and writes
// back what the handler returns; it never interprets targets or bodies (the layer above maps
// routes to commands).
//
// Behaviour: keep-alive (HTTP/1.0 only when asked); pipelined requests answered in order;
// Content-Length and chunked bodies; "Expect: 100-continue" answered; HEAD answered without
// the body the handler returned. Errors the server answers itself, then closes:
//   body over maxBodyBytes  -> 413 {"error":…,"error_code":"BSONObjectTooLarge","code":10334}
//   headers over 64 KiB     -> 431 {"error":…,"error_code":"BadValue","code":2}
//   malformed HTTP          -> 400 {"error":…,"error_code":"FailedToParse","code":9}
//   handler threw           -> 500 {"error":"internal error","error_code":"InternalError","code":1}
//                              (the connection stays open; the exception is logged, never sent)
//   over maxConnections     -> 503 {"error":…,"error_code":"HostUnreachable","code":6}, closed
// A connection idle (or slow to send a request) for idleTimeout is closed.
//
// Threads: see common/net/server_core.h. The handler runs on a pool of workerThreads threads and
// may block; it is called concurrently for different connections, so it must be thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace mongosd::net {

struct HttpRequest {
    std::string method;  // "GET", "POST", ... as sent
    std::string target;  // path and query, undecoded: "/api/v1/action/find?x=1"
    std::string contentType;
    std::string accept;
    std::string body;
    std::string peer;  // "ip:port" of the client
    // Every header as sent (Authorization, X-Request-Id, ...), in order.
    std::vector<std::pair<std::string, std::string>> headers;

    // The first header with this name, compared case-insensitively; "" when absent.
    std::string_view header(std::string_view name) const;
};

struct HttpResponse {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    // Extra headers. Ones with CR or LF in a name or value are dropped (response splitting).
    std::vector<std::pair<std::string, std::string>> headers;
};

// Called on a worker thread; may block. An exception becomes a 500 response.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
    std::string bindIp = "127.0.0.1";
    uint16_t port = 0;  // 0: the kernel picks a free port; read it back with port()
    size_t ioThreads = 2;
    size_t workerThreads = 16;
    size_t maxBodyBytes = 48'000'000;
    std::chrono::seconds idleTimeout{120};
    size_t maxConnections = 10000;
};

class HttpServer {
public:
    // Binds and starts serving. SocketException when the address cannot be bound, BadValue for
    // an unparsable bindIp.
    static StatusWith<std::unique_ptr<HttpServer>> start(HttpServerOptions options,
                                                         HttpHandler handler);

    // The bound port (the real one when options.port was 0). Any thread.
    uint16_t port() const;
    // Closes the listener and every connection, waits for in-flight handler calls to return and
    // joins all threads. Idempotent; any thread except a handler's.
    void stop();
    ~HttpServer();

    class Impl;

private:
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> _impl;
};

}  // namespace mongosd::net
