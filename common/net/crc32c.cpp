// CRC-32C (Castagnoli polynomial, reflected 0x82F63B78). Uses the SSE4.2 crc32 instruction when
// the CPU has it (checksummed 48 MB messages stay cheap) and a byte table otherwise.

#include <array>
#include <cstring>

#include "common/net/op_msg.h"

namespace mongosd::net {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78u;

constexpr std::array<uint32_t, 256> makeTable() {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
        table[i] = c;
    }
    return table;
}

constexpr std::array<uint32_t, 256> kTable = makeTable();

uint32_t extendPortable(uint32_t state, const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) state = kTable[(state ^ p[i]) & 0xFF] ^ (state >> 8);
    return state;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t extendHardware(uint32_t state, const uint8_t* p,
                                                          size_t n) {
    uint64_t s = state;
    while (n >= 8) {
        uint64_t word;
        std::memcpy(&word, p, 8);
        s = __builtin_ia32_crc32di(s, word);
        p += 8;
        n -= 8;
    }
    auto s32 = static_cast<uint32_t>(s);
    while (n-- > 0) s32 = __builtin_ia32_crc32qi(s32, *p++);
    return s32;
}

bool hasHardwareCrc() {
    static const bool has = __builtin_cpu_supports("sse4.2");
    return has;
}
#endif

}  // namespace

uint32_t crc32cExtend(uint32_t crc, const uint8_t* data, size_t n) {
    uint32_t state = ~crc;
#if defined(__x86_64__)
    if (hasHardwareCrc()) return ~extendHardware(state, data, n);
#endif
    return ~extendPortable(state, data, n);
}

uint32_t crc32c(const uint8_t* data, size_t n) { return crc32cExtend(0, data, n); }

}  // namespace mongosd::net
