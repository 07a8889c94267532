#pragma once
// The HTTP/JSON API of API.md over a command runner: translates Data API actions
// (POST /api/v1/action/<action>) and raw commands (POST /api/v1/command) into MongoDB command
// documents, runs them, and renders replies and errors as Extended JSON. Also serves
// GET /api/v1/health and GET /metrics. Shared by every role; the role's runner decides what
// the commands do. Pure translation: no sockets here (HttpServer carries the bytes).
//
// Thread-safe: handle() may run on many threads at once.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "common/bson.h"
#include "common/net/http_server.h"

namespace mongosd::net {

// Runs one command document and returns MongoDB's reply ({ok: 1, ...} or {ok: 0, ...}).
using CommandRunner = std::function<BsonObj(BsonView cmd, const std::string& peer)>;

class HttpApi {
public:
    HttpApi(std::string role, CommandRunner runner);
    ~HttpApi();

    HttpResponse handle(const HttpRequest& request);

private:
    struct Metrics;
    HttpResponse route(const HttpRequest& request);
    HttpResponse metrics();

    std::string _role;
    CommandRunner _runner;
    std::unique_ptr<Metrics> _metrics;
};

// The API.md error body {"error", "error_code", "code"} with the status's HTTP code.
HttpResponse errorResponse(const Status& status);

}  // namespace mongosd::net
