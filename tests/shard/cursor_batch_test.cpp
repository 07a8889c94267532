// A getMore batch of many small documents must fit in one reply. The batch used to count only
// the documents' bytes, so ~17,000 documents of 1 KB made a nextBatch whose array keys pushed the
// reply past the 16 MiB limit (BSONObjectTooLarge; found by bench/scan_bench).
#include <gtest/gtest.h>

#include <string>

#include "common/bson.h"
#include "common/command_reply.h"
#include "shard/service.h"
#include "tests/support/server_process.h"

namespace mongosd::shard {
namespace {

BsonObj run(ShardService& service, BsonObj cmd) { return service.runCommand(cmd, "test"); }

TEST(CursorBatch, SmallDocumentsFillABatchWithinTheReplyLimit) {
    test::TempDir dir;
    ShardServiceOptions options;
    options.dbpath = dir.path();
    auto service = ShardService::open(options);
    ASSERT_TRUE(service.isOK()) << service.getStatus().toString();
    ShardService& s = *service.getValue();

    constexpr int kDocs = 20000;  // 20,000 x 1 KB: more than one 16 MiB batch
    const std::string padding(1000, 'x');
    for (int first = 0; first < kDocs; first += 1000) {
        BsonBuilder cmd;
        cmd.appendString("insert", "c");
        cmd.appendArray("documents", [&](BsonBuilder& docs) {
            char key[16];
            for (int i = first; i < first + 1000; ++i)
                docs.appendDocument(arrayIndexKey(static_cast<uint32_t>(i - first), key),
                                    [&](BsonBuilder& d) {
                                        d.appendInt32("_id", i).appendString("p", padding);
                                    });
        });
        cmd.appendString("$db", "test");
        ASSERT_TRUE(statusFromReply(run(s, cmd.obj())).isOK());
    }

    BsonBuilder find;
    find.appendString("find", "c").appendString("$db", "test");
    BsonObj reply = run(s, find.obj());
    ASSERT_TRUE(statusFromReply(reply).isOK());
    bson_iter_t cursor, id;
    ASSERT_TRUE(reply.view().find("cursor", &cursor));
    ASSERT_TRUE(subDocument(cursor).find("id", &id));

    BsonBuilder getMore;
    getMore.appendInt64("getMore", bson_iter_as_int64(&id)).appendString("collection", "c");
    getMore.appendString("$db", "test");
    BsonObj more = run(s, getMore.obj());
    ASSERT_TRUE(statusFromReply(more).isOK()) << statusFromReply(more).toString();
    EXPECT_LE(more.size(), kMaxInternalBsonSize);
}

}  // namespace
}  // namespace mongosd::shard
