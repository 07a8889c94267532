#include "bench/ycsb/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace mongosd::ycsb {

size_t Histogram::bucketIndex(uint64_t value) {
    if (value < kSubCount) return static_cast<size_t>(value);
    int exponent = 63 - std::countl_zero(value);  // >= kSubBits
    int shift = exponent - (kSubBits - 1);        // keeps the top kSubBits bits: [kHalf, kSubCount)
    uint64_t top = value >> shift;
    return static_cast<size_t>(kSubCount + static_cast<uint64_t>(shift - 1) * kHalf +
                               (top - kHalf));
}

uint64_t Histogram::bucketHighest(size_t index) {
    if (index < kSubCount) return index;
    uint64_t rel = index - kSubCount;
    int shift = static_cast<int>(rel / kHalf) + 1;
    uint64_t top = kHalf + rel % kHalf;
    uint64_t next = (top + 1) << shift;
    return next - 1;
}

void Histogram::record(uint64_t value) {
    ++_counts[bucketIndex(value)];
    ++_count;
    _min = std::min(_min, value);
    _max = std::max(_max, value);
    _sum += value;
}

void Histogram::merge(const Histogram& other) {
    for (size_t i = 0; i < kBuckets; ++i) _counts[i] += other._counts[i];
    _count += other._count;
    _min = std::min(_min, other._min);
    _max = std::max(_max, other._max);
    _sum += other._sum;
}

uint64_t Histogram::percentile(double p) const {
    if (_count == 0) return 0;
    double wanted = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(_count));
    uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(wanted));
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
        seen += _counts[i];
        if (seen >= rank) return std::min(bucketHighest(i), _max);
    }
    return _max;
}

}  // namespace mongosd::ycsb
