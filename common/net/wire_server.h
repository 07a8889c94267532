#pragma once
// WireServer: the binary-protocol transport (MongoDB OP_MSG over TCP). It frames and validates
// messages, hands each command body to one CommandHandler and sends back the document it returns;
// it never interprets commands (the command registry above does).
//
// Per connection, messages are handled one at a time in arrival order:
//   - a header whose messageLength is outside 21..kMaxMessageBytes, or an OP_MSG whose sections
//     or BSON do not add up, gets {ok: 0, errmsg, code: 17 ProtocolError | 22 InvalidBSON | ...,
//     codeName} (responseTo = its requestID) and the connection is then closed;
//   - any opCode other than OP_MSG closes the connection without a reply (so for now real
//     drivers, whose handshake uses OP_QUERY, cannot connect);
//   - the rest of a message must arrive within messageTimeout of its header, and a connection
//     with no message for idleTimeout is closed, so a lying length only costs its own connection;
//   - a request with the moreToCome flag gets no reply;
//   - a handler exception becomes {ok: 0, errmsg, code: 1, codeName: "InternalError"}.
// Document sequences (kind 1) are merged into the body before the handler sees it.
//
// Threads: see common/net/server_core.h. The handler runs on a pool of workerThreads threads, may
// block, and is called concurrently for different connections; commands that
// options.runsInline accepts run on the io thread instead (they must not block).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/bson.h"
#include "common/status.h"

namespace mongosd::net {

// cmd views the request's bytes and is valid only during the call. peer is "ip:port".
using CommandHandler = std::function<BsonObj(BsonView cmd, const std::string& peer)>;

struct WireServerOptions {
    std::string bindIp = "127.0.0.1";
    uint16_t port = 0;  // 0: the kernel picks a free port; read it back with port()
    size_t ioThreads = 2;
    size_t workerThreads = 16;
    size_t maxConnections = 10000;
    // Cluster peers keep pooled connections open between requests: idle limit is generous.
    std::chrono::seconds idleTimeout{1800};
    std::chrono::milliseconds messageTimeout{30'000};
    // Commands whose cost is small and bounded (a point read) may run on the io thread that
    // read them instead of the pool: that saves two thread hand-offs per request, which
    // dominate such requests (docs/performance.md, YCSB). Must not block; null: none.
    std::function<bool(BsonView cmd)> runsInline;
};

class WireServer {
public:
    // Binds and starts serving. SocketException when the address cannot be bound, BadValue for
    // an unparsable bindIp.
    static StatusWith<std::unique_ptr<WireServer>> start(WireServerOptions options,
                                                         CommandHandler handler);

    // The bound port (the real one when options.port was 0). Any thread.
    uint16_t port() const;
    // Closes the listener and every connection, waits for in-flight handler calls to return and
    // joins all threads. Idempotent; any thread except a handler's.
    void stop();
    ~WireServer();

    class Impl;

private:
    explicit WireServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> _impl;
};

}  // namespace mongosd::net
