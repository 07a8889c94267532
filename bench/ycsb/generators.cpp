#include "bench/ycsb/generators.h"

#include <cmath>
#include <cstdlib>

namespace mongosd::ycsb {
namespace {

uint64_t splitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr uint64_t kFnvOffsetBasis64 = 0xCBF29CE484222325ULL;
constexpr uint64_t kFnvPrime64 = 1099511628211ULL;

}  // namespace

Rng::Rng(uint64_t seed) {
    for (uint64_t& s : _s) s = splitMix64(seed);
}

uint64_t Rng::next() {
    uint64_t result = rotl(_s[1] * 5, 7) * 9;
    uint64_t t = _s[1] << 17;
    _s[2] ^= _s[0];
    _s[3] ^= _s[1];
    _s[1] ^= _s[2];
    _s[0] ^= _s[3];
    _s[2] ^= t;
    _s[3] = rotl(_s[3], 45);
    return result;
}

uint64_t Rng::below(uint64_t n) {
    // Lemire's multiply-shift; the bias (< n / 2^64) is far below anything a benchmark sees.
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
}

uint64_t fnvHash64(uint64_t value) {
    uint64_t hash = kFnvOffsetBasis64;
    for (int i = 0; i < 8; ++i) {
        hash ^= value & 0xff;
        hash *= kFnvPrime64;
        value >>= 8;
    }
    // Java's Math.abs on a long: Long.MIN_VALUE stays itself (its bit pattern is 2^63).
    auto signedHash = static_cast<int64_t>(hash);
    if (signedHash < 0 && signedHash != INT64_MIN) signedHash = -signedHash;
    return static_cast<uint64_t>(signedHash);
}

std::string buildKeyName(uint64_t keyNum, bool orderedInserts, int zeroPadding) {
    std::string digits = std::to_string(orderedInserts ? keyNum : fnvHash64(keyNum));
    std::string key = "user";
    if (static_cast<int>(digits.size()) < zeroPadding)
        key.append(static_cast<size_t>(zeroPadding) - digits.size(), '0');
    return key + digits;
}

double zeta(uint64_t from, uint64_t n, double theta, double partialSum) {
    double sum = partialSum;
    for (uint64_t i = from; i < n; ++i) sum += 1.0 / std::pow(static_cast<double>(i + 1), theta);
    return sum;
}

ZipfianGenerator::ZipfianGenerator(uint64_t min, uint64_t max, double theta, double zetan)
    : _base(min),
      _items(max - min + 1),
      _theta(theta),
      _zeta2theta(zeta(0, 2, theta, 0)),
      _alpha(1.0 / (1.0 - theta)),
      _zetan(zetan >= 0 ? zetan : zeta(0, max - min + 1, theta, 0)),
      _countForZeta(max - min + 1) {
    _eta =
        (1 - std::pow(2.0 / static_cast<double>(_items), 1 - _theta)) / (1 - _zeta2theta / _zetan);
}

void ZipfianGenerator::setItemCount(uint64_t itemCount) {
    if (itemCount <= _countForZeta) return;
    _zetan = zeta(_countForZeta, itemCount, _theta, _zetan);
    _countForZeta = itemCount;
    // YCSB recomputes eta with the constructor's item count, not the new one; kept so the
    // distribution matches its `latest` generator exactly.
    _eta =
        (1 - std::pow(2.0 / static_cast<double>(_items), 1 - _theta)) / (1 - _zeta2theta / _zetan);
}

uint64_t ZipfianGenerator::next(Rng& rng, uint64_t itemCount) {
    if (itemCount != _countForZeta) setItemCount(itemCount);
    double u = rng.nextDouble();
    double uz = u * _zetan;
    if (uz < 1.0) return _base;
    if (uz < 1.0 + std::pow(0.5, _theta)) return _base + 1;
    double scaled = static_cast<double>(itemCount) * std::pow(_eta * u - _eta + 1, _alpha);
    return _base + static_cast<uint64_t>(scaled);
}

void AcknowledgedCounter::acknowledge(uint64_t value) {
    std::lock_guard<std::mutex> lock(_mutex);
    _pending.insert(value);
    uint64_t limit = _limit.load(std::memory_order_relaxed);
    while (!_pending.empty() && *_pending.begin() == limit + 1) {
        _pending.erase(_pending.begin());
        ++limit;
    }
    _limit.store(limit, std::memory_order_release);
}

uint64_t SkewedLatestGenerator::next(Rng& rng) {
    uint64_t max = _basis.lastValue();
    return max - _zipf.next(rng, max);
}

}  // namespace mongosd::ycsb
