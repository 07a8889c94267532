#pragma once
// A minimal blocking HTTP/1.1 client for one keep-alive connection: POST a body, read one
// response sized by Content-Length. Enough for the mongosd HTTP API; no chunked bodies, no
// redirects, no TLS. Plain sockets (common/net/tcp_socket.h), so no Beast in the client.
//
// After a transport error the connection is closed; the next request reconnects once.
// One thread at a time.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/net/tcp_socket.h"
#include "common/status.h"

namespace mongosd::ycsb {

struct HttpResponse {
    int status = 0;
    std::string body;
    bool keepAlive = true;  // false when the server said Connection: close
};

// "http://host:port" (a path after it is ignored). BadValue for anything else.
struct HttpEndpoint {
    std::string host;
    uint16_t port = 0;
};
StatusWith<HttpEndpoint> parseHttpUrl(std::string_view url);

// Parses the head of a response in `buffer` once it holds "\r\n\r\n": status, Content-Length
// and Connection. Returns the head's length (including the blank line), 0 when the head is not
// complete yet, or ProtocolError. Exposed for tests.
StatusWith<size_t> parseHttpResponseHead(std::string_view buffer, int* status,
                                         size_t* contentLength, bool* keepAlive);

class HttpConnection {
public:
    HttpConnection(HttpEndpoint endpoint, std::chrono::milliseconds timeout)
        : _endpoint(std::move(endpoint)), _timeout(timeout) {}

    Status connect();
    // Sends one POST with a JSON body and waits for the whole response.
    StatusWith<HttpResponse> postJson(std::string_view target, std::string_view body);

private:
    StatusWith<HttpResponse> roundTrip(const std::string& request);
    StatusWith<HttpResponse> readResponse(net::Deadline deadline);

    HttpEndpoint _endpoint;
    std::chrono::milliseconds _timeout;
    std::optional<net::TcpSocket> _socket;
    std::string _buffer;   // bytes received and not consumed yet
    std::string _request;  // reused to avoid an allocation per request
};

}  // namespace mongosd::ycsb
