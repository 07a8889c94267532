#include "shard/storage/journal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace mongosd::storage {
namespace {

// A fake log: commits advance `committed`; a flush takes a while and makes durable what was
// committed when it started.
struct FakeLog {
    std::atomic<uint64_t> committed{0};
    std::atomic<int> concurrentFlushes{0};
    std::atomic<int> maxConcurrentFlushes{0};
    std::chrono::microseconds flushTime{2000};

    Journal journal{[this] { return flush(); },
                    [this] {
                        return OpTime{Timestamp::fromULL(committed.load()), 1};
                    }};

    Status flush() {
        int now = ++concurrentFlushes;
        int seen = maxConcurrentFlushes.load();
        while (now > seen && !maxConcurrentFlushes.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(flushTime);
        --concurrentFlushes;
        return Status::OK();
    }
};

TEST(Journal, ConcurrentWaitersShareFlushes) {
    FakeLog log;
    constexpr int kThreads = 8, kWrites = 50;
    std::vector<std::thread> threads;
    std::atomic<int> notCovered{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kWrites; ++i) {
                Timestamp mine = Timestamp::fromULL(++log.committed);
                ASSERT_TRUE(log.journal.waitUntilDurable(mine).isOK());
                if (log.journal.durable().ts < mine) ++notCovered;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(notCovered.load(), 0);
    EXPECT_EQ(log.maxConcurrentFlushes.load(), 1);
    EXPECT_LT(log.journal.flushCount(), uint64_t(kThreads * kWrites) / 2);
}

TEST(Journal, ArrivalDuringAFlushWaitsForTheNextOne) {
    FakeLog log;
    log.flushTime = std::chrono::milliseconds(50);
    log.committed = 1;
    std::thread first([&] { ASSERT_TRUE(log.journal.waitUntilDurable({0, 1}).isOK()); });
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // first flush is running
    log.committed = 2;  // committed after that flush started: not covered by it
    ASSERT_TRUE(log.journal.waitUntilDurable(Timestamp{0, 2}).isOK());
    first.join();
    EXPECT_EQ(log.journal.flushCount(), 2u);
    EXPECT_EQ(log.journal.durable().ts, (Timestamp{0, 2}));
}

TEST(Journal, AlreadyDurableNeedsNoFlushAndFutureIsRejected) {
    FakeLog log;
    log.committed = 5;
    log.journal.setDurable(OpTime{Timestamp{0, 5}, 1});
    EXPECT_TRUE(log.journal.waitUntilDurable(Timestamp{0, 3}).isOK());
    EXPECT_EQ(log.journal.flushCount(), 0u);
    EXPECT_EQ(log.journal.waitUntilDurable(Timestamp{0, 9}).code(), ErrorCodes::BadValue);
}

}  // namespace
}  // namespace mongosd::storage
