#include "bench/ycsb/histogram.h"

#include <gtest/gtest.h>

#include <cmath>

#include "bench/ycsb/generators.h"

namespace mongosd::ycsb {
namespace {

TEST(Histogram, EmptyReportsZero) {
    Histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentile(99), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, SmallValuesAreExact) {
    Histogram h;
    for (uint64_t v = 1; v <= 100; ++v) h.record(v);
    EXPECT_EQ(h.count(), 100u);
    EXPECT_EQ(h.percentile(50), 50u);
    EXPECT_EQ(h.percentile(95), 95u);
    EXPECT_EQ(h.percentile(99), 99u);
    EXPECT_EQ(h.percentile(100), 100u);
    EXPECT_EQ(h.min(), 1u);
    EXPECT_EQ(h.max(), 100u);
    EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(Histogram, BucketsBoundTheRelativeError) {
    Rng rng(9);
    for (int i = 0; i < 100000; ++i) {
        uint64_t v = rng.next() >> (rng.below(60) + 1);
        size_t index = Histogram::bucketIndex(v);
        ASSERT_LT(index, Histogram::kBuckets);
        uint64_t high = Histogram::bucketHighest(index);
        ASSERT_GE(high, v);
        ASSERT_LE(high - v, v / 64 + 1) << v;
        if (index > 0) {
            ASSERT_LT(Histogram::bucketHighest(index - 1), v) << v;
        }
    }
}

TEST(Histogram, PercentilesOfALargeRange) {
    Histogram h;
    for (uint64_t v = 1; v <= 100000; ++v) h.record(v * 10);
    auto near = [](uint64_t got, double want) { return std::abs(got - want) <= want / 64 + 1; };
    EXPECT_TRUE(near(h.percentile(50), 500000)) << h.percentile(50);
    EXPECT_TRUE(near(h.percentile(95), 950000)) << h.percentile(95);
    EXPECT_TRUE(near(h.percentile(99), 990000)) << h.percentile(99);
    EXPECT_EQ(h.percentile(100), 1000000u);  // clamped to the exact max
    EXPECT_DOUBLE_EQ(h.mean(), 500005.0);
}

TEST(Histogram, MergeAddsCounts) {
    Histogram a, b;
    for (int i = 0; i < 90; ++i) a.record(10);
    for (int i = 0; i < 10; ++i) b.record(1000000);
    a.merge(b);
    EXPECT_EQ(a.count(), 100u);
    EXPECT_EQ(a.percentile(90), 10u);
    EXPECT_GE(a.percentile(91), 1000000u);
    EXPECT_EQ(a.max(), 1000000u);
    EXPECT_EQ(a.min(), 10u);
}

}  // namespace
}  // namespace mongosd::ycsb
