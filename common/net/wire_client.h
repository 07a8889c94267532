#pragma once
// WireClient: a blocking client for the binary protocol (OP_MSG over TCP), one connection, one
// request in flight. Used by tests, the shell and the router's remote calls. Not thread-safe:
// one thread at a time (a pool hands out whole clients).
//
// After any network error or timeout the connection's state is unknown (a late reply could still
// arrive), so the client closes it and every later call fails with SocketException: make a new
// client.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/bson.h"
#include "common/net/tcp_socket.h"
#include "common/status.h"

namespace mongosd::net {

class WireClient {
public:
    // `timeout` bounds the connect and, until setTimeout() changes it, each runCommand round trip.
    static StatusWith<std::unique_ptr<WireClient>> connect(const std::string& host, uint16_t port,
                                                           std::chrono::milliseconds timeout);

    void setTimeout(std::chrono::milliseconds timeout) { _timeout = timeout; }

    // Sends `cmd` as the OP_MSG body and returns the reply's body (kind-1 sequences in a reply
    // are flattened). The reply is validated: framing, responseTo, BSON. A reply with {ok: 0} is
    // returned as is: interpreting it is the caller's business. Errors: HostUnreachable,
    // SocketException, NetworkTimeout, ProtocolError / InvalidBSON for a malformed reply.
    StatusWith<BsonObj> runCommand(BsonView cmd);

    // Raw access, for tests feeding malformed input to a server.
    Status sendRaw(std::string_view bytes);
    // Receives one message as bytes (header included), sized by its header's messageLength.
    // EOF -> SocketException, nothing in time -> NetworkTimeout, bad length -> ProtocolError.
    StatusWith<std::string> recvRaw(std::chrono::milliseconds timeout);

    bool isConnected() const { return _socket.isOpen(); }

private:
    WireClient(TcpSocket socket, std::chrono::milliseconds timeout)
        : _socket(std::move(socket)), _timeout(timeout) {}

    StatusWith<std::string> recvMessage(Deadline deadline);
    // Closes the connection when `s` is a transport failure; returns s.
    Status noteFailure(Status s);

    TcpSocket _socket;
    std::chrono::milliseconds _timeout;
    int32_t _nextRequestId = 1;
};

}  // namespace mongosd::net
