#include "common/net/server_core.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>

namespace mongosd::net::detail {
namespace {

using boost::system::error_code;

constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerMaxBytes = 16 << 20;
// After an accept error such as EMFILE, wait before retrying instead of spinning.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

std::string peerName(const tcp::endpoint& ep) {
    std::string ip = ep.address().to_string();
    if (ep.address().is_v6()) ip = "[" + ip + "]";
    return ip + ":" + std::to_string(ep.port());
}

void closeStream(Connection& c) {
    error_code ec;
    c.stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    c.stream.close();
}

// Completion for detached coroutines: nothing may escape onto an io thread and kill it.
auto logExceptions(std::string what) {
    return [what = std::move(what)](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("{}: unexpected exception: {}", what, ex.what());
        } catch (...) {
            spdlog::error("{}: unexpected non-standard exception", what);
        }
    };
}

}  // namespace

// GCC 12 with -fsanitize=address inlines Asio's recycling coroutine-frame allocator and then
// misreads its matching class-specific operator new/delete pair as mismatched.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<void> lingeringClose(Connection& c) {
    error_code ec;
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    c.stream.expires_after(kLingerTime);
    std::array<char, 16384> sink;
    size_t drained = 0;
    while (!ec && drained < kLingerMaxBytes)
        drained += co_await c.stream.async_read_some(asio::buffer(sink),
                                                     asio::redirect_error(asio::use_awaitable, ec));
    c.stream.close();
}
#pragma GCC diagnostic pop

ServerCore::ServerCore(ServerCoreOptions options)
    : _options(std::move(options)),
      _workers(std::max<size_t>(1, _options.workerThreads)),
      _acceptStrand(asio::make_strand(_io)),
      _acceptor(_acceptStrand) {}

ServerCore::~ServerCore() { stop(); }

Status ServerCore::start(Serve serve, Reject reject) {
    _serve = std::move(serve);
    _reject = std::move(reject);
    error_code ec;
    auto address = asio::ip::make_address(_options.bindIp, ec);
    if (ec) return Status(ErrorCodes::BadValue, "invalid bind address '" + _options.bindIp + "'");
    tcp::endpoint endpoint(address, _options.port);
    _acceptor.open(endpoint.protocol(), ec);
    if (!ec) _acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) _acceptor.bind(endpoint, ec);
    if (!ec) _acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return Status(ErrorCodes::SocketException,
                      _options.name + " server cannot listen on " + _options.bindIp + ":" +
                          std::to_string(_options.port) + ": " + ec.message());
    _port = _acceptor.local_endpoint().port();
    // Spawned before the threads start so run() never sees an io_context without work.
    asio::co_spawn(_acceptStrand, acceptLoop(), logExceptions(_options.name + " accept loop"));
    for (size_t i = 0; i < std::max<size_t>(1, _options.ioThreads); ++i)
        _ioThreads.emplace_back([this] { _io.run(); });
    return Status::OK();
}

asio::awaitable<void> ServerCore::acceptLoop() {
    asio::any_io_executor io = _io.get_executor();
    while (_acceptor.is_open()) {
        error_code ec;
        tcp::socket socket = co_await _acceptor.async_accept(
            asio::make_strand(io), asio::redirect_error(asio::use_awaitable, ec));
        if (!ec) {
            launch(std::move(socket));
            continue;
        }
        if (ec == asio::error::operation_aborted || !_acceptor.is_open()) break;
        spdlog::warn("{} server: accept failed: {}", _options.name, ec.message());
        asio::steady_timer pause(_acceptStrand, kAcceptRetryDelay);
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

void ServerCore::launch(tcp::socket socket) {
    error_code ec;
    tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) return;  // the peer already left
    std::shared_ptr<Connection> c;
    {
        std::lock_guard lock(_mutex);
        if (_stopping) return;
        if (_connections.size() < _options.maxConnections) {
            c = std::make_shared<Connection>(std::move(socket), peerName(remote));
            _connections.insert(c);
        }
    }
    if (!c) {
        spdlog::warn("{} server: refusing {}: {} connections open", _options.name, peerName(remote),
                     _options.maxConnections);
        if (_reject) _reject(socket);
        return;
    }
    asio::co_spawn(c->stream.get_executor(), runConnection(c),
                   logExceptions(_options.name + " connection " + c->peer));
}

asio::awaitable<void> ServerCore::runConnection(std::shared_ptr<Connection> c) {
    try {
        co_await _serve(c);
    } catch (const std::exception& e) {
        spdlog::error("{} connection {}: {}", _options.name, c->peer, e.what());
    }
    closeStream(*c);
    std::lock_guard lock(_mutex);
    _connections.erase(c);
}

void ServerCore::stop() {
    invariantMsg(!_workers.get_executor().running_in_this_thread(),
                 "server stop() called from a handler");
    std::lock_guard stopLock(_stopMutex);
    if (_stopped) return;
    _stopped = true;
    std::vector<std::shared_ptr<Connection>> open;
    {
        std::lock_guard lock(_mutex);
        _stopping = true;
        open.assign(_connections.begin(), _connections.end());
    }
    asio::post(_acceptStrand, [this] {
        error_code ec;
        _acceptor.close(ec);
    });
    for (auto& c : open) asio::post(c->stream.get_executor(), [c] { closeStream(*c); });
    open.clear();
    for (auto& t : _ioThreads) t.join();
    _ioThreads.clear();
    _workers.join();
}

}  // namespace mongosd::net::detail
