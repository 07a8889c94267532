#include "common/net/wire_client.h"

#include <cstring>

#include "common/net/op_msg.h"

namespace mongosd::net {
namespace {

const Status kClosed(ErrorCodes::SocketException, "connection is closed after an earlier error");

}  // namespace

StatusWith<std::unique_ptr<WireClient>> WireClient::connect(const std::string& host, uint16_t port,
                                                            std::chrono::milliseconds timeout) {
    auto sock = TcpSocket::connect(host, port, timeout);
    if (!sock.isOK()) return sock.getStatus();
    return std::unique_ptr<WireClient>(new WireClient(std::move(sock.getValue()), timeout));
}

Status WireClient::noteFailure(Status s) {
    if (!s.isOK()) _socket.close();
    return s;
}

StatusWith<std::string> WireClient::recvMessage(Deadline deadline) {
    if (!_socket.isOpen()) return kClosed;
    uint8_t head[kMsgHeaderBytes];
    Status st = noteFailure(_socket.recvExact(head, sizeof(head), deadline));
    if (!st.isOK()) return st;
    auto header = parseHeader(head, sizeof(head));
    if (!header.isOK()) return noteFailure(header.getStatus());
    std::string msg(static_cast<size_t>(header.getValue().messageLength), '\0');
    std::memcpy(msg.data(), head, sizeof(head));
    st = noteFailure(_socket.recvExact(reinterpret_cast<uint8_t*>(msg.data()) + sizeof(head),
                                       msg.size() - sizeof(head), deadline));
    if (!st.isOK()) return st;
    return msg;
}

StatusWith<BsonObj> WireClient::runCommand(BsonView cmd) {
    if (!_socket.isOpen()) return kClosed;
    Deadline deadline = deadlineAfter(_timeout);
    int32_t requestId = _nextRequestId++;
    OpMsg request;
    request.body = BsonObj::copyOf(cmd);
    MONGOSD_RETURN_IF_ERROR(
        noteFailure(_socket.sendAll(serializeOpMsg(requestId, 0, request), deadline)));
    auto raw = recvMessage(deadline);
    if (!raw.isOK()) return raw.getStatus();
    const auto* bytes = reinterpret_cast<const uint8_t*>(raw.getValue().data());
    MsgHeader header = decodeHeader(bytes);
    if (header.opCode != kOpMsgOpCode || header.responseTo != requestId)
        return noteFailure(
            Status(ErrorCodes::ProtocolError,
                   "reply is not an OP_MSG answering request " + std::to_string(requestId)));
    auto reply =
        parseOpMsg(header, bytes + kMsgHeaderBytes, raw.getValue().size() - kMsgHeaderBytes);
    if (!reply.isOK()) return noteFailure(reply.getStatus());
    return flattenSequences(reply.getValue());
}

Status WireClient::sendRaw(std::string_view bytes) {
    if (!_socket.isOpen()) return kClosed;
    return noteFailure(_socket.sendAll(bytes, deadlineAfter(_timeout)));
}

StatusWith<std::string> WireClient::recvRaw(std::chrono::milliseconds timeout) {
    return recvMessage(deadlineAfter(timeout));
}

}  // namespace mongosd::net
