// Many threads on one engine: group commit, write conflicts, implicit creates racing, drops
// racing writers, and the no-holes guarantee of the oplog.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "shard/storage/oplog_entry.h"
#include "shard/storage/storage_engine.h"
#include "tests/shard/storage_test_util.h"

namespace mongosd::storage {
namespace {

using test::doc;
using test::insertOne;
using test::int64Field;
using test::openEngine;
using test::scanCount;
using test::TempDir;

// Inserts `perThread` docs from each of `threads` threads, each followed by waitForDurable.
// Returns {writes, flushes, seconds}.
struct GroupCommitRun {
    uint64_t writes;
    uint64_t flushes;
    double seconds;
};

GroupCommitRun runDurableInserts(int threads, int perThread) {
    TempDir dir;
    StorageOptions options;
    // Only the waiters flush, so the counter measures group commit alone.
    options.journalCommitInterval = std::chrono::hours(1);
    auto engine = openEngine(dir.path(), options);
    insertOne(*engine, "db.c", doc(-1, 0));  // create the collection outside the measurement
    EXPECT_TRUE(engine->waitForDurable(engine->lastAppliedOpTime()).isOK());
    uint64_t flushesBefore = engine->journalFlushCount();
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < perThread; ++i) {
                OpTime op = insertOne(*engine, "db.c", doc(int64_t(t) * 1000000 + i, i));
                Status st = engine->waitForDurable(op);
                EXPECT_TRUE(st.isOK()) << st.toString();
                EXPECT_GE(engine->lastDurableOpTime().ts, op.ts);
            }
        });
    }
    for (auto& w : workers) w.join();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(scanCount(*engine, "db.c"), int64_t(threads) * perThread + 1);
    return {uint64_t(threads) * perThread, engine->journalFlushCount() - flushesBefore, seconds};
}

TEST(StorageConcurrency, GroupCommitSharesFlushes) {
    for (int threads : {1, 2, 4, 8, 16}) {
        // Fewer writes for the slow (one fsync per write) runs.
        GroupCommitRun r = runDurableInserts(threads, (threads < 4 ? 400 : 1600) / threads);
        std::printf(
            "group commit: %2d threads, %llu durable inserts, %llu flushes "
            "(%.2f flushes/write), %.0f writes/s\n",
            threads, (unsigned long long)r.writes, (unsigned long long)r.flushes,
            double(r.flushes) / double(r.writes), double(r.writes) / r.seconds);
        if (threads == 1) {
            EXPECT_LE(r.flushes, r.writes);
        } else if (threads >= 8) {
            EXPECT_LT(r.flushes, r.writes * 3 / 4);
        }
    }
}

// $inc-like read-modify-write of one document from many threads: every increment survives.
TEST(StorageConcurrency, ReadModifyWriteRetriesOnWriteConflict) {
    TempDir dir;
    auto engine = openEngine(dir.path());
    insertOne(*engine, "db.counters", doc(1, 0));
    BsonObj id = test::idDoc(1);
    constexpr int kThreads = 8, kIncrements = 200;
    std::atomic<int> conflicts{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
        workers.emplace_back([&] {
            for (int i = 0; i < kIncrements; ++i) {
                auto result = retryOnWriteConflict([&]() -> StatusWith<OpTime> {
                    auto txn = engine->beginWrite();
                    if (!txn.isOK()) return txn.getStatus();
                    auto current = txn.getValue().findById("db.counters", test::idOf(id));
                    if (!current.isOK()) return current.getStatus();
                    int64_t v = int64Field(*current.getValue(), "v");
                    // Widen the read-modify-write window so that transactions overlap.
                    std::this_thread::sleep_for(std::chrono::microseconds(100));
                    Status st = txn.getValue().update("db.counters", doc(1, v + 1));
                    if (st == ErrorCodes::WriteConflict) ++conflicts;
                    if (!st.isOK()) return st;
                    auto op = txn.getValue().commit();
                    if (op.getStatus() == ErrorCodes::WriteConflict) ++conflicts;
                    return op;
                });
                ASSERT_TRUE(result.isOK()) << result.getStatus().toString();
            }
        });
    }
    for (auto& w : workers) w.join();
    auto txn = engine->beginRead();
    auto final = txn.getValue().findById("db.counters", test::idOf(id));
    ASSERT_TRUE(final.isOK() && final.getValue());
    EXPECT_EQ(int64Field(*final.getValue(), "v"), kThreads * kIncrements);
    std::printf("%d increments, %d write conflicts retried\n", kThreads * kIncrements,
                conflicts.load());
}

TEST(StorageConcurrency, SecondWriterOfADocumentGetsWriteConflict) {
    TempDir dir;
    auto engine = openEngine(dir.path());
    insertOne(*engine, "db.c", doc(1, 0));
    BsonObj id = test::idDoc(1);
    auto a = engine->beginWrite();
    auto b = engine->beginWrite();
    ASSERT_TRUE(a.isOK() && b.isOK());
    ASSERT_TRUE(a.getValue().findById("db.c", test::idOf(id)).isOK());
    ASSERT_TRUE(b.getValue().findById("db.c", test::idOf(id)).isOK());  // b's snapshot
    ASSERT_TRUE(a.getValue().update("db.c", doc(1, 1)).isOK());
    ASSERT_TRUE(a.getValue().commit().isOK());
    EXPECT_EQ(b.getValue().update("db.c", doc(1, 2)).code(), ErrorCodes::WriteConflict);
    EXPECT_EQ(b.getValue().commit().getStatus().code(), ErrorCodes::WriteConflict);

    // Uncommitted writers conflict too, and a transaction destroyed uncommitted rolls back.
    {
        auto c = engine->beginWrite();
        auto d = engine->beginWrite();
        ASSERT_TRUE(c.getValue().update("db.c", doc(1, 3)).isOK());
        EXPECT_EQ(d.getValue().update("db.c", doc(1, 4)).code(), ErrorCodes::WriteConflict);
    }
    auto r = engine->beginRead();
    EXPECT_EQ(int64Field(*r.getValue().findById("db.c", test::idOf(id)).getValue(), "v"), 1);
}

TEST(StorageConcurrency, ConcurrentImplicitCreatesMakeOneCollection) {
    TempDir dir;
    auto engine = openEngine(dir.path());
    constexpr int kThreads = 8;
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
        workers.emplace_back([&, t] {
            auto result = retryOnWriteConflict([&]() -> StatusWith<OpTime> {
                auto txn = engine->beginWrite();
                if (!txn.isOK()) return txn.getStatus();
                MONGOSD_RETURN_IF_ERROR(txn.getValue().insert("db.fresh", doc(t, t)));
                return txn.getValue().commit();
            });
            EXPECT_TRUE(result.isOK()) << result.getStatus().toString();
        });
    }
    for (auto& w : workers) w.join();
    EXPECT_EQ(engine->listCollections("db").size(), 1u);
    EXPECT_EQ(scanCount(*engine, "db.fresh"), kThreads);
    EXPECT_EQ(engine->collectionStats("db.fresh").getValue().count, kThreads);
}

TEST(StorageConcurrency, DropsRacingWritersKeepCountsExact) {
    TempDir dir;
    auto engine = openEngine(dir.path());
    std::atomic<bool> stop{false};
    std::atomic<int64_t> commits{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
        writers.emplace_back([&, t] {
            for (int64_t i = 0; !stop; ++i) {
                auto result = retryOnWriteConflict([&]() -> StatusWith<OpTime> {
                    auto txn = engine->beginWrite();
                    if (!txn.isOK()) return txn.getStatus();
                    MONGOSD_RETURN_IF_ERROR(
                        txn.getValue().insert("db.churn", doc(t * 1000000 + i, i)));
                    return txn.getValue().commit();
                });
                ASSERT_TRUE(result.isOK()) << result.getStatus().toString();
                ++commits;
            }
        });
    }
    for (int round = 0; round < 20; ++round) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        auto dropped = engine->dropCollection("db.churn");
        EXPECT_TRUE(dropped.isOK() || dropped.getStatus() == ErrorCodes::NamespaceNotFound);
    }
    // Let inserts recreate the collection after the last drop, so there is something to count
    // (stopping at once could leave no collection: a test race, seen once in 468 tests).
    const int64_t commitsAtLastDrop = commits;
    while (commits < commitsAtLastDrop + 8) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    stop = true;
    for (auto& w : writers) w.join();
    ASSERT_TRUE(engine->checkpointNow().isOK());
    int64_t scanned = scanCount(*engine, "db.churn");
    auto stats = engine->collectionStats("db.churn");
    ASSERT_TRUE(stats.isOK()) << stats.getStatus().toString();
    EXPECT_EQ(stats.getValue().count, scanned);
    auto path = dir.path();
    engine.reset();
    engine = openEngine(path);
    EXPECT_EQ(engine->collectionStats("db.churn").getValue().count, scanned);
    EXPECT_EQ(scanCount(*engine, "db.churn"), scanned);
}

// A reader never sees an oplog entry appear below a timestamp it has already read past.
TEST(StorageConcurrency, OplogHasNoHolesVisibleToReaders) {
    TempDir dir;
    auto engine = openEngine(dir.path());
    ASSERT_TRUE(engine->createCollection("db.c").isOK());
    constexpr int kWriters = 4, kPerWriter = 1500;
    std::atomic<int> running{kWriters};
    std::vector<std::thread> writers;
    for (int t = 0; t < kWriters; ++t) {
        writers.emplace_back([&, t] {
            for (int64_t i = 0; i < kPerWriter; ++i) {
                insertOne(*engine, "db.c", doc(t * 1000000 + i, i));
            }
            --running;
        });
    }
    Timestamp prevMax;
    uint64_t prevCount = 0;
    int snapshots = 0;
    while (running > 0) {
        auto txn = engine->beginRead();
        ASSERT_TRUE(txn.isOK());
        uint64_t atOrBelowPrevMax = 0, total = 0;
        Timestamp max;
        RecordCursor c = txn.getValue().scanOplogFrom(Timestamp{});
        while (c.next()) {
            Timestamp ts = parseOplogEntry(c.value()).getValue().ts;
            if (ts <= prevMax) ++atOrBelowPrevMax;
            max = ts;
            ++total;
        }
        ASSERT_EQ(atOrBelowPrevMax, prevCount)
            << "an entry appeared at or below " << prevMax.toString();
        prevMax = max;
        prevCount = total;
        ++snapshots;
    }
    for (auto& w : writers) w.join();
    EXPECT_GT(snapshots, 2);
    std::printf("%d oplog snapshots checked while %d entries were written\n", snapshots,
                kWriters * kPerWriter);
}

}  // namespace
}  // namespace mongosd::storage
