#pragma once
// The simulator's one source of randomness: SplitMix64, defined bit for bit here (unlike
// std:: distributions) so a seed gives the same run on every platform and library version.

#include <cstdint>

namespace mongosd::sim {

class SimRng {
public:
    explicit SimRng(uint64_t seed) : _state(seed) {}

    uint64_t next() {
        uint64_t z = (_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [lo, hi] (modulo bias is irrelevant here).
    int64_t uniform(int64_t lo, int64_t hi) { return lo + int64_t(next() % uint64_t(hi - lo + 1)); }
    // True with probability permille / 1000.
    bool chance(int permille) { return int(next() % 1000) < permille; }

private:
    uint64_t _state;
};

// FNV-1a step over a 64-bit value: the trace hash and the checker's prefix hashes.
inline uint64_t hashMix(uint64_t h, uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 0x100000001b3ull;
    }
    return h;
}
inline constexpr uint64_t kHashSeed = 0xcbf29ce484222325ull;

}  // namespace mongosd::sim
