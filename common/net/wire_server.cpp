#include "common/net/wire_server.h"

#include "common/command_reply.h"

#include "common/net/server_core.h"  // first: brings <utility> before any Asio header

#include <spdlog/spdlog.h>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/write.hpp>

#include <atomic>

#include "common/net/op_msg.h"

namespace mongosd::net {
namespace {

namespace asio = detail::asio;
using boost::system::error_code;
using detail::Connection;

// A payload is read in slices so memory follows the bytes that actually arrive, not the length
// a peer claims.
constexpr size_t kReadSliceBytes = 1 << 20;
// A connection keeps a buffer this large between messages; a bigger one is released.
constexpr size_t kKeptBufferBytes = 1 << 20;
// Room for the header, flags and section kind around a reply body.
constexpr size_t kReplyOverheadBytes = 64;

auto redirect(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

BsonObj callHandler(const CommandHandler& handler, BsonView cmd, const std::string& peer) noexcept {
    try {
        BsonObj reply = handler(cmd, peer);
        if (reply.size() + kReplyOverheadBytes <= kMaxMessageBytes) return reply;
        return commandErrorReply(
            Status(ErrorCodes::BSONObjectTooLarge,
                   "reply of " + std::to_string(reply.size()) + " bytes is too large"));
    } catch (const std::exception& e) {
        spdlog::error("wire handler threw on '{}' from {}: {}", cmd.firstFieldName(), peer,
                      e.what());
    } catch (...) {
        spdlog::error("wire handler threw a non-standard exception from {}", peer);
    }
    return commandErrorReply(Status(ErrorCodes::InternalError, "internal error"));
}

detail::ServerCoreOptions coreOptions(const WireServerOptions& o) {
    return {"wire", o.bindIp, o.port, o.ioThreads, o.workerThreads, o.maxConnections};
}

}  // namespace

class WireServer::Impl {
public:
    Impl(WireServerOptions options, CommandHandler handler)
        : _options(std::move(options)),
          _handler(std::move(handler)),
          _core(coreOptions(_options)) {}

    Status start() {
        return _core.start([this](std::shared_ptr<Connection> c) { return serve(std::move(c)); },
                           nullptr);
    }
    uint16_t port() const { return _core.port(); }
    void stop() { _core.stop(); }

private:
    asio::awaitable<void> serve(std::shared_ptr<Connection> c) {
        std::vector<uint8_t> payload;
        while (co_await serveOne(*c, payload)) {
            if (payload.capacity() > kKeptBufferBytes) payload = {};
        }
    }

    // Reads one message and answers it; false when the connection should close.
    asio::awaitable<bool> serveOne(Connection& c, std::vector<uint8_t>& payload) {
        uint8_t head[kMsgHeaderBytes];
        error_code ec;
        c.stream.expires_after(_options.idleTimeout);
        co_await asio::async_read(c.stream, asio::buffer(head), redirect(ec));
        if (ec) co_return false;
        MsgHeader header = decodeHeader(head);
        if (header.opCode != kOpMsgOpCode) {
            spdlog::warn("wire connection {}: unsupported opCode {}, closing", c.peer,
                         header.opCode);
            co_return false;
        }
        if (auto checked = parseHeader(head, sizeof(head)); !checked.isOK()) {
            co_await replyErrorAndClose(c, header.requestId, checked.getStatus());
            co_return false;
        }
        c.stream.expires_after(_options.messageTimeout);
        if (!co_await readPayload(c, header.messageLength - kMsgHeaderBytes, payload))
            co_return false;
        auto msg = parseOpMsg(header, payload.data(), payload.size());
        if (!msg.isOK()) {
            co_await replyErrorAndClose(c, header.requestId, msg.getStatus());
            co_return false;
        }
        co_return co_await dispatch(c, header.requestId, msg.getValue());
    }

    asio::awaitable<bool> readPayload(Connection& c, size_t n, std::vector<uint8_t>& out) {
        out.clear();
        error_code ec;
        while (out.size() < n && !ec) {
            size_t have = out.size();
            size_t slice = std::min(n - have, kReadSliceBytes);
            out.resize(have + slice);
            co_await asio::async_read(c.stream, asio::buffer(out.data() + have, slice),
                                      redirect(ec));
        }
        co_return !ec;
    }

    // Runs the handler (on the pool, or here when it is a runsInline command) and sends its
    // reply unless the request said moreToCome.
    asio::awaitable<bool> dispatch(Connection& c, int32_t requestId, const OpMsg& msg) {
        BsonObj cmd = flattenSequences(msg);
        OpMsg reply;
        if (_options.runsInline && _options.runsInline(cmd.view())) {
            reply.body = callHandler(_handler, cmd.view(), c.peer);
        } else {
            reply.body = co_await _core.runOnWorkers(
                [this, &cmd, &c]() noexcept { return callHandler(_handler, cmd.view(), c.peer); });
        }
        if (msg.flags & kFlagMoreToCome) co_return true;
        bool checksum = (msg.flags & kFlagChecksumPresent) != 0;
        co_return co_await send(c, serializeOpMsg(nextRequestId(), requestId, reply, checksum));
    }

    asio::awaitable<bool> send(Connection& c, std::string bytes) {
        error_code ec;
        c.stream.expires_after(_options.messageTimeout);
        co_await asio::async_write(c.stream, asio::buffer(bytes), redirect(ec));
        co_return !ec;
    }

    asio::awaitable<void> replyErrorAndClose(Connection& c, int32_t requestId, Status status) {
        spdlog::warn("wire connection {}: {}, closing", c.peer, status.toString());
        OpMsg reply;
        reply.body = commandErrorReply(status);
        if (co_await send(c, serializeOpMsg(nextRequestId(), requestId, reply)))
            co_await detail::lingeringClose(c);
    }

    int32_t nextRequestId() { return _nextRequestId.fetch_add(1, std::memory_order_relaxed); }

    WireServerOptions _options;
    CommandHandler _handler;
    std::atomic<int32_t> _nextRequestId{1};
    detail::ServerCore _core;
};

WireServer::WireServer(std::unique_ptr<Impl> impl) : _impl(std::move(impl)) {}

WireServer::~WireServer() { stop(); }

StatusWith<std::unique_ptr<WireServer>> WireServer::start(WireServerOptions options,
                                                          CommandHandler handler) {
    invariant(handler != nullptr);
    auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
    MONGOSD_RETURN_IF_ERROR(impl->start());
    return std::unique_ptr<WireServer>(new WireServer(std::move(impl)));
}

uint16_t WireServer::port() const { return _impl->port(); }

void WireServer::stop() { _impl->stop(); }

}  // namespace mongosd::net
