#include "common/net/op_msg.h"

#include <cstring>

namespace mongosd::net {
namespace {

// Flag bits 0-15 are required: unknown ones mean the sender expects semantics we lack.
constexpr uint32_t kRequiredFlagsMask = 0xFFFF;
constexpr uint32_t kKnownRequiredFlags = kFlagChecksumPresent | kFlagMoreToCome;
constexpr uint8_t kSectionBody = 0;
constexpr uint8_t kSectionSequence = 1;

uint32_t readU32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

int32_t readI32(const uint8_t* p) { return static_cast<int32_t>(readU32(p)); }

void appendU32(std::string& out, uint32_t v) {
    char b[4] = {char(v & 0xFF), char((v >> 8) & 0xFF), char((v >> 16) & 0xFF),
                 char((v >> 24) & 0xFF)};
    out.append(b, 4);
}

void writeU32At(std::string& out, size_t pos, uint32_t v) {
    for (int i = 0; i < 4; ++i) out[pos + i] = char((v >> (8 * i)) & 0xFF);
}

Status protocolError(std::string msg) { return Status(ErrorCodes::ProtocolError, std::move(msg)); }

// Reads one BSON document at p[0..avail): its int32 length must fit in avail.
StatusWith<BsonObj> readDocument(const uint8_t* p, size_t avail, const char* where) {
    if (avail < 4) return protocolError(std::string(where) + " is truncated");
    int32_t len = readI32(p);
    if (len < 5 || static_cast<size_t>(len) > avail)
        return protocolError(std::string(where) + " length " + std::to_string(len) +
                             " does not fit in the " + std::to_string(avail) +
                             " bytes left in the message");
    MONGOSD_RETURN_IF_ERROR(validateBson(p, static_cast<size_t>(len)));
    return BsonObj::copyOf(BsonView(p, static_cast<size_t>(len)));
}

// Sequence identifiers become field names: printable ASCII keeps them unambiguous.
bool validIdentifier(std::string_view id) {
    if (id.empty()) return false;
    for (char c : id)
        if (c < 0x21 || c > 0x7E) return false;
    return true;
}

StatusWith<std::pair<std::string, std::vector<BsonObj>>> readSequence(const uint8_t* p,
                                                                      size_t avail) {
    if (avail < 4) return protocolError("document sequence size is truncated");
    int32_t size = readI32(p);
    if (size < 5 || static_cast<size_t>(size) > avail)
        return protocolError("document sequence size " + std::to_string(size) +
                             " does not fit in the " + std::to_string(avail) +
                             " bytes left in the message");
    const uint8_t* end = p + size;
    const uint8_t* cursor = p + 4;
    const void* nul = std::memchr(cursor, 0, static_cast<size_t>(end - cursor));
    if (!nul) return protocolError("document sequence identifier is not terminated");
    std::string id(reinterpret_cast<const char*>(cursor),
                   static_cast<const uint8_t*>(nul) - cursor);
    if (!validIdentifier(id)) return protocolError("invalid document sequence identifier");
    cursor = static_cast<const uint8_t*>(nul) + 1;
    std::vector<BsonObj> docs;
    while (cursor < end) {
        auto doc = readDocument(cursor, static_cast<size_t>(end - cursor), "sequence document");
        if (!doc.isOK()) return doc.getStatus();
        cursor += doc.getValue().size();
        docs.push_back(std::move(doc.getValue()));
    }
    return std::make_pair(std::move(id), std::move(docs));
}

Status verifyChecksum(const MsgHeader& header, const uint8_t* payload, size_t n) {
    if (n < 4 + 1 + 4) return protocolError("OP_MSG too short to hold a checksum");
    // The header was consumed separately; re-encode it since the checksum covers it too.
    std::string head;
    for (int32_t field : {header.messageLength, header.requestId, header.responseTo, header.opCode})
        appendU32(head, static_cast<uint32_t>(field));
    uint32_t crc = crc32cExtend(crc32c(reinterpret_cast<const uint8_t*>(head.data()), head.size()),
                                payload, n - 4);
    if (crc != readU32(payload + n - 4)) return protocolError("OP_MSG checksum mismatch");
    return Status::OK();
}

// Checks the parsed sections as a whole: one body, distinct names that do not clash with it.
Status checkSections(const OpMsg& msg, bool sawBody) {
    if (!sawBody) return protocolError("OP_MSG has no body section");
    for (size_t i = 0; i < msg.sequences.size(); ++i) {
        const std::string& id = msg.sequences[i].first;
        for (size_t j = 0; j < i; ++j)
            if (msg.sequences[j].first == id)
                return protocolError("duplicate document sequence '" + id + "'");
        if (msg.body.view().hasField(id))
            return protocolError("document sequence '" + id + "' duplicates a body field");
    }
    return Status::OK();
}

}  // namespace

MsgHeader decodeHeader(const uint8_t* p) {
    return MsgHeader{readI32(p), readI32(p + 4), readI32(p + 8), readI32(p + 12)};
}

StatusWith<MsgHeader> parseHeader(const uint8_t* p, size_t n) {
    if (n < kMsgHeaderBytes) return protocolError("message header is truncated");
    MsgHeader h = decodeHeader(p);
    if (h.messageLength < static_cast<int32_t>(kMinMessageBytes) ||
        static_cast<size_t>(h.messageLength) > kMaxMessageBytes)
        return protocolError("invalid message length " + std::to_string(h.messageLength) +
                             " (must be " + std::to_string(kMinMessageBytes) + ".." +
                             std::to_string(kMaxMessageBytes) + ")");
    return h;
}

StatusWith<OpMsg> parseOpMsg(const MsgHeader& header, const uint8_t* payload, size_t n) {
    if (header.messageLength < 0 ||
        static_cast<size_t>(header.messageLength) != n + kMsgHeaderBytes)
        return protocolError("OP_MSG payload size disagrees with the header's messageLength");
    if (n < 4 + 1) return protocolError("OP_MSG too short");
    OpMsg msg;
    msg.flags = readU32(payload);
    if (msg.flags & kRequiredFlagsMask & ~kKnownRequiredFlags)
        return protocolError("OP_MSG has unknown required flag bits");
    size_t end = n;
    if (msg.flags & kFlagChecksumPresent) {
        MONGOSD_RETURN_IF_ERROR(verifyChecksum(header, payload, n));
        end = n - 4;
    }
    bool sawBody = false;
    for (size_t pos = 4; pos < end;) {
        uint8_t kind = payload[pos++];
        if (kind == kSectionBody) {
            if (sawBody) return protocolError("OP_MSG has more than one body section");
            auto body = readDocument(payload + pos, end - pos, "body section");
            if (!body.isOK()) return body.getStatus();
            pos += body.getValue().size();
            msg.body = std::move(body.getValue());
            sawBody = true;
        } else if (kind == kSectionSequence) {
            auto seq = readSequence(payload + pos, end - pos);
            if (!seq.isOK()) return seq.getStatus();
            pos += readU32(payload + pos);
            msg.sequences.push_back(std::move(seq.getValue()));
        } else {
            return protocolError("unknown OP_MSG section kind " + std::to_string(kind));
        }
    }
    MONGOSD_RETURN_IF_ERROR(checkSections(msg, sawBody));
    return msg;
}

BsonObj flattenSequences(const OpMsg& msg) {
    if (msg.sequences.empty()) return msg.body;
    BsonBuilder b;
    b.appendAll(msg.body);
    for (const auto& sequence : msg.sequences) {
        const std::vector<BsonObj>& docs = sequence.second;
        b.appendArray(sequence.first, [&docs](BsonBuilder& arr) {
            char buf[16];
            for (uint32_t i = 0; i < docs.size(); ++i)
                arr.appendDocument(arrayIndexKey(i, buf), docs[i].view());
        });
    }
    return b.obj();
}

std::string serializeOpMsg(int32_t requestId, int32_t responseTo, const OpMsg& msg,
                           bool withChecksum) {
    std::string out(kMsgHeaderBytes, '\0');
    uint32_t flags = msg.flags & ~kFlagChecksumPresent;
    if (withChecksum) flags |= kFlagChecksumPresent;
    appendU32(out, flags);
    out.push_back(char(kSectionBody));
    out.append(reinterpret_cast<const char*>(msg.body.data()), msg.body.size());
    for (const auto& [id, docs] : msg.sequences) {
        out.push_back(char(kSectionSequence));
        size_t sizePos = out.size();
        appendU32(out, 0);
        out.append(id).push_back('\0');
        for (const BsonObj& d : docs) out.append(reinterpret_cast<const char*>(d.data()), d.size());
        writeU32At(out, sizePos, static_cast<uint32_t>(out.size() - sizePos));
    }
    size_t total = out.size() + (withChecksum ? 4 : 0);
    invariant(total <= static_cast<size_t>(INT32_MAX));
    writeU32At(out, 0, static_cast<uint32_t>(total));
    writeU32At(out, 4, static_cast<uint32_t>(requestId));
    writeU32At(out, 8, static_cast<uint32_t>(responseTo));
    writeU32At(out, 12, static_cast<uint32_t>(kOpMsgOpCode));
    if (withChecksum)
        appendU32(out, crc32c(reinterpret_cast<const uint8_t*>(out.data()), out.size()));
    return out;
}

}  // namespace mongosd::net
