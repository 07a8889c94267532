// The shell's HTTP transport against a scripted server on a loopback socket: response framing
// (Content-Length, chunked, to end of connection), error bodies turned into MongoDB replies,
// reconnecting after the server closed the connection, and malformed responses.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include "common/json/ejson.h"
#include "shell/command_transport.h"

namespace mongosd::shell {
namespace {

TEST(HttpUrl, Forms) {
    auto u = parseHttpUrl("http://127.0.0.1:8080");
    ASSERT_TRUE(u.isOK());
    EXPECT_EQ(u.getValue().host, "127.0.0.1");
    EXPECT_EQ(u.getValue().port, 8080);
    EXPECT_EQ(u.getValue().database, "");
    u = parseHttpUrl("localhost:9000/stargrad/");
    ASSERT_TRUE(u.isOK());
    EXPECT_EQ(u.getValue().host, "localhost");
    EXPECT_EQ(u.getValue().port, 9000);
    EXPECT_EQ(u.getValue().database, "stargrad");
    u = parseHttpUrl("example");
    ASSERT_TRUE(u.isOK());
    EXPECT_EQ(u.getValue().port, 8080);
    for (const char* bad : {"https://h:1", "mongodb://h", "h:0", "h:70000", "h:x", ":80",
                            "http://h:1/a/b"}) {
        EXPECT_EQ(parseHttpUrl(bad).getStatus().code(), ErrorCodes::BadValue) << bad;
    }
}

// Accepts connections and answers each request with the next canned response; `closeAfter`
// closes the connection after that response. Counts the connections it accepted.
class ScriptedServer {
public:
    struct Response {
        std::string bytes;
        bool closeAfter = false;
    };
    explicit ScriptedServer(std::vector<Response> responses) : _responses(std::move(responses)) {
        _listener = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(_listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        listen(_listener, 4);
        socklen_t len = sizeof addr;
        getsockname(_listener, reinterpret_cast<sockaddr*>(&addr), &len);
        _port = ntohs(addr.sin_port);
        _thread = std::thread([this] { serve(); });
    }
    ~ScriptedServer() {
        shutdown(_listener, SHUT_RDWR);
        close(_listener);
        _thread.join();
    }
    uint16_t port() const { return _port; }
    int connections() const { return _connections; }
    const std::vector<std::string>& requests() const { return _requests; }

private:
    void serve() {
        size_t next = 0;
        while (next < _responses.size()) {
            int fd = accept(_listener, nullptr, nullptr);
            if (fd < 0) return;
            ++_connections;
            while (next < _responses.size()) {
                std::string request;
                char buf[4096];
                // Headers, then Content-Length bytes of body.
                while (request.find("\r\n\r\n") == std::string::npos) {
                    ssize_t n = read(fd, buf, sizeof buf);
                    if (n <= 0) break;
                    request.append(buf, size_t(n));
                }
                size_t headerEnd = request.find("\r\n\r\n");
                if (headerEnd == std::string::npos) break;
                size_t lengthAt = request.find("Content-Length: ");
                size_t length = lengthAt == std::string::npos ? 0 : std::stoul(request.substr(lengthAt + 16));
                while (request.size() < headerEnd + 4 + length) {
                    ssize_t n = read(fd, buf, sizeof buf);
                    if (n <= 0) break;
                    request.append(buf, size_t(n));
                }
                _requests.push_back(request);
                const Response& r = _responses[next++];
                (void)!write(fd, r.bytes.data(), r.bytes.size());
                if (r.closeAfter) break;
            }
            close(fd);
        }
    }

    std::vector<Response> _responses;
    int _listener = -1;
    uint16_t _port = 0;
    std::thread _thread;
    std::atomic<int> _connections{0};
    std::vector<std::string> _requests;
};

std::string http200(const std::string& body, const std::string& extraHeaders = "") {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extraHeaders +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

BsonObj pingCommand() {
    BsonBuilder b;
    b.appendInt32("ping", 1).appendString("$db", "admin");
    return b.obj();
}

TEST(HttpCommandClient, FramingErrorsAndReconnects) {
    ScriptedServer server({
        {http200(R"({"ok":1,"n":{"$numberLong":"5"}})")},
        // chunked, split mid-document
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "6\r\n{\"ok\":\r\nA;ext=1\r\n1,\"big\":[1\r\n2\r\n]}\r\n0\r\n\r\n"},
        // an API error body; the server then closes the connection
        {"HTTP/1.1 409 Conflict\r\nContent-Length: 120\r\nConnection: close\r\n\r\n"
         R"({"error":"E11000 duplicate key","error_code":"DuplicateKey","code":11000,"n":0,)"
         R"("writeErrors":[{"index":0,"code":11000}]}       )",
         true},
        // on a new connection: no length, body to the end of the connection
        {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"ok\":1,\"last\":true}",
         true},
        {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nnot", true},
        // a chunk size that would wrap a size_t sum
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n"
         "ffffffffffffffff\r\nx\r\n",
         true},
        {"SMTP ready\r\n\r\n", true},
    });
    HttpCommandClient client({"127.0.0.1", server.port(), ""}, std::chrono::seconds(10));

    auto r = client.runCommand(pingCommand().view());
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(json::toJson(r.getValue().view(), json::JsonMode::kCanonical),
              R"({"ok":{"$numberInt":"1"},"n":{"$numberLong":"5"}})");
    const std::string& request = server.requests().at(0);
    EXPECT_EQ(request.rfind("POST /api/v1/command HTTP/1.1\r\n", 0), 0u) << request;
    EXPECT_NE(request.find("Accept: application/ejson\r\n"), std::string::npos);
    EXPECT_NE(request.find(R"({"ping":{"$numberInt":"1"},"$db":"admin"})"), std::string::npos);

    r = client.runCommand(pingCommand().view());
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(json::toJson(r.getValue().view()), R"({"ok":1,"big":[1]})");

    r = client.runCommand(pingCommand().view());
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(json::toJson(r.getValue().view()),
              R"({"ok":0.0,"errmsg":"E11000 duplicate key","code":11000,"codeName":"DuplicateKey",)"
              R"("n":0,"writeErrors":[{"index":0,"code":11000}]})");

    r = client.runCommand(pingCommand().view());
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(json::toJson(r.getValue().view()), R"({"ok":1,"last":true})");

    for (int i = 0; i < 3; ++i) {
        r = client.runCommand(pingCommand().view());
        EXPECT_EQ(r.getStatus().code(), ErrorCodes::ProtocolError) << r.getStatus().toString();
    }
    // Requests 1-3 shared a connection; each later one needed a new connection.
    EXPECT_EQ(server.connections(), 5);
}

}  // namespace
}  // namespace mongosd::shell
