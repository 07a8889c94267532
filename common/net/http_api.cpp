#include "common/net/http_api.h"

#include <array>
#include <mutex>

#include "common/command_reply.h"
#include "common/json/ejson.h"
#include "common/net/data_api.h"
#include "common/version.h"

namespace mongosd::net {
namespace {

constexpr std::string_view kActionPrefix = "/api/v1/action/";
constexpr size_t kMaxHttpBodyBytes = 48'000'000;

using json::JsonMode;

std::string_view pathOf(std::string_view target) {
    size_t q = target.find('?');
    return q == std::string_view::npos ? target : target.substr(0, q);
}

bool isJsonContentType(std::string_view ct) {
    // "application/json", optionally with parameters such as "; charset=utf-8".
    size_t semi = ct.find(';');
    std::string_view type = ct.substr(0, semi);
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    return type == "application/json" || type == "application/ejson";
}

JsonMode modeFor(const HttpRequest& req) {
    return req.accept.find("application/ejson") != std::string::npos ? JsonMode::kCanonical
                                                                      : JsonMode::kRelaxed;
}

HttpResponse jsonResponse(int status, BsonView body, JsonMode mode) {
    HttpResponse r;
    r.status = status;
    r.contentType = "application/json";
    r.body.reserve(body.size() + 64);
    json::appendJson(body, mode, r.body);
    return r;
}

StatusWith<BsonObj> parseBody(const HttpRequest& req) {
    if (!isJsonContentType(req.contentType))
        return Status(ErrorCodes::UnsupportedFormat,
                      "Content-Type must be application/json, got '" + req.contentType + "'");
    if (req.body.empty()) return Status(ErrorCodes::FailedToParse, "the request body is empty");
    // The body may carry many documents (insertMany) up to the 48 MB request limit; each user
    // document is held to 16 MiB and 100 levels where it is stored.
    json::JsonParseLimits limits;
    limits.maxDepth = kMaxCommandDepth;
    limits.maxBsonSize = kMaxHttpBodyBytes;
    return json::parseJsonObject(req.body, limits);
}

// The first entry of a reply's writeErrors as a Status, or OK. An entry
// {index, code, codeName, errmsg} has no "ok", so statusFromReply reads its code and message.
Status firstWriteError(BsonView reply) {
    bson_iter_t errs, first;
    if (!reply.find("writeErrors", &errs) || !BSON_ITER_HOLDS_ARRAY(&errs)) return Status::OK();
    if (!bson_iter_recurse(&errs, &first) || !bson_iter_next(&first) ||
        !BSON_ITER_HOLDS_DOCUMENT(&first))
        return Status::OK();
    return statusFromReply(subDocument(first));
}

// An error body carrying extra fields (writeErrors, what did succeed) beside the API.md trio.
HttpResponse errorWithExtras(const Status& st, BsonView extras, JsonMode mode) {
    BsonBuilder b;
    b.appendString("error", st.reason());
    b.appendString("error_code", st.codeName());
    b.appendInt32("code", st.code());
    bson_iter_t it;
    extras.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view k = iterKey(it);
        if (k == "error" || k == "error_code" || k == "code" || k == "ok" || k == "errmsg" ||
            k == "codeName")
            continue;
        b.appendIter(k, it);
    }
    return jsonResponse(ErrorCodes::httpStatus(st.code()), b.obj(), mode);
}

}  // namespace

HttpResponse errorResponse(const Status& status) {
    return errorWithExtras(status, BsonView(), JsonMode::kRelaxed);
}

struct HttpApi::Metrics {
    static constexpr std::array<int, 10> kStatuses = {200, 400, 401, 403, 404, 409, 413, 415, 500, 503};
    std::array<std::atomic<uint64_t>, kStatuses.size() + 1> byStatus{};
    std::atomic<uint64_t> requests{0};

    void count(int status) {
        requests.fetch_add(1, std::memory_order_relaxed);
        for (size_t i = 0; i < kStatuses.size(); ++i)
            if (kStatuses[i] == status) {
                byStatus[i].fetch_add(1, std::memory_order_relaxed);
                return;
            }
        byStatus[kStatuses.size()].fetch_add(1, std::memory_order_relaxed);
    }
};

HttpApi::HttpApi(std::string role, CommandRunner runner)
    : _role(std::move(role)), _runner(std::move(runner)), _metrics(std::make_unique<Metrics>()) {}

HttpApi::~HttpApi() = default;

HttpResponse HttpApi::handle(const HttpRequest& request) {
    HttpResponse r = route(request);
    _metrics->count(r.status);
    return r;
}

HttpResponse HttpApi::route(const HttpRequest& req) {
    std::string_view path = pathOf(req.target);
    JsonMode mode = modeFor(req);
    if (path == "/api/v1/health" && (req.method == "GET" || req.method == "HEAD")) {
        BsonBuilder b;
        b.appendInt32("ok", 1).appendString("role", _role).appendString("version", kMongosdVersion);
        return jsonResponse(200, b.obj(), mode);
    }
    if (path == "/metrics" && req.method == "GET") return metrics();

    bool isCommand = path == "/api/v1/command";
    bool isAction = path.substr(0, kActionPrefix.size()) == kActionPrefix;
    if (!isCommand && !isAction)
        return errorResponse(Status(ErrorCodes::CommandNotFound,
                                    "no route for " + req.method + " " + std::string(path)));
    if (req.method != "POST")
        return errorResponse(Status(ErrorCodes::CommandNotFound,
                                    std::string(path) + " accepts POST only"));

    const DataAction* action = nullptr;
    if (isAction) {
        std::string_view name = path.substr(kActionPrefix.size());
        action = findDataAction(name);
        if (!action)
            return errorResponse(
                Status(ErrorCodes::CommandNotFound, "no such action: '" + std::string(name) + "'"));
    }
    auto body = parseBody(req);
    if (!body.isOK()) return errorResponse(body.getStatus());

    BsonObj cmd = body.getValue();
    if (action) {
        auto built = action->toCommand(body.getValue());
        if (!built.isOK()) return errorResponse(built.getStatus());
        cmd = std::move(built.getValue());
    }
    BsonObj reply = _runner(cmd, req.peer);
    Status st = statusFromReply(reply);
    if (!st.isOK()) return errorWithExtras(st, BsonView(), mode);

    BsonObj out = action ? action->toResponse(cmd, reply) : reply;
    Status writeError = firstWriteError(reply);
    if (!writeError.isOK()) {
        // Partial failure: the error status, the write errors, and what did succeed.
        BsonBuilder extras;
        extras.appendAll(out.view());
        if (action) {
            bson_iter_t we;
            if (reply.view().find("writeErrors", &we)) extras.appendIter("writeErrors", we);
        }
        return errorWithExtras(writeError, extras.obj(), mode);
    }
    return jsonResponse(200, out, mode);
}

HttpResponse HttpApi::metrics() {
    HttpResponse r;
    r.contentType = "text/plain; version=0.0.4";
    std::string& s = r.body;
    s += "# HELP mongosd_http_requests_total HTTP requests served, by status.\n";
    s += "# TYPE mongosd_http_requests_total counter\n";
    for (size_t i = 0; i < Metrics::kStatuses.size(); ++i)
        s += "mongosd_http_requests_total{status=\"" + std::to_string(Metrics::kStatuses[i]) +
             "\"} " + std::to_string(_metrics->byStatus[i].load()) + "\n";
    s += "mongosd_http_requests_total{status=\"other\"} " +
         std::to_string(_metrics->byStatus[Metrics::kStatuses.size()].load()) + "\n";

    BsonBuilder cmd;
    cmd.appendInt32("serverStatus", 1).appendString("$db", "admin");
    BsonObj status = _runner(cmd.obj(), "metrics");
    bson_iter_t it, sub;
    if (status.view().find("opcounters", &it) && bson_iter_recurse(&it, &sub)) {
        s += "# HELP mongosd_opcounters_total Operations by type since start.\n";
        s += "# TYPE mongosd_opcounters_total counter\n";
        while (bson_iter_next(&sub))
            s += "mongosd_opcounters_total{type=\"" + std::string(iterKey(sub)) + "\"} " +
                 std::to_string(bson_iter_as_int64(&sub)) + "\n";
    }
    if (status.view().find("uptime", &it)) {
        s += "# TYPE mongosd_uptime_seconds gauge\n";
        s += "mongosd_uptime_seconds " + std::to_string(bson_iter_as_int64(&it)) + "\n";
    }
    s += "# TYPE mongosd_info gauge\n";
    s += "mongosd_info{role=\"" + _role + "\",version=\"" + kMongosdVersion + "\"} 1\n";
    return r;
}

}  // namespace mongosd::net
