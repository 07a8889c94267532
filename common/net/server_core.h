#pragma once
// ServerCore: the TCP plumbing HttpServer and WireServer share. INTERNAL to common/net: it
// includes Asio, so only common/net/*.cpp may include it (public headers stay Boost-free, and
// few translation units pay Asio's compile time).
//
// Thread model:
//   - one io_context run by `ioThreads` threads; the accept loop runs on its own strand and each
//     connection is a coroutine on its own strand, so a connection's socket is only ever touched
//     from that strand (including stop()'s close);
//   - a thread pool of `workerThreads` runs the protocol handler (user code that may block):
//     runOnWorkers() posts the call to the pool and resumes the coroutine on its strand with the
//     result, so io threads never block;
//   - stop() closes the listener and every connection on their strands, then waits for the io
//     threads to run out of work (every coroutine finished, every in-flight handler returned)
//     and joins the pool. Nothing is torn down with work still queued.
//
// Invariants:
//   1. A Connection is in _connections exactly while its coroutine runs.
//   2. Once _stopping is set no connection is added.

#include <utility>  // first: Asio 1.74 uses std::exchange without including <utility>

// ThreadSanitizer does not model the std::atomic_thread_fence in Asio's fenced blocks (GCC warns
// -Wtsan); Asio's real hand-offs go through mutexes, which it does model.
#if defined(__SANITIZE_THREAD__) && !defined(BOOST_ASIO_DISABLE_FENCED_BLOCK)
#define BOOST_ASIO_DISABLE_FENCED_BLOCK
#endif
// Asio 1.74 finds clang's coroutines only through libc++'s <experimental/coroutine>; clang 14
// with libstdc++'s <coroutine> works once told (the fuzz and clang builds need this).
#if defined(__clang__) && defined(__cpp_impl_coroutine) && !defined(BOOST_ASIO_HAS_CO_AWAIT)
#define BOOST_ASIO_HAS_CO_AWAIT 1
#endif

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "common/status.h"

namespace mongosd::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct ServerCoreOptions {
    std::string name;  // "http" / "wire", for logs
    std::string bindIp;
    uint16_t port = 0;
    size_t ioThreads = 2;
    size_t workerThreads = 16;
    size_t maxConnections = 10000;
};

// One accepted connection. The stream's executor is the connection's strand.
struct Connection {
    Connection(tcp::socket socket, std::string peerAddress)
        : stream(std::move(socket)), peer(std::move(peerAddress)) {}
    beast::tcp_stream stream;
    const std::string peer;  // "ip:port"
};

// Half-closes, discards what the peer still sends for a short while, then closes. Closing a
// socket with unread input makes the kernel send RST, which can destroy the error response we
// just wrote before the peer reads it.
asio::awaitable<void> lingeringClose(Connection& c);

class ServerCore {
public:
    // Serves one connection until it should close; runs on the connection's strand.
    using Serve = std::function<asio::awaitable<void>(std::shared_ptr<Connection>)>;
    // Answers a connection over the cap before it is closed; runs on an io thread, must not block.
    using Reject = std::function<void(tcp::socket&)>;

    explicit ServerCore(ServerCoreOptions options);
    ~ServerCore();  // stop()s
    ServerCore(const ServerCore&) = delete;
    ServerCore& operator=(const ServerCore&) = delete;

    // Binds, listens and starts the threads. SocketException / BadValue when it cannot bind.
    Status start(Serve serve, Reject reject);
    uint16_t port() const { return _port; }
    // Idempotent. Must not be called from a handler (it waits for handlers).
    void stop();

    // Runs fn() on the worker pool and resumes the calling coroutine on its own executor with
    // the result. fn must be noexcept: handler errors are turned into replies inside it.
    template <typename F>
    asio::awaitable<std::invoke_result_t<F&>> runOnWorkers(F fn);

private:
    asio::awaitable<void> acceptLoop();
    void launch(tcp::socket socket);
    asio::awaitable<void> runConnection(std::shared_ptr<Connection> c);

    ServerCoreOptions _options;
    asio::io_context _io;
    asio::thread_pool _workers;
    asio::strand<asio::io_context::executor_type> _acceptStrand;
    tcp::acceptor _acceptor;  // touched only on _acceptStrand once started
    std::vector<std::thread> _ioThreads;
    uint16_t _port = 0;
    Serve _serve;
    Reject _reject;

    std::mutex _mutex;  // guards the two fields below
    bool _stopping = false;
    std::unordered_set<std::shared_ptr<Connection>> _connections;

    std::mutex _stopMutex;  // serializes stop() callers
    bool _stopped = false;
};

template <typename F>
asio::awaitable<std::invoke_result_t<F&>> ServerCore::runOnWorkers(F fn) {
    static_assert(std::is_nothrow_invocable_v<F&>, "runOnWorkers needs a noexcept callable");
    using Result = std::invoke_result_t<F&>;
    auto initiate = [this](auto handler, F f) {
        // A tracked executor keeps the io_context's run() from returning while the pool works.
        auto home = asio::prefer(asio::get_associated_executor(handler),
                                 asio::execution::outstanding_work.tracked);
        asio::post(_workers, [h = std::move(handler), f = std::move(f), home]() mutable {
            Result result = f();
            asio::post(home, [h = std::move(h), r = std::move(result)]() mutable {
                std::move(h)(std::move(r));
            });
        });
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Result)>(
        initiate, asio::use_awaitable, std::move(fn));
}

}  // namespace mongosd::net::detail
