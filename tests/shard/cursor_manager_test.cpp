// The cursor table's limits: a cap on open cursors with a clear error, and the idle timeout.
#include <gtest/gtest.h>

#include <thread>

#include "shard/cursor_manager.h"
#include "shard/query_exec.h"

namespace mongosd::shard {
namespace {

TEST(CursorManager, RefusesCursorsBeyondTheCapWithAClearError) {
    CursorManager cursors(std::chrono::minutes(10), /*maxCursors=*/3);
    std::vector<int64_t> ids;
    for (int i = 0; i < 3; ++i) {
        auto id = cursors.add("t.c", makeVectorSource({}));
        ASSERT_TRUE(id.isOK());
        ids.push_back(id.getValue());
    }
    auto refused = cursors.add("t.c", makeVectorSource({}));
    ASSERT_FALSE(refused.isOK());
    EXPECT_EQ(refused.getStatus().code(), ErrorCodes::OperationFailed);
    EXPECT_NE(refused.getStatus().reason().find("too many open cursors (3)"), std::string::npos);
    EXPECT_TRUE(cursors.kill(ids[0]));
    EXPECT_TRUE(cursors.add("t.c", makeVectorSource({})).isOK());
    EXPECT_EQ(cursors.size(), 3u);
}

TEST(CursorManager, IdleCursorsTimeOut) {
    CursorManager cursors(std::chrono::milliseconds(100));
    auto id = cursors.add("t.c", makeVectorSource({}));
    ASSERT_TRUE(id.isOK());
    auto now = std::chrono::steady_clock::now();
    EXPECT_EQ(cursors.reapIdle(now), 0u);
    EXPECT_EQ(cursors.reapIdle(now + std::chrono::seconds(1)), 1u);
    EXPECT_EQ(cursors.checkOut(id.getValue(), "t.c").getStatus().code(),
              ErrorCodes::CursorNotFound);
    EXPECT_EQ(cursors.timedOutTotal(), 1u);
}

TEST(CursorManager, AGetMoreAfterTheTimeoutFindsNoCursor) {
    CursorManager cursors(std::chrono::milliseconds(50));
    auto id = cursors.add("t.c", makeVectorSource({}));
    ASSERT_TRUE(id.isOK());
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    // No add() ran since, so nothing reaped it: the check-out itself must refuse it.
    auto late = cursors.checkOut(id.getValue(), "t.c");
    EXPECT_EQ(late.getStatus().code(), ErrorCodes::CursorNotFound);
    EXPECT_EQ(cursors.size(), 0u);
    EXPECT_EQ(cursors.timedOutTotal(), 1u);
}

}  // namespace
}  // namespace mongosd::shard
