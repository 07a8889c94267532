// The mongosd backends: the same commands over HTTP (JSON bodies on keep-alive connections) or
// over the binary protocol (OP_MSG). Shapes as MongoDB's YCSB binding sends them:
//   read   {find: t, filter: {_id: key}, limit: 1, singleBatch: true}
//   scan   {find: t, filter: {_id: {$gte: key}}, sort: {_id: 1}, limit: n, batchSize: n}
//   update {update: t, updates: [{q: {_id: key}, u: {$set: {fieldN: v}}}], writeConcern}
//   insert {insert: t, documents: [{_id: key, field0..9}], writeConcern}
// with writeConcern {w: 1, j: true|false} by durability mode.

#include <chrono>

#include "bench/ycsb/db.h"
#include "bench/ycsb/http_connection.h"
#include "common/command_reply.h"
#include "common/json/ejson.h"
#include "common/net/wire_client.h"

namespace mongosd::ycsb {
namespace {

constexpr auto kTimeout = std::chrono::seconds(60);

// Runs one command document and returns the reply document (ok: 0 replies included).
class Transport {
public:
    virtual ~Transport() = default;
    virtual Status connect() = 0;
    virtual StatusWith<BsonObj> run(const BsonObj& cmd) = 0;
};

class WireTransport final : public Transport {
public:
    WireTransport(std::string host, uint16_t port) : _host(std::move(host)), _port(port) {}
    Status connect() override {
        auto c = net::WireClient::connect(_host, _port, kTimeout);
        if (!c.isOK()) return c.getStatus();
        _client = std::move(c.getValue());
        return Status::OK();
    }
    StatusWith<BsonObj> run(const BsonObj& cmd) override {
        // A failed connection stays failed (WireClient's contract): reconnect for the next op.
        if (!_client->isConnected()) MONGOSD_RETURN_IF_ERROR(connect());
        return _client->runCommand(cmd);
    }

private:
    std::string _host;
    uint16_t _port;
    std::unique_ptr<net::WireClient> _client;
};

// An HTTP error body {"error", "error_code", "code"} as a Status.
Status statusFromHttpError(const HttpResponse& r, const BsonObj& body) {
    bson_iter_t it;
    int32_t code = ErrorCodes::InternalError;
    if (body.view().find("code", &it) && BSON_ITER_HOLDS_NUMBER(&it))
        code = static_cast<int32_t>(bson_iter_as_int64(&it));
    std::string message = "HTTP " + std::to_string(r.status);
    if (body.view().find("error", &it) && BSON_ITER_HOLDS_UTF8(&it))
        message += ": " + std::string(bson_iter_utf8(&it, nullptr));
    auto known = ErrorCodes::isKnown(code) ? static_cast<ErrorCodes::Error>(code)
                                           : ErrorCodes::OperationFailed;
    return Status(known, message);
}

class HttpTransport final : public Transport {
public:
    explicit HttpTransport(HttpEndpoint endpoint) : _connection(std::move(endpoint), kTimeout) {}
    Status connect() override { return _connection.connect(); }
    StatusWith<BsonObj> run(const BsonObj& cmd) override {
        _body.clear();
        json::appendJson(cmd, json::JsonMode::kRelaxed, _body);
        auto r = _connection.postJson("/api/v1/command", _body);
        if (!r.isOK()) return r.getStatus();
        auto parsed = json::parseJsonObject(r.getValue().body);
        if (!parsed.isOK()) return parsed.getStatus().withContext("HTTP reply body");
        if (r.getValue().status != 200) return statusFromHttpError(r.getValue(), parsed.getValue());
        return parsed;
    }

private:
    HttpConnection _connection;
    std::string _body;
};

// Counts the fields of a returned record other than _id.
int countFields(BsonView doc) {
    bson_iter_t it;
    int n = 0;
    if (!doc.iterInit(&it)) return -1;
    while (bson_iter_next(&it))
        if (iterKey(it) != "_id") ++n;
    return n;
}

// The cursor.firstBatch array of a find reply.
StatusWith<BsonView> firstBatch(BsonView reply) {
    bson_iter_t it, child;
    if (!reply.find("cursor", &it) || !BSON_ITER_HOLDS_DOCUMENT(&it) ||
        !bson_iter_recurse(&it, &child) || !bson_iter_find(&child, "firstBatch") ||
        !BSON_ITER_HOLDS_ARRAY(&child))
        return Status(ErrorCodes::ProtocolError, "find reply has no cursor.firstBatch");
    return subDocument(child);
}

// writeErrors / writeConcernError in a write reply, and the matched count.
Status checkWriteReply(BsonView reply, const std::string& key) {
    MONGOSD_RETURN_IF_ERROR(statusFromReply(reply));
    bson_iter_t it;
    if (reply.find("writeErrors", &it) && BSON_ITER_HOLDS_ARRAY(&it)) {
        bson_iter_t first;
        if (bson_iter_recurse(&it, &first) && bson_iter_next(&first) &&
            BSON_ITER_HOLDS_DOCUMENT(&first))
            return statusFromReply(subDocument(first)).withContext("writeErrors[0]");
        return Status(ErrorCodes::OperationFailed, "write error");
    }
    if (reply.find("writeConcernError", &it) && BSON_ITER_HOLDS_DOCUMENT(&it))
        return statusFromReply(subDocument(it)).withContext("writeConcernError");
    if (!reply.find("n", &it) || !BSON_ITER_HOLDS_NUMBER(&it))
        return Status(ErrorCodes::ProtocolError, "write reply has no n");
    if (bson_iter_as_int64(&it) != 1) return Status(ErrorCodes::NoSuchKey, "no record " + key);
    return Status::OK();
}

class MongosdDb final : public Db {
public:
    MongosdDb(const DbOptions& options, std::unique_ptr<Transport> transport)
        : _options(options), _transport(std::move(transport)) {}

    Status init() override { return _transport->connect(); }

    Status read(const std::string& table, const std::string& key) override {
        BsonBuilder b;
        b.appendString("find", table);
        b.appendDocument("filter", [&](BsonBuilder& f) { f.appendString("_id", key); });
        b.appendInt32("limit", 1);
        b.appendBool("singleBatch", true);
        b.appendString("$db", _options.database);
        auto reply = runChecked(b.obj());
        if (!reply.isOK()) return reply.getStatus();
        auto batch = firstBatch(reply.getValue());
        if (!batch.isOK()) return batch.getStatus();
        bson_iter_t it;
        if (!batch.getValue().iterInit(&it) || !bson_iter_next(&it))
            return Status(ErrorCodes::NoSuchKey, "no record " + key);
        if (!BSON_ITER_HOLDS_DOCUMENT(&it) || countFields(subDocument(it)) != _options.fieldCount)
            return Status(ErrorCodes::OperationFailed, "record " + key + " lacks fields");
        return Status::OK();
    }

    Status scan(const std::string& table, const std::string& startKey, uint64_t count,
                uint64_t* found) override {
        BsonBuilder b;
        b.appendString("find", table);
        b.appendDocument("filter", [&](BsonBuilder& f) {
            f.appendDocument("_id", [&](BsonBuilder& r) { r.appendString("$gte", startKey); });
        });
        b.appendDocument("sort", [](BsonBuilder& s) { s.appendInt32("_id", 1); });
        b.appendInt64("limit", static_cast<int64_t>(count));
        b.appendInt64("batchSize", static_cast<int64_t>(count));
        b.appendBool("singleBatch", true);
        b.appendString("$db", _options.database);
        auto reply = runChecked(b.obj());
        if (!reply.isOK()) return reply.getStatus();
        auto batch = firstBatch(reply.getValue());
        if (!batch.isOK()) return batch.getStatus();
        bson_iter_t it;
        *found = 0;
        batch.getValue().iterInit(&it);
        while (bson_iter_next(&it)) {
            if (!BSON_ITER_HOLDS_DOCUMENT(&it) ||
                countFields(subDocument(it)) != _options.fieldCount)
                return Status(ErrorCodes::OperationFailed, "scanned record lacks fields");
            ++*found;
        }
        return Status::OK();
    }

    Status update(const std::string& table, const std::string& key, const Fields& values) override {
        BsonBuilder b;
        b.appendString("update", table);
        b.appendArray("updates", [&](BsonBuilder& arr) {
            arr.appendDocument("0", [&](BsonBuilder& u) {
                u.appendDocument("q", [&](BsonBuilder& q) { q.appendString("_id", key); });
                u.appendDocument("u", [&](BsonBuilder& op) {
                    op.appendDocument("$set", [&](BsonBuilder& set) {
                        for (const auto& [name, value] : values) set.appendString(name, value);
                    });
                });
            });
        });
        return sendWrite(b, key);
    }

    Status insert(const std::string& table, const std::string& key, const Fields& values) override {
        BsonBuilder b;
        b.appendString("insert", table);
        b.appendArray("documents", [&](BsonBuilder& arr) {
            arr.appendDocument("0", [&](BsonBuilder& d) {
                d.appendString("_id", key);
                for (const auto& [name, value] : values) d.appendString(name, value);
            });
        });
        return sendWrite(b, key);
    }

private:
    // Adds the write concern and $db to a write command, sends it and checks its reply.
    Status sendWrite(BsonBuilder& b, const std::string& key) {
        appendWriteConcern(b);
        b.appendString("$db", _options.database);
        auto reply = runChecked(b.obj());
        if (!reply.isOK()) return reply.getStatus();
        return checkWriteReply(reply.getValue(), key);
    }

    void appendWriteConcern(BsonBuilder& b) {
        b.appendDocument("writeConcern", [&](BsonBuilder& wc) {
            wc.appendInt32("w", 1);
            wc.appendBool("j", _options.durability == Durability::kDurable);
        });
    }

    // The reply of a command that answered ok: 1.
    StatusWith<BsonObj> runChecked(const BsonObj& cmd) {
        auto reply = _transport->run(cmd);
        if (!reply.isOK()) return reply;
        MONGOSD_RETURN_IF_ERROR(statusFromReply(reply.getValue()));
        return reply;
    }

    DbOptions _options;
    std::unique_ptr<Transport> _transport;
};

}  // namespace

std::unique_ptr<Db> makeMongosdDb(const DbOptions& options) {
    std::unique_ptr<Transport> transport;
    if (options.kind == "mongosd-wire") {
        transport = std::make_unique<WireTransport>(options.host, options.port);
    } else {
        auto endpoint = parseHttpUrl(options.url);
        invariant(endpoint.isOK());  // makeDb() checked it
        transport = std::make_unique<HttpTransport>(endpoint.getValue());
    }
    return std::make_unique<MongosdDb>(options, std::move(transport));
}

}  // namespace mongosd::ycsb
