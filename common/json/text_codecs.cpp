#include "common/json/text_codecs.h"

#include <array>

namespace mongosd::json {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0..63 for alphabet characters, 0xFF for everything else (including '=').
constexpr std::array<uint8_t, 256> makeBase64Table() {
    std::array<uint8_t, 256> t{};
    for (auto& v : t) v = 0xFF;
    for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(kBase64Alphabet[i])] = i;
    return t;
}
constexpr std::array<uint8_t, 256> kBase64Table = makeBase64Table();

}  // namespace

int hexDigitValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool decodeHex(std::string_view hex, uint8_t* out, size_t n) {
    if (hex.size() != 2 * n) return false;
    for (size_t i = 0; i < n; ++i) {
        int hi = hexDigitValue(hex[2 * i]);
        int lo = hexDigitValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return true;
}

void appendHex(const uint8_t* data, size_t n, std::string& out) {
    size_t at = out.size();
    out.resize(at + 2 * n);
    char* p = out.data() + at;
    for (size_t i = 0; i < n; ++i) {
        p[2 * i] = kHexDigits[data[i] >> 4];
        p[2 * i + 1] = kHexDigits[data[i] & 0xF];
    }
}

ptrdiff_t base64DecodedSize(std::string_view b64) {
    if (b64.size() % 4 != 0) return -1;
    if (b64.empty()) return 0;
    size_t pad = 0;
    if (b64.back() == '=') pad = b64[b64.size() - 2] == '=' ? 2 : 1;
    return static_cast<ptrdiff_t>(b64.size() / 4 * 3 - pad);
}

bool decodeBase64(std::string_view b64, uint8_t* out) {
    size_t n = b64.size();
    if (n == 0) return true;
    const auto* s = reinterpret_cast<const uint8_t*>(b64.data());
    // All groups but the last are four alphabet characters.
    size_t full = n - 4;
    for (size_t i = 0; i < full; i += 4) {
        uint32_t a = kBase64Table[s[i]], b = kBase64Table[s[i + 1]];
        uint32_t c = kBase64Table[s[i + 2]], d = kBase64Table[s[i + 3]];
        if ((a | b | c | d) & 0x80) return false;
        uint32_t v = a << 18 | b << 12 | c << 6 | d;
        *out++ = static_cast<uint8_t>(v >> 16);
        *out++ = static_cast<uint8_t>(v >> 8);
        *out++ = static_cast<uint8_t>(v);
    }
    const uint8_t* g = s + full;
    uint32_t a = kBase64Table[g[0]], b = kBase64Table[g[1]];
    if ((a | b) & 0x80) return false;
    *out++ = static_cast<uint8_t>(a << 2 | b >> 4);
    if (g[2] == '=') return g[3] == '=';
    uint32_t c = kBase64Table[g[2]];
    if (c & 0x80) return false;
    *out++ = static_cast<uint8_t>(b << 4 | c >> 2);
    if (g[3] == '=') return true;
    uint32_t d = kBase64Table[g[3]];
    if (d & 0x80) return false;
    *out++ = static_cast<uint8_t>(c << 6 | d);
    return true;
}

void appendBase64(const uint8_t* data, size_t n, std::string& out) {
    size_t at = out.size();
    out.resize(at + (n + 2) / 3 * 4);
    char* p = out.data() + at;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8 | data[i + 2];
        *p++ = kBase64Alphabet[v >> 18];
        *p++ = kBase64Alphabet[(v >> 12) & 63];
        *p++ = kBase64Alphabet[(v >> 6) & 63];
        *p++ = kBase64Alphabet[v & 63];
    }
    if (i < n) {
        uint32_t v = uint32_t{data[i]} << 16;
        if (i + 1 < n) v |= uint32_t{data[i + 1]} << 8;
        *p++ = kBase64Alphabet[v >> 18];
        *p++ = kBase64Alphabet[(v >> 12) & 63];
        *p++ = i + 1 < n ? kBase64Alphabet[(v >> 6) & 63] : '=';
        *p++ = '=';
    }
}

}  // namespace mongosd::json
