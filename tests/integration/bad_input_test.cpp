// Hostile and malformed input through HTTP and the binary protocol: each gets the documented
// MongoDB error code and HTTP status, and the server keeps serving afterwards.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>

#include "tests/support/json_util.h"
#include "tests/support/server_process.h"

namespace mongosd::test {
namespace {

class BadInput : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir = new TempDir();
        server = new ServerProcess(dir->path() + "/db");
    }
    static void TearDownTestSuite() {
        delete server;
        delete dir;
    }
    void SetUp() override { http = std::make_unique<HttpClient>(server->httpPort()); }
    void TearDown() override {
        // After every hostile request the server still answers a fresh client.
        HttpClient fresh(server->httpPort());
        auto r = fresh.get("/api/v1/health");
        EXPECT_EQ(r.status, 200) << "server stopped serving";
        EXPECT_TRUE(server->running());
    }
    void expectError(const HttpResult& r, int http, const std::string& codeName, int code) {
        EXPECT_EQ(r.status, http) << r.body;
        ASSERT_FALSE(r.body.empty());
        BsonObj b = parseJson(r.body);
        EXPECT_EQ(getString(b, "error_code"), codeName) << r.body;
        EXPECT_EQ(getInt(b, "code"), code) << r.body;
        EXPECT_TRUE(getString(b, "error").has_value()) << r.body;
        EXPECT_EQ(r.body.find("stack"), std::string::npos);
    }
    HttpResult insertOne(const std::string& docJson) {
        return http->post("/api/v1/action/insertOne",
                          R"({"database": "t", "collection": "c", "document": )" + docJson + "}");
    }

    static TempDir* dir;
    static ServerProcess* server;
    std::unique_ptr<HttpClient> http;
};

TempDir* BadInput::dir = nullptr;
ServerProcess* BadInput::server = nullptr;

TEST_F(BadInput, MalformedJson) {
    expectError(http->post("/api/v1/action/find", R"({"database": "t", "collection": )"), 400,
                "FailedToParse", 9);
    expectError(http->post("/api/v1/command", "not json at all"), 400, "FailedToParse", 9);
    expectError(http->post("/api/v1/command", "[1, 2]"), 400, "FailedToParse", 9);
}

TEST_F(BadInput, TruncatedBody) {
    std::string body = R"({"database": "t", "collection": "c", "document": {"a": 1)";
    expectError(http->post("/api/v1/action/insertOne", body), 400, "FailedToParse", 9);
    // A body shorter than its Content-Length, then the client goes away.
    auto r = http->raw("POST /api/v1/command HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 100\r\n\r\n{\"ping\": 1",
                       std::chrono::seconds(5));
    EXPECT_NE(r.status, 200);
}

TEST_F(BadInput, WrongFieldTypes) {
    expectError(http->post("/api/v1/action/find", R"({"database": "t", "collection": "c", "filter": 5})"),
                400, "TypeMismatch", 14);
    expectError(http->post("/api/v1/action/find", R"({"database": 7, "collection": "c"})"), 400,
                "TypeMismatch", 14);
    expectError(http->post("/api/v1/command", R"({"find": "c", "limit": "ten", "$db": "t"})"), 400,
                "TypeMismatch", 14);
    expectError(http->post("/api/v1/action/updateOne",
                           R"({"database": "t", "collection": "c", "filter": {}, "update": {"$inc": {"n": "x"}}})"),
                400, "TypeMismatch", 14);
    expectError(http->post("/api/v1/action/find", R"({"database": "t", "collection": "c", "filtr": {}})"),
                400, "BadValue", 2);
}

TEST_F(BadInput, UnknownActionCommandRouteAndOperator) {
    expectError(http->post("/api/v1/action/frobnicate", R"({"database": "t", "collection": "c"})"), 404,
                "CommandNotFound", 59);
    expectError(http->post("/api/v1/command", R"({"frobnicate": 1, "$db": "t"})"), 404, "CommandNotFound", 59);
    expectError(http->get("/no/such/route"), 404, "CommandNotFound", 59);
    expectError(http->post("/api/v1/action/find", R"({"database": "t", "collection": "c", "filter": {"a": {"$bogus": 1}}})"),
                400, "BadValue", 2);
    expectError(http->post("/api/v1/action/updateOne",
                           R"({"database": "t", "collection": "c", "filter": {}, "update": {"$bogus": {"a": 1}}})"),
                400, "FailedToParse", 9);
}

TEST_F(BadInput, BadReadAndWriteOptions) {
    expectError(http->post("/api/v1/action/find",
                           R"({"database": "t", "collection": "c", "readConcern": {"level": "eventual"}})"),
                400, "FailedToParse", 9);
    expectError(http->post("/api/v1/action/find",
                           R"({"database": "t", "collection": "c", "readPreference": "closest"})"),
                400, "FailedToParse", 9);
    expectError(http->post("/api/v1/action/insertOne",
                           R"({"database": "t", "collection": "c", "document": {}, "writeConcern": {"w": "all"}})"),
                400, "BadValue", 2);
    expectError(http->post("/api/v1/action/find",
                           R"({"database": "t", "collection": "c", "maxTimeMS": -1})"),
                400, "BadValue", 2);
    // Valid ones are accepted.
    EXPECT_EQ(http->post("/api/v1/action/find",
                         R"({"database": "t", "collection": "c", "readConcern": {"level": "majority"}, "readPreference": {"mode": "primaryPreferred"}})")
                  .status,
              200);
}

TEST_F(BadInput, UnsupportedContentType) {
    auto r = http->post("/api/v1/command", R"({"ping": 1, "$db": "t"})", "text/plain");
    expectError(r, 415, "UnsupportedFormat", 12);
}

TEST_F(BadInput, DuplicateKey) {
    ASSERT_EQ(insertOne(R"({"_id": "dup", "v": 1})").status, 200);
    auto r = insertOne(R"({"_id": "dup", "v": 2})");
    expectError(r, 409, "DuplicateKey", 11000);
    // _id 1 and 1.0 are the same key, as in MongoDB.
    ASSERT_EQ(insertOne(R"({"_id": 1})").status, 200);
    expectError(insertOne(R"({"_id": 1.0})"), 409, "DuplicateKey", 11000);

    // insertMany reports the failing index and what did succeed.
    auto many = http->post("/api/v1/action/insertMany",
                           R"({"database": "t", "collection": "c", "documents": [{"_id": "m1"}, {"_id": "dup"}, {"_id": "m3"}]})");
    expectError(many, 409, "DuplicateKey", 11000);
    BsonObj b = parseJson(many.body);
    EXPECT_EQ(getInt(b, "writeErrors.0.index"), 1);
    EXPECT_EQ(getInt(b, "writeErrors.0.code"), 11000);
    EXPECT_EQ(countAt(b, "insertedIds"), 1);  // ordered: stops at the duplicate
    EXPECT_EQ(getString(b, "insertedIds.0"), "m1");

    auto unordered = http->post("/api/v1/action/insertMany",
                                R"({"database": "t", "collection": "c", "ordered": false, "documents": [{"_id": "u1"}, {"_id": "dup"}, {"_id": "u3"}]})");
    expectError(unordered, 409, "DuplicateKey", 11000);
    EXPECT_EQ(countAt(parseJson(unordered.body), "insertedIds"), 2);
}

TEST_F(BadInput, DocumentOver16MiB) {
    std::string big(17 * 1024 * 1024, 'x');
    auto r = insertOne(R"({"blob": ")" + big + "\"}");
    expectError(r, 413, "BSONObjectTooLarge", 10334);
}

TEST_F(BadInput, BodyOver48MB) {
    std::string big(49 * 1000 * 1000, 'x');
    auto r = insertOne(R"({"blob": ")" + big + "\"}");
    EXPECT_EQ(r.status, 413) << r.body.substr(0, 200);
}

TEST_F(BadInput, NestingDepth) {
    auto nested = [](int depth) {
        std::string s;
        for (int i = 0; i < depth; ++i) s += R"({"a": )";
        s += "1";
        for (int i = 0; i < depth; ++i) s += "}";
        return s;
    };
    // A document may nest 100 levels (itself being level 1), not 101.
    EXPECT_EQ(insertOne(nested(100)).status, 200);
    auto r = insertOne(nested(101));
    expectError(r, 400, "Overflow", 15);
    // Very deep input must not crash the parser.
    expectError(insertOne(std::string(100000, '[')), 400, "Overflow", 15);
}

TEST_F(BadInput, InvalidUtf8) {
    std::string body = R"({"database": "t", "collection": "c", "document": {"s": ")";
    body += "\xff\xfe\xfd";
    body += "\"}}";
    expectError(http->post("/api/v1/action/insertOne", body), 400, "FailedToParse", 9);
}

TEST_F(BadInput, DuplicateJsonKeys) {
    expectError(insertOne(R"({"a": 1, "a": 2})"), 400, "BadValue", 2);
}

TEST_F(BadInput, InvalidIdAndFieldNames) {
    expectError(insertOne(R"({"_id": [1, 2]})"), 400, "InvalidIdField", 53);
    expectError(insertOne(R"({"$set": 1})"), 400, "DollarPrefixedFieldName", 52);
    insertOne(R"({"_id": "immutable"})");
    expectError(http->post("/api/v1/action/updateOne",
                           R"({"database": "t", "collection": "c", "filter": {"_id": "immutable"}, "update": {"$set": {"_id": "other"}}})"),
                400, "ImmutableField", 66);
}

int connectTcp(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

TEST_F(BadInput, BinaryMessageWithLyingLength) {
    // Header claims 1000 bytes of OP_MSG, the body is a 5-byte document and then nothing.
    int fd = connectTcp(server->port());
    ASSERT_GE(fd, 0);
    uint8_t msg[26] = {0};
    int32_t len = 1000, reqId = 1, respTo = 0, op = 2013;
    std::memcpy(msg, &len, 4);
    std::memcpy(msg + 4, &reqId, 4);
    std::memcpy(msg + 8, &respTo, 4);
    std::memcpy(msg + 12, &op, 4);
    // flags (4 bytes of 0), section kind 0, then {} as BSON
    msg[20] = 0;
    msg[21] = 5;
    ASSERT_EQ(send(fd, msg, sizeof(msg), MSG_NOSIGNAL), static_cast<ssize_t>(sizeof(msg)));
    shutdown(fd, SHUT_WR);
    char buf[256];
    // The server must close the connection (with or without an error reply), not hang.
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssize_t n;
    do {
        n = recv(fd, buf, sizeof(buf), 0);
    } while (n > 0);
    EXPECT_EQ(n, 0) << "connection not closed by the server";
    close(fd);

    // A header that claims a negative length and one that claims 2 GB.
    for (int32_t bad : {-5, 2'000'000'000, 3}) {
        fd = connectTcp(server->port());
        ASSERT_GE(fd, 0);
        std::memcpy(msg, &bad, 4);
        send(fd, msg, 16, MSG_NOSIGNAL);
        do {
            n = recv(fd, buf, sizeof(buf), 0);
        } while (n > 0);
        close(fd);
    }
}

}  // namespace
}  // namespace mongosd::test
