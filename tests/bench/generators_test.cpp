#include "bench/ycsb/generators.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace mongosd::ycsb {
namespace {

TEST(FnvHash, KeyNamesMatchYcsb) {
    // The first keys YCSB's Java client loads with insertorder=hashed (seen in its traces).
    EXPECT_EQ(buildKeyName(0, false), "user6284781860667377211");
    EXPECT_EQ(buildKeyName(1, false), "user8517097267634966620");
    EXPECT_EQ(buildKeyName(2, false), "user1820151046732198393");
}

TEST(FnvHash, OrderedKeysArePaddedNumbers) {
    EXPECT_EQ(buildKeyName(7, true), "user7");
    EXPECT_EQ(buildKeyName(7, true, 5), "user00007");
    EXPECT_EQ(buildKeyName(123456, true, 3), "user123456");
}

TEST(FnvHash, ResultIsNonNegativeAsJavaLong) {
    for (uint64_t v = 0; v < 100000; ++v) EXPECT_LT(fnvHash64(v), 1ULL << 63) << v;
}

TEST(Rng, SameSeedSameSequenceAndUniformDoubles) {
    Rng a(42), b(42), c(43), d(44);
    bool differs = false;
    double sum = 0;
    for (int i = 0; i < 100000; ++i) {
        uint64_t x = a.next();
        ASSERT_EQ(x, b.next());
        differs |= x != c.next();
        double u = d.nextDouble();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
        ASSERT_LT(d.below(10), 10u);
    }
    EXPECT_TRUE(differs);
    EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

TEST(Zipfian, FrequenciesFollowThePowerLaw) {
    constexpr uint64_t kItems = 1000;
    ZipfianGenerator gen(0, kItems - 1);
    Rng rng(7);
    std::vector<uint64_t> counts(kItems);
    constexpr int kDraws = 1'000'000;
    for (int i = 0; i < kDraws; ++i) {
        uint64_t v = gen.next(rng);
        ASSERT_LT(v, kItems);
        ++counts[v];
    }
    // P(item i) = 1 / ((i+1)^0.99 * zeta(n)) for the first items, which the algorithm hits exactly.
    double zetan = zeta(0, kItems, 0.99, 0);
    EXPECT_NEAR(counts[0] / double(kDraws), 1.0 / zetan, 0.02 / zetan);
    EXPECT_NEAR(counts[1] / double(kDraws), 1.0 / (std::pow(2, 0.99) * zetan), 0.02 / zetan);
    // The tail: the first 10% of items take most draws, and the curve falls.
    uint64_t head = 0;
    for (uint64_t i = 0; i < kItems / 10; ++i) head += counts[i];
    EXPECT_GT(head, kDraws * 0.6);
    EXPECT_GT(counts[0], counts[10]);
    EXPECT_GT(counts[10], counts[500]);
}

TEST(Zipfian, ItemCountGrowsIncrementally) {
    ZipfianGenerator gen(0, 99);
    Rng rng(3);
    uint64_t maxSeen = 0;
    for (int i = 0; i < 200000; ++i) maxSeen = std::max(maxSeen, gen.next(rng, 1000));
    EXPECT_GT(maxSeen, 99u);
    EXPECT_LT(maxSeen, 1001u);
}

TEST(ScrambledZipfian, StaysInRangeAndSpreadsHotKeys) {
    ScrambledZipfianGenerator gen(1000, 1999);
    Rng rng(11);
    std::map<uint64_t, int> counts;
    for (int i = 0; i < 200000; ++i) {
        uint64_t v = gen.next(rng);
        ASSERT_GE(v, 1000u);
        ASSERT_LE(v, 1999u);
        ++counts[v];
    }
    int hottest = 0;
    uint64_t hottestKey = 0;
    for (auto [k, n] : counts)
        if (n > hottest) hottest = n, hottestKey = k;
    // Skewed (the mean is 200 per key) and the hot key is hashed away from the range start.
    EXPECT_GT(hottest, 200 * 10);
    EXPECT_NE(hottestKey, 1000u);
    // fnv(0) % 1000: where the most popular zipfian item lands.
    EXPECT_EQ(hottestKey, 1000 + fnvHash64(0) % 1000);
    EXPECT_GT(counts.size(), 900u);
}

TEST(AcknowledgedCounter, LastValueWaitsForGaps) {
    AcknowledgedCounter c(1000);
    EXPECT_EQ(c.lastValue(), 999u);
    EXPECT_EQ(c.next(), 1000u);
    EXPECT_EQ(c.next(), 1001u);
    EXPECT_EQ(c.next(), 1002u);
    c.acknowledge(1001);
    EXPECT_EQ(c.lastValue(), 999u);
    c.acknowledge(1000);
    EXPECT_EQ(c.lastValue(), 1001u);
    c.acknowledge(1002);
    EXPECT_EQ(c.lastValue(), 1002u);
}

TEST(SkewedLatest, NewestRecordsAreHottestAndInsertsBecomeVisible) {
    AcknowledgedCounter c(1000);
    SkewedLatestGenerator gen(c);
    Rng rng(5);
    std::map<uint64_t, int> counts;
    for (int i = 0; i < 100000; ++i) {
        uint64_t v = gen.next(rng);
        ASSERT_LE(v, 999u);
        ++counts[v];
    }
    EXPECT_GT(counts[999], counts[990]);
    EXPECT_GT(counts[990], counts[500]);
    for (int i = 0; i < 10; ++i) c.acknowledge(c.next());
    counts.clear();
    for (int i = 0; i < 100000; ++i) {
        uint64_t v = gen.next(rng);
        ASSERT_LE(v, 1009u);
        ++counts[v];
    }
    EXPECT_GT(counts[1009], counts[999]);
}

TEST(Uniform, CoversTheRange) {
    UniformGenerator gen(10, 19);
    Rng rng(1);
    std::vector<int> counts(10);
    for (int i = 0; i < 100000; ++i) {
        uint64_t v = gen.next(rng);
        ASSERT_GE(v, 10u);
        ASSERT_LE(v, 19u);
        ++counts[v - 10];
    }
    for (int n : counts) EXPECT_NEAR(n, 10000, 500);
}

}  // namespace
}  // namespace mongosd::ycsb
