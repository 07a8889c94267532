#pragma once
// Internal to KeyString: the type bytes and the byte reader shared by the encoder and decoder.
// docs/keystring.md is the reference for the format; change both together.
//
// Invariants:
//   1. Type bytes follow canonical type rank, so the first byte of a component decides any
//      comparison between values of different ranks.
//   2. Every component encoding is prefix-free (no encoding is a proper prefix of another):
//      so components concatenate, and inverting a component's bytes (descending) reverses
//      exactly its order.
//   3. No type byte is 0x00: 0x00 ends objects and arrays, below any element.

#include <cstdint>
#include <string_view>

namespace mongosd::keystring::detail {

enum TypeByte : uint8_t {
    kMinKey = 0x0A,
    kUndefined = 0x0F,
    kNull = 0x14,
    kNumberNaN = 0x1E,
    kNumberNegativeInfinity = 0x1F,
    kNumberNegative = 0x20,
    kNumberZero = 0x21,
    kNumberPositive = 0x22,
    kNumberPositiveInfinity = 0x23,
    kString = 0x3C,  // also symbol
    kObject = 0x46,
    kArray = 0x50,
    kBinData = 0x5A,
    kObjectId = 0x64,
    kFalse = 0x6E,
    kTrue = 0x6F,
    kDate = 0x78,
    kTimestamp = 0x7D,
    kRegex = 0x82,
    kDbPointer = 0x8C,
    kCode = 0x96,
    kCodeWithScope = 0xA0,
    kMaxKey = 0xF0,
};

constexpr uint8_t kEnd = 0x00;              // ends an object or array
constexpr uint8_t kStringEscape = 0xFF;     // 0x00 0xFF is a NUL byte inside a string
constexpr int kFieldRankOffset = 2;         // object field rank byte = canonical rank + 2
constexpr uint32_t kExponentBias = 0x8000;  // binary and decimal exponents, 2 bytes
constexpr int kMaxNestingDepth = 100;       // objects/arrays inside one component

// Reads a component, undoing the inversion of descending components. Never reads past the end.
class Reader {
public:
    Reader(std::string_view bytes, size_t pos) : _bytes(bytes), _pos(pos) {}

    void setInverted(bool inverted) { _mask = inverted ? 0xFF : 0x00; }
    size_t position() const { return _pos; }
    bool atEnd() const { return _pos >= _bytes.size(); }
    size_t remaining() const { return _bytes.size() - _pos; }

    bool readByte(uint8_t* out) {
        if (_pos >= _bytes.size()) return false;
        *out = static_cast<uint8_t>(_bytes[_pos++]) ^ _mask;
        return true;
    }
    bool peekByte(uint8_t* out) const {
        if (_pos >= _bytes.size()) return false;
        *out = static_cast<uint8_t>(_bytes[_pos]) ^ _mask;
        return true;
    }
    // Reads n bytes big-endian into an integer (n <= 8).
    bool readBigEndian(int n, uint64_t* out) {
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) {
            uint8_t b;
            if (!readByte(&b)) return false;
            v = (v << 8) | b;
        }
        *out = v;
        return true;
    }

private:
    std::string_view _bytes;
    size_t _pos;
    uint8_t _mask = 0;
};

}  // namespace mongosd::keystring::detail
