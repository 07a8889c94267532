#include "common/net/op_msg.h"

#include <gtest/gtest.h>

#include <cstring>

namespace mongosd::net {
namespace {

BsonObj doc(std::string_view key, int32_t v) {
    BsonBuilder b;
    b.appendInt32(key, v);
    return b.obj();
}

BsonObj insertBody() {
    BsonBuilder b;
    b.appendString("insert", "courses").appendString("$db", "stargrad");
    return b.obj();
}

std::string le32(uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = char((v >> (8 * i)) & 0xFF);
    return s;
}

std::string bytesOf(const BsonObj& o) {
    return std::string(reinterpret_cast<const char*>(o.data()), o.size());
}

// A message from hand-written payload bytes (flags + sections), header computed honestly.
std::string frame(const std::string& payload, int32_t requestId = 7) {
    return le32(uint32_t(16 + payload.size())) + le32(requestId) + le32(0) + le32(kOpMsgOpCode) +
           payload;
}

StatusWith<OpMsg> parseWhole(const std::string& msg) {
    auto* p = reinterpret_cast<const uint8_t*>(msg.data());
    auto header = parseHeader(p, msg.size());
    if (!header.isOK()) return header.getStatus();
    return parseOpMsg(header.getValue(), p + kMsgHeaderBytes, msg.size() - kMsgHeaderBytes);
}

ErrorCodes::Error parseCode(const std::string& msg) { return parseWhole(msg).getStatus().code(); }

TEST(OpMsg, RoundTripsBodyAndHeader) {
    OpMsg msg;
    msg.body = doc("ping", 1);
    std::string bytes = serializeOpMsg(42, 17, msg);
    auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    auto header = parseHeader(p, bytes.size());
    ASSERT_TRUE(header.isOK()) << header.getStatus().toString();
    EXPECT_EQ(header.getValue().messageLength, static_cast<int32_t>(bytes.size()));
    EXPECT_EQ(header.getValue().requestId, 42);
    EXPECT_EQ(header.getValue().responseTo, 17);
    EXPECT_EQ(header.getValue().opCode, kOpMsgOpCode);
    auto parsed = parseOpMsg(header.getValue(), p + 16, bytes.size() - 16);
    ASSERT_TRUE(parsed.isOK()) << parsed.getStatus().toString();
    EXPECT_TRUE(parsed.getValue().body.view().binaryEqual(msg.body));
    EXPECT_TRUE(parsed.getValue().sequences.empty());
    EXPECT_EQ(parsed.getValue().flags, 0u);
}

TEST(OpMsg, KindOneSequencesRoundTripAndFlatten) {
    OpMsg msg;
    msg.flags = kFlagMoreToCome;
    msg.body = insertBody();
    msg.sequences.push_back({"documents", {doc("a", 1), doc("a", 2)}});
    msg.sequences.push_back({"empty", {}});
    auto parsed = parseWhole(serializeOpMsg(1, 0, msg));
    ASSERT_TRUE(parsed.isOK()) << parsed.getStatus().toString();
    const OpMsg& got = parsed.getValue();
    EXPECT_EQ(got.flags, kFlagMoreToCome);
    ASSERT_EQ(got.sequences.size(), 2u);
    EXPECT_EQ(got.sequences[0].first, "documents");
    ASSERT_EQ(got.sequences[0].second.size(), 2u);
    EXPECT_TRUE(got.sequences[0].second[1].view().binaryEqual(doc("a", 2)));
    EXPECT_TRUE(got.sequences[1].second.empty());

    BsonBuilder expected;
    expected.appendAll(insertBody());
    expected.appendArray("documents", [](BsonBuilder& a) {
        a.appendDocument("0", doc("a", 1).view()).appendDocument("1", doc("a", 2).view());
    });
    expected.appendArray("empty", [](BsonBuilder&) {});
    EXPECT_TRUE(flattenSequences(got).view().binaryEqual(expected.obj()));
}

TEST(OpMsg, FlattenWithoutSequencesIsTheBody) {
    OpMsg msg;
    msg.body = doc("ping", 1);
    EXPECT_EQ(flattenSequences(msg).data(), msg.body.data());
}

TEST(Crc32c, KnownVectorsAndExtend) {
    const std::string check = "123456789";
    auto* p = reinterpret_cast<const uint8_t*>(check.data());
    EXPECT_EQ(crc32c(p, check.size()), 0xE3069283u);  // the standard CRC-32C check value
    EXPECT_EQ(crc32c(p, 0), 0u);
    EXPECT_EQ(crc32cExtend(crc32c(p, 4), p + 4, 5), crc32c(p, 9));
    std::string zeros(32, '\0');
    EXPECT_EQ(crc32c(reinterpret_cast<const uint8_t*>(zeros.data()), 32), 0x8A9136AAu);
}

TEST(OpMsg, ChecksumVerifiedWhenPresent) {
    OpMsg msg;
    msg.body = doc("ping", 1);
    std::string good = serializeOpMsg(3, 0, msg, true);
    auto parsed = parseWhole(good);
    ASSERT_TRUE(parsed.isOK()) << parsed.getStatus().toString();
    EXPECT_TRUE(parsed.getValue().flags & kFlagChecksumPresent);
    EXPECT_TRUE(parsed.getValue().body.view().binaryEqual(msg.body));

    std::string corruptBody = good;
    corruptBody[good.size() - 6] ^= 0x01;  // inside the body, not the checksum
    EXPECT_EQ(parseCode(corruptBody), ErrorCodes::ProtocolError);
    std::string corruptSum = good;
    corruptSum.back() ^= 0x40;
    EXPECT_EQ(parseCode(corruptSum), ErrorCodes::ProtocolError);
    std::string corruptRequestId = good;  // the header is covered too
    corruptRequestId[4] ^= 0x01;
    EXPECT_EQ(parseCode(corruptRequestId), ErrorCodes::ProtocolError);
}

TEST(OpMsg, SerializeIgnoresChecksumFlagWithoutChecksum) {
    OpMsg msg;
    msg.flags = kFlagChecksumPresent;
    msg.body = doc("ping", 1);
    auto parsed = parseWhole(serializeOpMsg(3, 0, msg, false));
    ASSERT_TRUE(parsed.isOK()) << parsed.getStatus().toString();
    EXPECT_EQ(parsed.getValue().flags & kFlagChecksumPresent, 0u);
}

TEST(OpMsgHeader, RejectsBadLengths) {
    std::string ok = frame(le32(0) + '\0' + bytesOf(doc("ping", 1)));
    auto* p = reinterpret_cast<const uint8_t*>(ok.data());
    EXPECT_EQ(parseHeader(p, 15).getStatus().code(), ErrorCodes::ProtocolError);  // short
    auto withLength = [&](int32_t len) {
        std::string m = le32(uint32_t(len)) + ok.substr(4, 12);
        return parseHeader(reinterpret_cast<const uint8_t*>(m.data()), m.size()).getStatus();
    };
    EXPECT_TRUE(withLength(21).isOK());
    EXPECT_TRUE(withLength(int32_t(kMaxMessageBytes)).isOK());
    EXPECT_EQ(withLength(20).code(), ErrorCodes::ProtocolError);
    EXPECT_EQ(withLength(0).code(), ErrorCodes::ProtocolError);
    EXPECT_EQ(withLength(-1).code(), ErrorCodes::ProtocolError);
    EXPECT_EQ(withLength(INT32_MIN).code(), ErrorCodes::ProtocolError);
    EXPECT_EQ(withLength(int32_t(kMaxMessageBytes) + 1).code(), ErrorCodes::ProtocolError);
    EXPECT_EQ(withLength(INT32_MAX).code(), ErrorCodes::ProtocolError);
}

TEST(OpMsgHeader, DecodeHeaderKeepsFieldsOfAnInvalidHeader) {
    std::string m = le32(uint32_t(-5)) + le32(99) + le32(4) + le32(2004);
    MsgHeader h = decodeHeader(reinterpret_cast<const uint8_t*>(m.data()));
    EXPECT_EQ(h.messageLength, -5);
    EXPECT_EQ(h.requestId, 99);
    EXPECT_EQ(h.responseTo, 4);
    EXPECT_EQ(h.opCode, 2004);
}

TEST(OpMsgParse, RejectsPayloadSizeDisagreeingWithHeader) {
    std::string m = frame(le32(0) + '\0' + bytesOf(doc("ping", 1)));
    auto header = parseHeader(reinterpret_cast<const uint8_t*>(m.data()), m.size());
    ASSERT_TRUE(header.isOK());
    auto* payload = reinterpret_cast<const uint8_t*>(m.data()) + 16;
    EXPECT_EQ(parseOpMsg(header.getValue(), payload, m.size() - 17).getStatus().code(),
              ErrorCodes::ProtocolError);
}

TEST(OpMsgParse, RejectsBodyOverrunningTheMessage) {
    std::string body = bytesOf(doc("ping", 1));
    std::string lying = le32(uint32_t(body.size() + 100)) + body.substr(4);
    EXPECT_EQ(parseCode(frame(le32(0) + '\0' + lying)), ErrorCodes::ProtocolError);
    EXPECT_EQ(parseCode(frame(le32(0) + '\0' + body.substr(0, body.size() - 3))),
              ErrorCodes::ProtocolError);
    EXPECT_EQ(parseCode(frame(le32(0) + '\0' + "\x10\x00")), ErrorCodes::ProtocolError);
}

TEST(OpMsgParse, RejectsBodyLengthShorterThanItsBytes) {
    // The body claims fewer bytes than it has: the leftover is read as a section and fails.
    std::string body = bytesOf(doc("ping", 1));
    std::string shortened = le32(uint32_t(body.size() - 2)) + body.substr(4);
    EXPECT_FALSE(parseWhole(frame(le32(0) + '\0' + shortened)).isOK());
}

TEST(OpMsgParse, RejectsBadSectionKind) {
    std::string m = frame(le32(0) + '\0' + bytesOf(doc("ping", 1)) + '\x02' + bytesOf(doc("x", 1)));
    auto st = parseWhole(m).getStatus();
    EXPECT_EQ(st.code(), ErrorCodes::ProtocolError);
    EXPECT_NE(st.reason().find("section kind 2"), std::string::npos) << st.reason();
}

TEST(OpMsgParse, RejectsInvalidBson) {
    BsonBuilder b;
    b.appendString("s", std::string_view("\xff\xfe", 2));
    EXPECT_EQ(parseCode(frame(le32(0) + '\0' + bytesOf(b.obj()))), ErrorCodes::InvalidBSON);
    // Element type 0x7A does not exist: {len, 0x7A, "k\0", 4 bytes, 0}.
    const char raw[] = {12, 0, 0, 0, 0x7A, 'k', 0, 1, 2, 3, 4, 0};
    std::string badType(raw, sizeof(raw));
    EXPECT_EQ(parseCode(frame(le32(0) + '\0' + badType)), ErrorCodes::InvalidBSON);
}

TEST(OpMsgParse, RejectsTooDeepBody) {
    // Command bodies may nest kMaxCommandDepth levels (user documents plus their envelope).
    BsonBuilder leaf;
    leaf.appendInt32("x", 1);
    BsonObj cur = leaf.obj();
    for (int i = 0; i < kMaxCommandDepth + 5; ++i) {
        BsonBuilder b;
        b.appendDocument("a", cur.view());
        cur = b.obj();
    }
    EXPECT_EQ(parseCode(frame(le32(0) + '\0' + bytesOf(cur))), ErrorCodes::Overflow);
}

TEST(OpMsgParse, RejectsMissingOrDuplicateBody) {
    std::string seq = std::string(1, '\x01') + le32(4 + 2 + uint32_t(doc("a", 1).size())) + "d" +
                      '\0' + bytesOf(doc("a", 1));
    EXPECT_EQ(parseCode(frame(le32(0) + seq)), ErrorCodes::ProtocolError);
    std::string body = std::string(1, '\0') + bytesOf(doc("ping", 1));
    EXPECT_EQ(parseCode(frame(le32(0) + body + body)), ErrorCodes::ProtocolError);
    EXPECT_EQ(parseCode(frame(le32(0))), ErrorCodes::ProtocolError);  // no sections at all
}

TEST(OpMsgParse, FlagBits) {
    std::string body = std::string(1, '\0') + bytesOf(doc("ping", 1));
    EXPECT_EQ(parseCode(frame(le32(1u << 3) + body)), ErrorCodes::ProtocolError);  // required
    auto optional = parseWhole(frame(le32(kFlagExhaustAllowed | (1u << 20)) + body));
    ASSERT_TRUE(optional.isOK()) << optional.getStatus().toString();
    // checksumPresent on a message too short to hold one.
    EXPECT_EQ(parseCode(frame(le32(kFlagChecksumPresent) + '\0')), ErrorCodes::ProtocolError);
}

std::string sequenceSection(const std::string& id, const std::vector<BsonObj>& docs) {
    std::string content = id + '\0';
    for (const auto& d : docs) content += bytesOf(d);
    return std::string(1, '\x01') + le32(uint32_t(4 + content.size())) + content;
}

TEST(OpMsgParse, RejectsMalformedSequences) {
    std::string body = std::string(1, '\0') + bytesOf(insertBody());
    std::string good = sequenceSection("documents", {doc("a", 1)});
    ASSERT_TRUE(parseWhole(frame(le32(0) + body + good)).isOK());

    std::string overrun = good;
    overrun.replace(1, 4, le32(uint32_t(good.size() + 10)));
    EXPECT_EQ(parseCode(frame(le32(0) + body + overrun)), ErrorCodes::ProtocolError);

    std::string tooSmall = good;
    tooSmall.replace(1, 4, le32(3));
    EXPECT_EQ(parseCode(frame(le32(0) + body + tooSmall)), ErrorCodes::ProtocolError);

    // A document sticking out of its sequence: the size ends mid-document.
    std::string docOverrun = good;
    docOverrun.replace(1, 4, le32(uint32_t(good.size() - 1 - 3)));
    EXPECT_FALSE(parseWhole(frame(le32(0) + body + docOverrun)).isOK());

    std::string unterminated = std::string(1, '\x01') + le32(4 + 3) + "abc";
    EXPECT_EQ(parseCode(frame(le32(0) + body + unterminated)), ErrorCodes::ProtocolError);

    EXPECT_EQ(parseCode(frame(le32(0) + body + sequenceSection("", {}))),
              ErrorCodes::ProtocolError);
    EXPECT_EQ(parseCode(frame(le32(0) + body + sequenceSection("bad id", {}))),
              ErrorCodes::ProtocolError);
    EXPECT_EQ(parseCode(frame(le32(0) + body + good + good)), ErrorCodes::ProtocolError);
    EXPECT_EQ(parseCode(frame(le32(0) + body + sequenceSection("insert", {}))),
              ErrorCodes::ProtocolError);  // clashes with a body field

    BsonBuilder bad;
    bad.appendString("s", std::string_view("\xc3", 1));
    EXPECT_EQ(parseCode(frame(le32(0) + body + sequenceSection("documents", {bad.obj()}))),
              ErrorCodes::InvalidBSON);
}

// Cuts the message at every byte, with a header telling the truth about the cut length.
std::vector<StatusWith<OpMsg>> parseEveryTruncation(const std::string& whole) {
    std::vector<StatusWith<OpMsg>> out;
    for (size_t cut = 17; cut < whole.size(); ++cut) {
        std::string m = whole.substr(0, cut);
        m.replace(0, 4, le32(uint32_t(cut)));
        out.push_back(parseWhole(m));
    }
    return out;
}

TEST(OpMsgParse, TruncationAtEveryByteIsRejectedCleanly) {
    OpMsg msg;
    msg.body = insertBody();
    msg.sequences.push_back({"documents", {doc("a", 1), doc("b", 2)}});
    for (const auto& r : parseEveryTruncation(serializeOpMsg(1, 0, msg, true)))
        EXPECT_FALSE(r.isOK());
    // Without a checksum, only the cut right after the body leaves a well-formed message.
    size_t bodyEnd = 16 + 4 + 1 + insertBody().size();
    auto results = parseEveryTruncation(serializeOpMsg(1, 0, msg, false));
    for (size_t i = 0; i < results.size(); ++i)
        EXPECT_EQ(results[i].isOK(), 17 + i == bodyEnd) << "cut at " << 17 + i;
}

}  // namespace
}  // namespace mongosd::net
