#pragma once
// The random number and key generators of YCSB's CoreWorkload, reproduced so that a run here
// draws keys with the same distributions as the Java client:
//
//  - fnvHash64(): YCSB's Utils.fnvhash64 (FNV-1 over the 8 little-endian bytes, then Java's
//    Math.abs), which turns a record number into its key `user<hash>` (orderedinserts=false).
//  - ZipfianGenerator: Gray et al.'s "Quickly generating billion-record synthetic databases"
//    algorithm with YCSB's constant 0.99; the item count may grow (SkewedLatestGenerator).
//  - ScrambledZipfianGenerator: a zipfian over 10^10 items (precomputed zeta) hashed onto the
//    key range, so popular items are spread over the key space.
//  - SkewedLatestGenerator: zipfian distance back from the newest acknowledged insert.
//  - AcknowledgedCounter: hands out insert key numbers; lastValue() is the highest number below
//    which every insert has finished, so readers never pick a key still being inserted.
//
// Threads: Rng and the generators are per thread (they keep state); AcknowledgedCounter is
// shared and thread-safe.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>

namespace mongosd::ycsb {

// xoshiro256** seeded through splitmix64: fast, and a run is reproducible from --seed.
class Rng {
public:
    explicit Rng(uint64_t seed);
    uint64_t next();
    // Uniform in [0, 1).
    double nextDouble() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in [0, n); n > 0.
    uint64_t below(uint64_t n);

private:
    uint64_t _s[4];
};

// YCSB's Utils.fnvhash64, including its Math.abs on the signed result.
uint64_t fnvHash64(uint64_t value);

// "user" + (hashed or plain) key number, left-padded with zeros to `zeroPadding` digits.
std::string buildKeyName(uint64_t keyNum, bool orderedInserts, int zeroPadding = 1);

// Uniform integers in [lo, hi].
class UniformGenerator {
public:
    UniformGenerator(uint64_t lo, uint64_t hi) : _lo(lo), _span(hi - lo + 1) {}
    uint64_t next(Rng& rng) { return _lo + rng.below(_span); }

private:
    uint64_t _lo;
    uint64_t _span;
};

// zeta(n, theta) = sum_{i=1..n} 1 / i^theta, continued from a partial sum over the first `from`.
double zeta(uint64_t from, uint64_t n, double theta, double partialSum);

class ZipfianGenerator {
public:
    static constexpr double kZipfianConstant = 0.99;

    // Items min..max inclusive; item min is the most popular. `zetan` < 0: computed here (O(n)).
    ZipfianGenerator(uint64_t min, uint64_t max, double theta = kZipfianConstant,
                     double zetan = -1);

    uint64_t next(Rng& rng) { return next(rng, _items); }
    // Draws from the first `itemCount` items. A larger count than before extends zeta
    // incrementally; a smaller one keeps the old zeta (YCSB's default, allowitemcountdecrease
    // false).
    uint64_t next(Rng& rng, uint64_t itemCount);

private:
    void setItemCount(uint64_t itemCount);

    uint64_t _base;
    uint64_t _items;
    double _theta;
    double _zeta2theta;
    double _alpha;
    double _zetan;
    double _eta;
    uint64_t _countForZeta;
};

class ScrambledZipfianGenerator {
public:
    static constexpr uint64_t kItemCount = 10'000'000'000ULL;
    static constexpr double kZetan = 26.46902820178302;  // zeta(10^10 + 1, 0.99)

    ScrambledZipfianGenerator(uint64_t min, uint64_t max)
        : _min(min),
          _itemCount(max - min + 1),
          _zipf(0, kItemCount, ZipfianGenerator::kZipfianConstant, kZetan) {}
    uint64_t next(Rng& rng) { return _min + fnvHash64(_zipf.next(rng)) % _itemCount; }

private:
    uint64_t _min;
    uint64_t _itemCount;
    ZipfianGenerator _zipf;
};

// Insert key numbers, starting at `start`. Thread-safe.
class AcknowledgedCounter {
public:
    explicit AcknowledgedCounter(uint64_t start) : _next(start), _limit(start - 1) {}
    uint64_t next() { return _next.fetch_add(1, std::memory_order_relaxed); }
    // Marks an insert finished (successfully or not).
    void acknowledge(uint64_t value);
    // Highest n such that every number <= n has been acknowledged (start - 1 at first).
    uint64_t lastValue() const { return _limit.load(std::memory_order_acquire); }

private:
    std::atomic<uint64_t> _next;
    std::atomic<uint64_t> _limit;
    std::mutex _mutex;
    std::set<uint64_t> _pending;  // acknowledged above _limit + 1, under _mutex
};

// The newest records are the most popular: lastValue() - zipfian(lastValue()).
class SkewedLatestGenerator {
public:
    explicit SkewedLatestGenerator(const AcknowledgedCounter& basis)
        : _basis(basis), _zipf(0, basis.lastValue() - 1) {}
    uint64_t next(Rng& rng);

private:
    const AcknowledgedCounter& _basis;
    ZipfianGenerator _zipf;
};

}  // namespace mongosd::ycsb
