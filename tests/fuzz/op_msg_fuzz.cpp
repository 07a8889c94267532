// libFuzzer target for the OP_MSG parser (parseHeader + parseOpMsg). Beyond "no crash", checks
// that whatever parses re-serializes to a message that parses to the same body and sequences,
// and that flattening yields valid BSON.

#include <cstdint>
#include <cstring>
#include <string>

#include "common/net/op_msg.h"

namespace {

using namespace mongosd;
using namespace mongosd::net;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

StatusWith<OpMsg> parseBytes(const uint8_t* data, size_t size) {
    auto header = parseHeader(data, size);
    if (!header.isOK()) return header.getStatus();
    return parseOpMsg(header.getValue(), data + kMsgHeaderBytes, size - kMsgHeaderBytes);
}

void checkRoundTrip(const OpMsg& msg) {
    check(validateBson(msg.body.data(), msg.body.size()).isOK());
    BsonObj flat = flattenSequences(msg);
    check(validateBson(flat.data(), flat.size(), kMaxMessageBytes).isOK());
    std::string again = serializeOpMsg(1, 2, msg, (msg.flags & kFlagChecksumPresent) != 0);
    auto reparsed = parseBytes(reinterpret_cast<const uint8_t*>(again.data()), again.size());
    check(reparsed.isOK());
    const OpMsg& r = reparsed.getValue();
    check(r.flags == msg.flags && r.body.view().binaryEqual(msg.body));
    check(r.sequences.size() == msg.sequences.size());
    for (size_t i = 0; i < r.sequences.size(); ++i) {
        check(r.sequences[i].first == msg.sequences[i].first);
        check(r.sequences[i].second.size() == msg.sequences[i].second.size());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // As sent: the header's length may disagree with the bytes present.
    if (size >= kMsgHeaderBytes) {
        auto header = parseHeader(data, size);
        if (header.isOK()) (void)parseOpMsg(header.getValue(), data + 16, size - 16);
    }
    // With an honest length, so the fuzzer's effort goes into the sections.
    if (size < kMsgHeaderBytes || size > kMaxMessageBytes) return 0;
    std::string honest(reinterpret_cast<const char*>(data), size);
    auto length = static_cast<uint32_t>(size);
    std::memcpy(honest.data(), &length, 4);  // little-endian host (x86-64, arm64)
    auto parsed = parseBytes(reinterpret_cast<const uint8_t*>(honest.data()), honest.size());
    if (parsed.isOK()) checkRoundTrip(parsed.getValue());
    return 0;
}
