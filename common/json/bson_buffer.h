#pragma once
// A growable byte buffer that the JSON parser writes raw BSON into (little-endian, as BSON is).
// Writing the bytes directly instead of through bson_append_* keeps the parser's per-element cost
// to a few stores. Owned by one thread; the caller checks sizes (see JsonParseLimits).

#include <bson/bson.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace mongosd::json {

static_assert(std::endian::native == std::endian::little, "BSON is little-endian");

// memcpy that accepts an empty source (a default string_view has a null data pointer, which
// memcpy must not be given even for zero bytes).
inline void copyBytes(void* dst, const void* src, size_t n) {
    if (n) std::memcpy(dst, src, n);
}

class BsonBuffer {
public:
    const uint8_t* data() const { return _data.get(); }
    size_t size() const { return _size; }
    void clear() { _size = 0; }
    // Frees the storage when it grew beyond `keep` bytes, so one huge request does not pin
    // memory in a thread-local buffer forever.
    void shrinkTo(size_t keep) {
        if (_cap > keep) {
            _data.reset();
            _cap = 0;
        }
        _size = 0;
    }

    void reserveMore(size_t n) {
        if (_cap - _size < n) grow(n);
    }
    void put(uint8_t b) {
        reserveMore(1);
        _data[_size++] = b;
    }
    void put(const void* p, size_t n) {
        reserveMore(n);
        copyBytes(_data.get() + _size, p, n);
        _size += n;
    }
    template <typename T>
    void putLE(T v) {
        put(&v, sizeof(v));
    }
    // Room for n more bytes written by the caller; returns where they start.
    uint8_t* extend(size_t n) {
        reserveMore(n);
        uint8_t* at = _data.get() + _size;
        _size += n;
        return at;
    }
    void patchInt32(size_t at, int32_t v) { std::memcpy(_data.get() + at, &v, sizeof(v)); }

    // An element header: type byte and key as a C string (the caller has checked for NULs).
    void elementHeader(bson_type_t type, std::string_view key) {
        uint8_t* p = extend(key.size() + 2);
        p[0] = static_cast<uint8_t>(type);
        copyBytes(p + 1, key.data(), key.size());
        p[key.size() + 1] = 0;
    }
    // A BSON string body: int32 length including the NUL, the bytes, the NUL.
    void stringBody(std::string_view s) {
        uint8_t* p = extend(s.size() + 5);
        auto len = static_cast<int32_t>(s.size() + 1);
        std::memcpy(p, &len, 4);
        copyBytes(p + 4, s.data(), s.size());
        p[s.size() + 4] = 0;
    }
    void cstring(std::string_view s) {
        uint8_t* p = extend(s.size() + 1);
        copyBytes(p, s.data(), s.size());
        p[s.size()] = 0;
    }
    // Opens a document body; returns the offset to hand to endDocument().
    size_t beginDocument() {
        size_t at = _size;
        putLE<int32_t>(0);
        return at;
    }
    void endDocument(size_t at) {
        put(0);
        patchInt32(at, static_cast<int32_t>(_size - at));
    }

private:
    void grow(size_t n) {
        size_t cap = _cap < 4096 ? 4096 : _cap * 2;
        while (cap - _size < n) cap *= 2;
        auto next = std::make_unique_for_overwrite<uint8_t[]>(cap);
        if (_size) std::memcpy(next.get(), _data.get(), _size);
        _data = std::move(next);
        _cap = cap;
    }

    std::unique_ptr<uint8_t[]> _data;
    size_t _size = 0;
    size_t _cap = 0;
};

}  // namespace mongosd::json
