#pragma once
// A log-linear latency histogram in the style of HdrHistogram: values below 2^kSubBits are
// counted exactly, above that each power of two is split into 2^(kSubBits-1) equal buckets, so
// any recorded value is known to within 1/64 (1.6%) of itself. Fixed memory (~30 KB), O(1)
// record, no allocation after construction. Count, min, max and sum are kept exactly.
//
// Values are nanoseconds here (anything non-negative works). One thread records into one
// histogram; merge() combines per-thread histograms after the threads finished.

#include <array>
#include <cstddef>
#include <cstdint>

namespace mongosd::ycsb {

class Histogram {
public:
    static constexpr int kSubBits = 7;
    static constexpr uint64_t kSubCount = 1ULL << kSubBits;  // 128 exact values
    static constexpr uint64_t kHalf = kSubCount / 2;         // buckets per power of two above
    static constexpr size_t kBuckets = kSubCount + (64 - kSubBits) * kHalf;

    void record(uint64_t value);
    void merge(const Histogram& other);

    uint64_t count() const { return _count; }
    uint64_t min() const { return _count ? _min : 0; }
    uint64_t max() const { return _max; }
    double mean() const { return _count ? static_cast<double>(_sum) / _count : 0.0; }
    // The smallest bucket bound v such that at least p% of the values are <= v (p in [0, 100]),
    // reported as the bucket's highest value and clamped to the exact max. 0 when empty.
    uint64_t percentile(double p) const;

    // Bucket arithmetic, public for tests.
    static size_t bucketIndex(uint64_t value);
    static uint64_t bucketHighest(size_t index);

private:
    std::array<uint64_t, kBuckets> _counts{};
    uint64_t _count = 0;
    uint64_t _min = UINT64_MAX;
    uint64_t _max = 0;
    unsigned __int128 _sum = 0;
};

}  // namespace mongosd::ycsb
