#pragma once
// MongoDB wire protocol framing for OP_MSG (opCode 2013): pure functions, no I/O, any thread.
//
// A message is a 16-byte little-endian header (messageLength, requestID, responseTo, opCode)
// followed by flagBits (uint32), sections and an optional CRC-32C:
//   section kind 0: one BSON document, the command body (exactly one per message);
//   section kind 1: int32 size (counting itself), a cstring identifier, then BSON documents
//                   filling the size exactly: a "document sequence" such as insert's documents.
//   checksum:       when flag bit 0 (checksumPresent) is set, the last 4 bytes are the CRC-32C
//                   of every byte before them, header included.
//
// The parser never trusts its input: every length is checked against what is left, every BSON
// document goes through validateBson(), and the results own copies of their bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bson.h"
#include "common/status.h"

namespace mongosd::net {

constexpr int32_t kOpMsgOpCode = 2013;
constexpr size_t kMsgHeaderBytes = 16;
// Header + flagBits + one section-kind byte: nothing shorter can be an OP_MSG.
constexpr size_t kMinMessageBytes = 21;
// API.md: max message 48,000,000 bytes (MongoDB's maxMessageSizeBytes).
constexpr size_t kMaxMessageBytes = 48'000'000;

// OP_MSG flagBits. Bits 0-15 are "required": a receiver must reject ones it does not know.
constexpr uint32_t kFlagChecksumPresent = 1u << 0;
constexpr uint32_t kFlagMoreToCome = 1u << 1;
constexpr uint32_t kFlagExhaustAllowed = 1u << 16;

struct MsgHeader {
    int32_t messageLength = 0;  // whole message, header included
    int32_t requestId = 0;
    int32_t responseTo = 0;
    int32_t opCode = 0;
};

struct OpMsg {
    uint32_t flags = 0;
    BsonObj body;
    // Kind-1 sections in wire order: identifier -> documents.
    std::vector<std::pair<std::string, std::vector<BsonObj>>> sequences;
};

// Reads the four header fields from p[0..16) without judging them (p must hold 16 bytes). Lets a
// server answer a message whose length it rejects, since requestId is still known.
MsgHeader decodeHeader(const uint8_t* p);

// Decodes and checks a header: n >= 16 and kMinMessageBytes <= messageLength <= kMaxMessageBytes
// (ProtocolError otherwise). Does not check the opCode: callers decide what they accept.
StatusWith<MsgHeader> parseHeader(const uint8_t* p, size_t n);

// Parses the bytes after the header. n must equal header.messageLength - 16. Errors:
// ProtocolError for framing (overruns, bad section kind, no or two bodies, unknown required flag
// bits, duplicate or bad sequence identifiers, a sequence named like a body field, checksum
// mismatch); validateBson()'s InvalidBSON / Overflow / BSONObjectTooLarge for documents.
StatusWith<OpMsg> parseOpMsg(const MsgHeader& header, const uint8_t* payload, size_t n);

// The body with each kind-1 sequence appended as an array field, as MongoDB presents commands to
// their implementations ({insert: "c", documents: [...]}). parseOpMsg() guarantees no clash.
BsonObj flattenSequences(const OpMsg& msg);

// Encodes a whole message (header included). msg.flags' checksumPresent bit is ignored:
// withChecksum decides it and appends the CRC-32C.
std::string serializeOpMsg(int32_t requestId, int32_t responseTo, const OpMsg& msg,
                           bool withChecksum = false);

// CRC-32C (Castagnoli), as OP_MSG checksums use. crc32cExtend continues a running value, so
// crc32c(ab) == crc32cExtend(crc32c(a), b).
uint32_t crc32c(const uint8_t* data, size_t n);
uint32_t crc32cExtend(uint32_t crc, const uint8_t* data, size_t n);

}  // namespace mongosd::net
