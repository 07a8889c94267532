#pragma once
// How the shell reaches a server: one command in, MongoDB's reply document out. The HTTP
// implementation speaks API.md's `POST /api/v1/command`; an HTTP error body
// ({error, error_code, code, ...}) comes back as the reply MongoDB would have sent
// ({ok: 0, errmsg, code, codeName, ...}), so the runner reads one shape whatever the transport.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/bson.h"
#include "common/status.h"

namespace mongosd::net {
class TcpSocket;
}

namespace mongosd::shell {

class CommandTransport {
public:
    virtual ~CommandTransport() = default;
    // The reply document (ok: 0 replies included). A Status only when no reply arrived: the
    // server could not be reached, the connection broke, or the answer was not a reply.
    virtual StatusWith<BsonObj> runCommand(BsonView command) = 0;
    // Where the commands go, for messages ("http://127.0.0.1:8080").
    virtual std::string address() const = 0;
};

struct HttpUrl {
    std::string host;
    uint16_t port = 0;
    std::string database;  // the path, as in mongosh's "host:port/db"; empty when none
};

// "http://host:port[/db]", "host:port[/db]" or "host" (port 8080). BadValue otherwise (https
// is not supported: the API is served in clear on loopback or a private network).
StatusWith<HttpUrl> parseHttpUrl(const std::string& url);

// A keep-alive HTTP/1.1 connection, reopened when the server has closed it between commands.
// Sends Canonical Extended JSON and asks for it back (Accept: application/ejson), so every
// BSON type survives the round trip.
class HttpCommandClient : public CommandTransport {
public:
    HttpCommandClient(HttpUrl url, std::chrono::milliseconds timeout);
    ~HttpCommandClient() override;

    StatusWith<BsonObj> runCommand(BsonView command) override;
    std::string address() const override;

private:
    Status ensureConnected();
    StatusWith<std::string> exchange(const std::string& request, int* httpStatus, bool* keepAlive);

    HttpUrl _url;
    std::chrono::milliseconds _timeout;
    std::unique_ptr<net::TcpSocket> _socket;
};

}  // namespace mongosd::shell
