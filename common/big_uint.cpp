#include "common/big_uint.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/invariant.h"

namespace mongosd {

BigUint::BigUint(uint64_t v) {
    pushLimb(static_cast<uint32_t>(v));
    pushLimb(static_cast<uint32_t>(v >> 32));
    trim();
}

BigUint BigUint::fromU128(unsigned __int128 v) {
    BigUint r;
    for (int i = 0; i < 4; ++i) r.pushLimb(static_cast<uint32_t>(v >> (32 * i)));
    r.trim();
    return r;
}

BigUint::BigUint(const BigUint& other) : _size(other._size) {
    std::memcpy(_limbs, other._limbs, _size * sizeof(uint32_t));
}

BigUint& BigUint::operator=(const BigUint& other) {
    _size = other._size;
    std::memmove(_limbs, other._limbs, _size * sizeof(uint32_t));
    return *this;
}

void BigUint::pushLimb(uint32_t limb) {
    invariantMsg(_size < kMaxLimbs, "BigUint capacity exceeded");
    _limbs[_size++] = limb;
}

void BigUint::trim() {
    while (_size > 0 && _limbs[_size - 1] == 0) --_size;
}

uint32_t BigUint::bitLength() const {
    if (_size == 0) return 0;
    return 32 * (_size - 1) + (32 - std::countl_zero(_limbs[_size - 1]));
}

uint32_t BigUint::countTrailingZeros() const {
    invariant(!isZero());
    uint32_t i = 0;
    while (_limbs[i] == 0) ++i;
    return 32 * i + std::countr_zero(_limbs[i]);
}

bool BigUint::anyBitBelow(uint32_t pos) const {
    uint32_t full = std::min(pos / 32, _size);
    for (uint32_t i = 0; i < full; ++i)
        if (_limbs[i] != 0) return true;
    if (full < _size && pos % 32 != 0) {
        uint32_t mask = (uint32_t{1} << (pos % 32)) - 1;
        return (_limbs[full] & mask) != 0;
    }
    return false;
}

uint64_t BigUint::bitsFrom(uint32_t from) const {
    uint64_t out = 0;
    for (uint32_t k = 0; k < 64; k += 32) {
        // Gather 32 bits starting at bit `from + k`, which may straddle two limbs.
        uint32_t bit = from + k;
        uint32_t limb = bit / 32, shift = bit % 32;
        uint64_t lo = limb < _size ? _limbs[limb] : 0;
        uint64_t hi = limb + 1 < _size ? _limbs[limb + 1] : 0;
        uint64_t window = (lo | (hi << 32)) >> shift;
        out |= (window & 0xFFFFFFFFu) << k;
    }
    return out;
}

unsigned __int128 BigUint::toU128() const {
    invariant(fitsU128());
    unsigned __int128 v = 0;
    for (uint32_t i = _size; i-- > 0;) v = (v << 32) | _limbs[i];
    return v;
}

void BigUint::mulSmall(uint32_t m) {
    uint64_t carry = 0;
    for (uint32_t i = 0; i < _size; ++i) {
        uint64_t cur = uint64_t{_limbs[i]} * m + carry;
        _limbs[i] = static_cast<uint32_t>(cur);
        carry = cur >> 32;
    }
    if (carry != 0) pushLimb(static_cast<uint32_t>(carry));
    trim();
}

void BigUint::mulPow5(uint32_t n) {
    constexpr uint32_t kPow5_13 = 1220703125;  // largest power of 5 below 2^32
    for (; n >= 13; n -= 13) mulSmall(kPow5_13);
    uint32_t rest = 1;
    for (; n > 0; --n) rest *= 5;
    mulSmall(rest);
}

void BigUint::mulPow10(uint32_t n) {
    mulPow5(n);
    shiftLeft(n);
}

void BigUint::shiftLeft(uint32_t bits) {
    if (_size == 0 || bits == 0) return;
    uint32_t limbShift = bits / 32, bitShift = bits % 32;
    uint32_t top = bitShift == 0 ? 0 : _limbs[_size - 1] >> (32 - bitShift);
    invariantMsg(_size + limbShift + (top != 0 ? 1 : 0) <= kMaxLimbs, "BigUint capacity exceeded");
    // Walk from the top so the in-place move never overwrites unread limbs.
    for (uint32_t i = _size; i-- > 0;) {
        uint32_t lowPart = (bitShift != 0 && i > 0) ? _limbs[i - 1] >> (32 - bitShift) : 0;
        _limbs[i + limbShift] = (_limbs[i] << bitShift) | lowPart;
    }
    for (uint32_t i = 0; i < limbShift; ++i) _limbs[i] = 0;
    _size += limbShift;
    if (top != 0) _limbs[_size++] = top;
}

uint32_t BigUint::divSmall(uint32_t d) {
    invariant(d != 0);
    uint64_t rem = 0;
    for (uint32_t i = _size; i-- > 0;) {
        uint64_t cur = (rem << 32) | _limbs[i];
        _limbs[i] = static_cast<uint32_t>(cur / d);
        rem = cur % d;
    }
    trim();
    return static_cast<uint32_t>(rem);
}

BigUint BigUint::timesU64(uint64_t m) const {
    BigUint out;
    if (_size == 0 || m == 0) return out;
    uint32_t mLo = static_cast<uint32_t>(m), mHi = static_cast<uint32_t>(m >> 32);
    invariantMsg(_size + 2 <= kMaxLimbs, "BigUint capacity exceeded");
    out._size = _size + 2;
    std::fill(out._limbs, out._limbs + out._size, 0u);
    for (uint32_t part = 0; part < 2; ++part) {
        uint32_t mul = part == 0 ? mLo : mHi;
        uint64_t carry = 0;
        for (uint32_t i = 0; i < _size; ++i) {
            uint64_t cur = uint64_t{_limbs[i]} * mul + out._limbs[i + part] + carry;
            out._limbs[i + part] = static_cast<uint32_t>(cur);
            carry = cur >> 32;
        }
        for (uint32_t k = _size + part; carry != 0; ++k) {
            uint64_t cur = uint64_t{out._limbs[k]} + carry;
            out._limbs[k] = static_cast<uint32_t>(cur);
            carry = cur >> 32;
        }
    }
    out.trim();
    return out;
}

int compare(const BigUint& a, const BigUint& b) {
    if (a._size != b._size) return a._size < b._size ? -1 : 1;
    for (uint32_t i = a._size; i-- > 0;) {
        if (a._limbs[i] != b._limbs[i]) return a._limbs[i] < b._limbs[i] ? -1 : 1;
    }
    return 0;
}

}  // namespace mongosd
