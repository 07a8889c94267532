#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/net/op_msg.h"
#include "common/net/wire_client.h"
#include "common/net/wire_server.h"

namespace mongosd::net {
namespace {

using namespace std::chrono_literals;

std::string stringField(BsonView doc, std::string_view name) {
    bson_iter_t it;
    if (!doc.find(name, &it) || !BSON_ITER_HOLDS_UTF8(&it)) return "<missing>";
    uint32_t n = 0;
    const char* s = bson_iter_utf8(&it, &n);
    return std::string(s, n);
}

int64_t numberField(BsonView doc, std::string_view name) {
    bson_iter_t it;
    if (!doc.find(name, &it)) return -999;
    return bson_iter_as_int64(&it);
}

BsonObj subDocument(BsonView doc, std::string_view name) {
    bson_iter_t it;
    if (!doc.find(name, &it) || !(BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it)))
        return BsonObj();
    uint32_t len = 0;
    const uint8_t* data = nullptr;
    if (BSON_ITER_HOLDS_DOCUMENT(&it))
        bson_iter_document(&it, &len, &data);
    else
        bson_iter_array(&it, &len, &data);
    return BsonObj::copyOf(BsonView(data, len));
}

BsonObj command(std::string_view name, int32_t value = 1) {
    BsonBuilder b;
    b.appendInt32(name, value).appendString("$db", "admin");
    return b.obj();
}

std::string le32(uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = char((v >> (8 * i)) & 0xFF);
    return s;
}

std::string header(int32_t length, int32_t requestId, int32_t opCode = kOpMsgOpCode) {
    return le32(uint32_t(length)) + le32(uint32_t(requestId)) + le32(0) + le32(uint32_t(opCode));
}

// A server whose handler echoes the command; "throw" throws, "sleep" sleeps `sleepMs`.
class WireTest : public ::testing::Test {
protected:
    void SetUp() override { startServer({}); }
    void TearDown() override {
        if (_server) _server->stop();
    }

    void startServer(WireServerOptions options) {
        if (_server) _server->stop();
        auto s =
            WireServer::start(std::move(options), [this](BsonView cmd, const std::string& peer) {
                ++_calls;
                std::string name(cmd.firstFieldName());
                if (name == "throw") throw std::runtime_error("boom");
                if (name == "sleep")
                    std::this_thread::sleep_for(std::chrono::milliseconds(_sleepMs));
                BsonBuilder b;
                b.appendDouble("ok", 1.0).appendDocument("echo", cmd).appendString("peer", peer);
                return b.obj();
            });
        ASSERT_TRUE(s.isOK()) << s.getStatus().toString();
        _server = std::move(s.getValue());
    }

    std::unique_ptr<WireClient> connect(std::chrono::milliseconds timeout = 5s) {
        auto c = WireClient::connect("127.0.0.1", _server->port(), timeout);
        invariant(c.isOK());
        return std::move(c.getValue());
    }

    // Sends raw bytes, expects one error reply answering `requestId` and then a closed connection.
    void expectErrorReplyThenClose(const std::string& bytes, int32_t requestId,
                                   ErrorCodes::Error code) {
        auto c = connect();
        ASSERT_TRUE(c->sendRaw(bytes).isOK());
        auto raw = c->recvRaw(5s);
        ASSERT_TRUE(raw.isOK()) << raw.getStatus().toString();
        const auto* p = reinterpret_cast<const uint8_t*>(raw.getValue().data());
        MsgHeader h = decodeHeader(p);
        EXPECT_EQ(h.responseTo, requestId);
        auto reply = parseOpMsg(h, p + 16, raw.getValue().size() - 16);
        ASSERT_TRUE(reply.isOK()) << reply.getStatus().toString();
        BsonView body = reply.getValue().body;
        EXPECT_EQ(numberField(body, "ok"), 0);
        EXPECT_EQ(numberField(body, "code"), code);
        EXPECT_EQ(stringField(body, "codeName"), ErrorCodes::name(code));
        EXPECT_NE(stringField(body, "errmsg"), "<missing>");
        auto after = c->recvRaw(5s);
        EXPECT_EQ(after.getStatus().code(), ErrorCodes::SocketException);
        expectServerHealthy();
    }

    void expectServerHealthy() {
        auto reply = connect()->runCommand(command("ping"));
        ASSERT_TRUE(reply.isOK()) << reply.getStatus().toString();
        EXPECT_EQ(numberField(reply.getValue(), "ok"), 1);
    }

    std::unique_ptr<WireServer> _server;
    std::atomic<int> _calls{0};
    std::atomic<int> _sleepMs{0};
};

TEST_F(WireTest, EchoRoundTrip) {
    auto c = connect();
    BsonObj cmd = command("ping");
    auto reply = c->runCommand(cmd);
    ASSERT_TRUE(reply.isOK()) << reply.getStatus().toString();
    EXPECT_EQ(numberField(reply.getValue(), "ok"), 1);
    EXPECT_TRUE(subDocument(reply.getValue(), "echo").view().binaryEqual(cmd));
    EXPECT_EQ(stringField(reply.getValue(), "peer").rfind("127.0.0.1:", 0), 0u);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(c->runCommand(command("hello", i)).isOK());
}

TEST_F(WireTest, SequencesAreFlattenedAndChecksumsEchoed) {
    auto c = connect();
    OpMsg msg;
    BsonBuilder body;
    body.appendString("insert", "c").appendString("$db", "d");
    msg.body = body.obj();
    BsonBuilder d0;
    d0.appendInt32("a", 1);
    msg.sequences.push_back({"documents", {d0.obj()}});
    ASSERT_TRUE(c->sendRaw(serializeOpMsg(77, 0, msg, true)).isOK());
    auto raw = c->recvRaw(5s);
    ASSERT_TRUE(raw.isOK()) << raw.getStatus().toString();
    const auto* p = reinterpret_cast<const uint8_t*>(raw.getValue().data());
    auto reply = parseOpMsg(decodeHeader(p), p + 16, raw.getValue().size() - 16);
    ASSERT_TRUE(reply.isOK()) << reply.getStatus().toString();
    EXPECT_TRUE(reply.getValue().flags & kFlagChecksumPresent);
    EXPECT_EQ(decodeHeader(p).responseTo, 77);
    BsonObj echo = subDocument(reply.getValue().body, "echo");
    EXPECT_TRUE(echo.view().binaryEqual(flattenSequences(msg)));
    EXPECT_EQ(numberField(subDocument(subDocument(echo, "documents"), "0"), "a"), 1);
}

TEST_F(WireTest, ConcurrentClients) {
    constexpr int kClients = 8, kCommands = 50;
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t) {
        threads.emplace_back([&, t] {
            auto c = connect();
            for (int i = 0; i < kCommands; ++i) {
                BsonObj cmd = command("n", t * 1000 + i);
                auto r = c->runCommand(cmd);
                if (r.isOK() && subDocument(r.getValue(), "echo").view().binaryEqual(cmd)) ++good;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(good.load(), kClients * kCommands);
}

// runsInline commands are answered on the io thread: with every pool thread busy in a slow
// command, an inline command still gets its reply at once, and a pooled one waits for a thread.
TEST_F(WireTest, InlineCommandsDoNotWaitForThePool) {
    WireServerOptions o;
    o.workerThreads = 2;
    o.runsInline = [](BsonView cmd) { return cmd.firstFieldName() == "fast"; };
    startServer(o);
    _sleepMs = 1500;
    const auto sleepersStart = std::chrono::steady_clock::now();
    std::vector<std::thread> sleepers;
    for (int i = 0; i < 2; ++i) {
        sleepers.emplace_back([this] { ASSERT_TRUE(connect(10s)->runCommand(command("sleep")).isOK()); });
    }
    while (_calls.load() < 2) std::this_thread::sleep_for(5ms);  // both pool threads asleep
    auto fast = connect()->runCommand(command("fast"));
    const auto fastDone = std::chrono::steady_clock::now();
    ASSERT_TRUE(fast.isOK()) << fast.getStatus().toString();
    EXPECT_EQ(numberField(fast.getValue(), "ok"), 1);
    // Answered while both pool threads were still asleep.
    EXPECT_LT(fastDone - sleepersStart, 1500ms);
    auto pooled = connect(10s)->runCommand(command("slow"));
    ASSERT_TRUE(pooled.isOK()) << pooled.getStatus().toString();
    // A pooled command could only run once a sleeper had finished.
    EXPECT_GE(std::chrono::steady_clock::now() - sleepersStart, 1500ms);
    for (auto& t : sleepers) t.join();
}

TEST_F(WireTest, LyingLengthTimesOutWithoutBlockingOthers) {
    WireServerOptions o;
    o.messageTimeout = 1500ms;
    startServer(o);
    auto liar = TcpSocket::connect("127.0.0.1", _server->port(), 5s);
    ASSERT_TRUE(liar.isOK());
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(
        liar.getValue().sendAll(header(1000, 5) + std::string(10, '\0'), deadlineAfter(1s)).isOK());
    expectServerHealthy();  // served while the liar's message is incomplete
    uint8_t b[64];
    auto early = liar.getValue().recvSome(b, sizeof(b), deadlineAfter(10ms));
    EXPECT_EQ(early.getStatus().code(), ErrorCodes::NetworkTimeout) << "liar closed too soon";
    auto closed = liar.getValue().recvSome(b, sizeof(b), deadlineAfter(10s));
    EXPECT_TRUE(!closed.isOK() || closed.getValue() == 0);  // EOF or reset: no reply
    EXPECT_GE(std::chrono::steady_clock::now() - start, 1400ms);
    expectServerHealthy();
}

TEST_F(WireTest, BadLengthsGetProtocolErrorThenClose) {
    expectErrorReplyThenClose(header(10, 11), 11, ErrorCodes::ProtocolError);
    expectErrorReplyThenClose(header(-1, 12), 12, ErrorCodes::ProtocolError);
    expectErrorReplyThenClose(header(int32_t(kMaxMessageBytes) + 1, 13) + std::string(64, 'x'), 13,
                              ErrorCodes::ProtocolError);
}

TEST_F(WireTest, MalformedSectionsGetErrorThenClose) {
    BsonObj ping = command("ping");
    std::string body(reinterpret_cast<const char*>(ping.data()), ping.size());
    std::string overrun = le32(0) + '\0' + le32(uint32_t(ping.size() + 50)) + body.substr(4);
    expectErrorReplyThenClose(header(int32_t(16 + overrun.size()), 21) + overrun, 21,
                              ErrorCodes::ProtocolError);
    std::string badKind = le32(0) + '\x05' + body;
    expectErrorReplyThenClose(header(int32_t(16 + badKind.size()), 22) + badKind, 22,
                              ErrorCodes::ProtocolError);
    BsonBuilder b;
    b.appendString("ping", std::string_view("\xff", 1));
    BsonObj badUtf8 = b.obj();
    std::string badBson =
        le32(0) + '\0' + std::string(reinterpret_cast<const char*>(badUtf8.data()), badUtf8.size());
    expectErrorReplyThenClose(header(int32_t(16 + badBson.size()), 23) + badBson, 23,
                              ErrorCodes::InvalidBSON);
}

TEST_F(WireTest, OtherOpCodesAreClosedWithoutReply) {
    auto c = connect();
    ASSERT_TRUE(c->sendRaw(header(40, 9, 2004) + std::string(24, '\0')).isOK());  // OP_QUERY
    EXPECT_EQ(c->recvRaw(5s).getStatus().code(), ErrorCodes::SocketException);
    EXPECT_EQ(_calls.load(), 0);
    expectServerHealthy();
}

TEST_F(WireTest, MoreToComeGetsNoReply) {
    auto c = connect();
    OpMsg fireAndForget;
    fireAndForget.flags = kFlagMoreToCome;
    fireAndForget.body = command("note");
    ASSERT_TRUE(c->sendRaw(serializeOpMsg(500, 0, fireAndForget)).isOK());
    // The next reply on this connection must answer the next request, not the first.
    auto reply = c->runCommand(command("ping"));
    ASSERT_TRUE(reply.isOK()) << reply.getStatus().toString();
    EXPECT_EQ(stringField(subDocument(reply.getValue(), "echo"), "$db"), "admin");
    EXPECT_EQ(subDocument(reply.getValue(), "echo").view().firstFieldName(), "ping");
    EXPECT_EQ(_calls.load(), 2);
}

TEST_F(WireTest, HandlerExceptionBecomesInternalError) {
    auto c = connect();
    auto reply = c->runCommand(command("throw"));
    ASSERT_TRUE(reply.isOK()) << reply.getStatus().toString();
    EXPECT_EQ(numberField(reply.getValue(), "ok"), 0);
    EXPECT_EQ(numberField(reply.getValue(), "code"), 1);
    EXPECT_EQ(stringField(reply.getValue(), "codeName"), "InternalError");
    EXPECT_TRUE(c->runCommand(command("ping")).isOK());  // the connection survives
}

TEST_F(WireTest, ClientTimeoutsAndErrors) {
    _sleepMs = 1000;
    auto c = connect(100ms);
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(c->runCommand(command("sleep")).getStatus().code(), ErrorCodes::NetworkTimeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
    EXPECT_FALSE(c->isConnected());  // a late reply must not be read as the next one
    EXPECT_EQ(c->runCommand(command("ping")).getStatus().code(), ErrorCodes::SocketException);

    auto quiet = connect();
    EXPECT_EQ(quiet->recvRaw(100ms).getStatus().code(), ErrorCodes::NetworkTimeout);

    uint16_t port = _server->port();
    _server->stop();
    auto refused = WireClient::connect("127.0.0.1", port, 1s);
    EXPECT_EQ(refused.getStatus().code(), ErrorCodes::HostUnreachable);
    EXPECT_EQ(WireClient::connect("no-such-host.invalid", 1, 1s).getStatus().code(),
              ErrorCodes::HostUnreachable);
}

TEST_F(WireTest, StopClosesOpenConnections) {
    auto c = connect();
    ASSERT_TRUE(c->runCommand(command("ping")).isOK());
    auto start = std::chrono::steady_clock::now();
    _server->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_EQ(c->runCommand(command("ping")).getStatus().code(), ErrorCodes::SocketException);
    _server->stop();  // idempotent
}

TEST_F(WireTest, IdleConnectionsAreClosed) {
    WireServerOptions o;
    o.idleTimeout = 1s;
    startServer(o);
    auto c = connect();
    ASSERT_TRUE(c->runCommand(command("ping")).isOK());
    EXPECT_EQ(c->recvRaw(5s).getStatus().code(), ErrorCodes::SocketException);
}

TEST_F(WireTest, ConnectionCapClosesExtraClients) {
    WireServerOptions o;
    o.maxConnections = 1;
    startServer(o);
    auto first = connect();
    ASSERT_TRUE(first->runCommand(command("ping")).isOK());
    auto second = connect();
    EXPECT_FALSE(second->runCommand(command("ping")).isOK());
    EXPECT_TRUE(first->runCommand(command("ping")).isOK());
}

}  // namespace
}  // namespace mongosd::net
