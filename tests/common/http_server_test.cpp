#include "common/net/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "tests/common/http_test_client.h"

namespace mongosd::net {
namespace {

using namespace std::chrono_literals;
using testing::HttpTestClient;
using testing::RawHttpResponse;

// Echoes the request; a few targets misbehave on purpose.
HttpResponse echoHandler(const HttpRequest& req) {
    if (req.target == "/throw") throw std::runtime_error("secret internal detail");
    if (req.target == "/big") return HttpResponse{200, "text/plain", std::string(8 << 20, 'x'), {}};
    HttpResponse r;
    r.contentType = "text/plain";
    r.body = req.method + " " + req.target + " [" + req.body + "] ct=" + req.contentType +
             " accept=" + req.accept;
    r.headers.push_back({"X-Peer", req.peer});
    r.headers.push_back({"X-Saw-Auth", std::string(req.header("authorization"))});
    r.headers.push_back({"X-Bad", "a\r\nInjected: yes"});
    return r;
}

class HttpServerTest : public ::testing::Test {
protected:
    void startServer(HttpServerOptions options = {}, HttpHandler handler = echoHandler) {
        auto s = HttpServer::start(std::move(options), std::move(handler));
        ASSERT_TRUE(s.isOK()) << s.getStatus().toString();
        _server = std::move(s.getValue());
        ASSERT_NE(_server->port(), 0);
    }
    void TearDown() override {
        if (_server) _server->stop();
    }
    HttpTestClient client() { return HttpTestClient::open(_server->port()); }

    std::unique_ptr<HttpServer> _server;
};

std::string get(const std::string& target, const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

std::string post(const std::string& target, const std::string& body) {
    return "POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" +
           "Accept: application/ejson\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

TEST_F(HttpServerTest, ServesGetAndPost) {
    startServer();
    HttpTestClient c = client();
    auto r = c.request(get("/api/v1/health?x=1"));
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().status, 200);
    EXPECT_EQ(r.getValue().body, "GET /api/v1/health?x=1 [] ct= accept=");
    EXPECT_EQ(r.getValue().header("content-type"), "text/plain");
    EXPECT_EQ(r.getValue().header("x-peer").rfind("127.0.0.1:", 0), 0u);
    EXPECT_EQ(r.getValue().header("x-bad"), "");  // CR/LF in a value: dropped
    EXPECT_EQ(r.getValue().header("injected"), "");
    EXPECT_EQ(r.getValue().header("x-saw-auth"), "");

    r = c.request(get("/auth", "Authorization: Bearer t0k3n\r\n"));
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().header("x-saw-auth"), "Bearer t0k3n");

    r = c.request(post("/api/v1/command", R"({"ping":1})"));
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().status, 200);
    EXPECT_EQ(r.getValue().body,
              R"(POST /api/v1/command [{"ping":1}] ct=application/json accept=application/ejson)");
}

TEST_F(HttpServerTest, HeadGetsHeadersWithoutBody) {
    startServer();
    HttpTestClient c = client();
    ASSERT_TRUE(c.send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n").isOK());
    // The client reads Content-Length bytes, so read the raw head and check nothing follows.
    std::string expectedBody = "HEAD /h [] ct= accept=";
    std::string raw;
    uint8_t buf[4096];
    while (raw.find("\r\n\r\n") == std::string::npos) {
        auto n = c.socket().recvSome(buf, sizeof(buf), deadlineAfter(5s));
        ASSERT_TRUE(n.isOK() && n.getValue() > 0);
        raw.append(reinterpret_cast<const char*>(buf), n.getValue());
    }
    EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
    EXPECT_NE(raw.find("Content-Length: " + std::to_string(expectedBody.size())), std::string::npos)
        << raw;
    EXPECT_EQ(raw.substr(raw.find("\r\n\r\n") + 4), "");
    auto next = c.request(get("/after-head"));  // nothing stray left on the connection
    ASSERT_TRUE(next.isOK()) << next.getStatus().toString();
    EXPECT_EQ(next.getValue().body.substr(0, 15), "GET /after-head");
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
    startServer();
    HttpTestClient c = client();
    for (int i = 0; i < 20; ++i) {
        auto r = c.request(post("/n", std::to_string(i)));
        ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
        EXPECT_EQ(r.getValue().body, "POST /n [" + std::to_string(i) +
                                         "] ct=application/json "
                                         "accept=application/ejson");
    }
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
    startServer();
    HttpTestClient c = client();
    ASSERT_TRUE(c.send(get("/1") + post("/2", "two") + get("/3")).isOK());
    for (std::string target : {"/1", "/2", "/3"}) {
        auto r = c.read();
        ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
        std::string expected = (target == "/2" ? "POST " : "GET ") + target + " ";
        EXPECT_EQ(r.getValue().body.substr(0, expected.size()), expected);
    }
}

TEST_F(HttpServerTest, ChunkedBody) {
    startServer();
    HttpTestClient c = client();
    auto r = c.request(
        "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().body, "POST /c [hello world] ct= accept=");
}

TEST_F(HttpServerTest, ExpectContinueIsAnswered) {
    startServer();
    HttpTestClient c = client();
    ASSERT_TRUE(c.send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                       "Content-Length: 3\r\n\r\n")
                    .isOK());
    auto cont = c.read();
    ASSERT_TRUE(cont.isOK()) << cont.getStatus().toString();
    EXPECT_EQ(cont.getValue().status, 100);
    auto r = c.request("abc");
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().body, "POST /e [abc] ct= accept=");
}

void expectErrorBody(const RawHttpResponse& r, const std::string& codeName, int code) {
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_NE(r.body.find("\"error\":"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("\"error_code\":\"" + codeName + "\""), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("\"code\":" + std::to_string(code) + "}"), std::string::npos) << r.body;
}

TEST_F(HttpServerTest, BodyOverLimitGets413AndClose) {
    HttpServerOptions o;
    o.maxBodyBytes = 100;
    startServer(o);
    {
        HttpTestClient c = client();
        auto r = c.request(post("/big", std::string(1000, 'a')));
        ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
        EXPECT_EQ(r.getValue().status, 413);
        expectErrorBody(r.getValue(), "BSONObjectTooLarge", 10334);
        EXPECT_TRUE(c.closedByPeer());
    }
    {
        HttpTestClient c = client();  // chunked: the limit trips mid-body
        std::string chunk = "40\r\n" + std::string(64, 'b') + "\r\n";
        auto r = c.request("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                           chunk + chunk + chunk + "0\r\n\r\n");
        ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
        EXPECT_EQ(r.getValue().status, 413);
        EXPECT_TRUE(c.closedByPeer());
    }
    auto ok = client().request(post("/small", std::string(100, 'c')));  // at the limit: fine
    ASSERT_TRUE(ok.isOK()) << ok.getStatus().toString();
    EXPECT_EQ(ok.getValue().status, 200);
}

TEST_F(HttpServerTest, MalformedRequestGets400AndClose) {
    startServer();
    for (std::string bad :
         {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
          std::string("POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n"),
          std::string("GET / HTTP/9.9\r\n\r\n")}) {
        HttpTestClient c = client();
        auto r = c.request(bad);
        ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
        EXPECT_EQ(r.getValue().status, 400) << bad;
        expectErrorBody(r.getValue(), "FailedToParse", 9);
        EXPECT_TRUE(c.closedByPeer());
    }
}

TEST_F(HttpServerTest, OversizedHeadersGet431) {
    startServer();
    HttpTestClient c = client();
    auto r = c.request(get("/", "X-Huge: " + std::string(70 * 1024, 'h') + "\r\n"));
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().status, 431);
    expectErrorBody(r.getValue(), "BadValue", 2);
}

TEST_F(HttpServerTest, DroppedClientsDoNotHurtTheServer) {
    startServer();
    {
        HttpTestClient c = client();  // disconnects mid-body
        ASSERT_TRUE(
            c.send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\nabc").isOK());
    }
    {
        HttpTestClient c = client();  // disconnects before reading a large response
        ASSERT_TRUE(c.send(get("/big")).isOK());
    }
    {
        HttpTestClient c = client();  // disconnects mid-header
        ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHo").isOK());
    }
    auto r = client().request(get("/after"));
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().status, 200);
}

TEST_F(HttpServerTest, HandlerExceptionGives500AndConnectionLives) {
    startServer();
    HttpTestClient c = client();
    auto r = c.request(get("/throw"));
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().status, 500);
    expectErrorBody(r.getValue(), "InternalError", 1);
    EXPECT_EQ(r.getValue().body.find("secret"), std::string::npos);
    r = c.request(get("/next"));
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().status, 200);
}

TEST_F(HttpServerTest, ConcurrentClients) {
    startServer();
    constexpr int kClients = 8, kRequests = 25;
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t) {
        threads.emplace_back([&, t] {
            HttpTestClient c = client();
            for (int i = 0; i < kRequests; ++i) {
                std::string body = std::to_string(t) + ":" + std::to_string(i);
                auto r = c.request(post("/c", body));
                if (r.isOK() && r.getValue().body.find("[" + body + "]") != std::string::npos)
                    ++good;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(good.load(), kClients * kRequests);
}

TEST_F(HttpServerTest, BlockingHandlerDoesNotStallOtherConnections) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    startServer({}, [released](const HttpRequest& req) {
        if (req.target == "/block") released.wait();
        return echoHandler(req);
    });
    HttpTestClient blocked = client();
    ASSERT_TRUE(blocked.send(get("/block")).isOK());
    for (int i = 0; i < 5; ++i) {  // more than ioThreads, all while /block waits
        auto r = client().request(get("/free"));
        ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
        EXPECT_EQ(r.getValue().status, 200);
    }
    release.set_value();
    auto r = blocked.read();
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().body.substr(0, 10), "GET /block");
}

TEST_F(HttpServerTest, IdleConnectionsAreClosed) {
    HttpServerOptions o;
    o.idleTimeout = 1s;
    startServer(o);
    HttpTestClient c = client();
    ASSERT_TRUE(c.request(get("/")).isOK());
    auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closedByPeer(5s));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 800ms);
}

TEST_F(HttpServerTest, HttpTenWithoutKeepAliveCloses) {
    startServer();
    HttpTestClient c = client();
    auto r = c.request("GET /old HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().status, 200);
    EXPECT_TRUE(c.closedByPeer());
}

TEST_F(HttpServerTest, ConnectionCapRefusesExtraClients) {
    HttpServerOptions o;
    o.maxConnections = 2;
    startServer(o);
    std::vector<HttpTestClient> held;
    for (int i = 0; i < 2; ++i) {
        held.push_back(client());
        ASSERT_TRUE(held.back().request(get("/")).isOK());  // accepted and counted
    }
    HttpTestClient extra = client();
    auto r = extra.read();
    ASSERT_TRUE(r.isOK()) << r.getStatus().toString();
    EXPECT_EQ(r.getValue().status, 503);
    EXPECT_TRUE(extra.closedByPeer());

    held.pop_back();  // frees a slot once the server notices the close
    bool served = false;
    for (int attempt = 0; attempt < 50 && !served; ++attempt) {
        auto again = client().request(get("/"));
        served = again.isOK() && again.getValue().status == 200;
        if (!served) std::this_thread::sleep_for(20ms);
    }
    EXPECT_TRUE(served);
}

TEST_F(HttpServerTest, StopClosesConnectionsPromptlyAndIsIdempotent) {
    startServer();
    HttpTestClient idle = client();
    ASSERT_TRUE(idle.request(get("/")).isOK());
    HttpTestClient midRequest = client();
    ASSERT_TRUE(midRequest.send("POST /x HTTP/1.1\r\nContent-Length: 50\r\n\r\nab").isOK());
    uint16_t port = _server->port();
    auto start = std::chrono::steady_clock::now();
    _server->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_TRUE(idle.closedByPeer(2s));
    EXPECT_TRUE(midRequest.closedByPeer(2s));
    _server->stop();
    EXPECT_FALSE(TcpSocket::connect("127.0.0.1", port, 1s).isOK());
}

TEST(HttpServerStart, ReportsBindErrors) {
    auto first = HttpServer::start({}, echoHandler);
    ASSERT_TRUE(first.isOK());
    HttpServerOptions taken;
    taken.port = first.getValue()->port();
    auto second = HttpServer::start(taken, echoHandler);
    EXPECT_EQ(second.getStatus().code(), ErrorCodes::SocketException);
    HttpServerOptions bad;
    bad.bindIp = "not-an-ip";
    EXPECT_EQ(HttpServer::start(bad, echoHandler).getStatus().code(), ErrorCodes::BadValue);
}

}  // namespace
}  // namespace mongosd::net
