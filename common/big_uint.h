#pragma once
// BigUint: a fixed-capacity unsigned integer for the exact arithmetic that Decimal128 needs
// (comparing c * 10^q against doubles and integers, and placing it on the KeyString number
// line). It lives on the stack and never allocates, so the KeyString encoder stays
// allocation-free. Any thread; a value type.
//
// Capacity is 15360 bits: a Decimal128 coefficient (113 bits) times 5^6176 (14340 bits) plus
// 64 bits of quotient headroom fits. Exceeding it is a caller bug and fails an invariant.

#include <cstdint>

namespace mongosd {

class BigUint {
public:
    static constexpr uint32_t kMaxLimbs = 480;  // 32-bit limbs
    static constexpr uint32_t kMaxBits = kMaxLimbs * 32;

    BigUint() = default;
    explicit BigUint(uint64_t v);
    static BigUint fromU128(unsigned __int128 v);
    // Copies only the limbs in use (the rest of the array is never read).
    BigUint(const BigUint& other);
    BigUint& operator=(const BigUint& other);

    bool isZero() const { return _size == 0; }
    // Number of significant bits; 0 for zero.
    uint32_t bitLength() const;
    // Index of the lowest set bit. Requires !isZero().
    uint32_t countTrailingZeros() const;
    // Whether any bit strictly below position `pos` is set.
    bool anyBitBelow(uint32_t pos) const;
    // The 64 bits [from, from + 64) as an integer (bits past the top read as zero).
    uint64_t bitsFrom(uint32_t from) const;
    bool fitsU128() const { return _size <= 4; }
    unsigned __int128 toU128() const;  // requires fitsU128()

    void mulSmall(uint32_t m);
    void mulPow5(uint32_t n);
    void mulPow10(uint32_t n);
    void shiftLeft(uint32_t bits);
    // Divides in place by d > 0 and returns the remainder.
    uint32_t divSmall(uint32_t d);
    BigUint timesU64(uint64_t m) const;

    // Three-way comparison: <0, 0, >0.
    friend int compare(const BigUint& a, const BigUint& b);

private:
    void trim();
    void pushLimb(uint32_t limb);

    uint32_t _size = 0;  // limbs in use; _limbs[_size - 1] != 0
    uint32_t _limbs[kMaxLimbs];
};

}  // namespace mongosd
