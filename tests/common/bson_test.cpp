#include "common/bson.h"

#include <gtest/gtest.h>

#include <vector>

namespace mongosd {
namespace {

TEST(Bson, BuildAndRead) {
    BsonBuilder b;
    b.appendString("name", "Intro to Databases").appendInt32("level", 2);
    b.appendDocument("meta", [](BsonBuilder& m) { m.appendBool("open", true); });
    b.appendArray("tags", [](BsonBuilder& a) {
        a.appendString("0", "db").appendString("1", "sql");
    });
    BsonObj obj = b.obj();
    EXPECT_EQ(obj.view().firstFieldName(), "name");
    bson_iter_t it;
    ASSERT_TRUE(obj.view().find("level", &it));
    EXPECT_EQ(bson_iter_int32(&it), 2);
    EXPECT_FALSE(obj.view().hasField("missing"));
    EXPECT_TRUE(validateBson(obj.data(), obj.size()).isOK());

    BsonObj copy = obj;  // shares the buffer
    EXPECT_EQ(copy.data(), obj.data());
    EXPECT_TRUE(BsonObj::copyOf(obj.view()).view().binaryEqual(obj.view()));
}

TEST(Bson, EmptyDocument) {
    BsonObj empty;
    EXPECT_TRUE(empty.isEmpty());
    EXPECT_EQ(empty.size(), 5u);
    EXPECT_EQ(empty.view().firstFieldName(), "");
}

TEST(Bson, ValidateRejectsBadFraming) {
    std::vector<uint8_t> bytes = {10, 0, 0, 0, 0};  // claims 10 bytes, has 5
    EXPECT_EQ(validateBson(bytes.data(), bytes.size()).code(), ErrorCodes::InvalidBSON);
    std::vector<uint8_t> shortBuf = {5, 0, 0};
    EXPECT_EQ(validateBson(shortBuf.data(), shortBuf.size()).code(), ErrorCodes::InvalidBSON);
}

TEST(Bson, ValidateRejectsInvalidUtf8) {
    BsonBuilder b;
    b.appendString("s", std::string_view("\xff\xfe", 2));
    BsonObj obj = b.obj();
    EXPECT_EQ(validateBson(obj.data(), obj.size()).code(), ErrorCodes::InvalidBSON);
}

// A document `depth` levels deep ({a: {a: ... {x: 1}}}).
BsonObj nested(int depth) {
    BsonBuilder leaf;
    leaf.appendInt32("x", 1);
    BsonObj cur = leaf.obj();
    for (int i = 1; i < depth; ++i) {
        BsonBuilder b;
        b.appendDocument("a", cur.view());
        cur = b.obj();
    }
    return cur;
}

TEST(Bson, ValidateEnforcesDepth) {
    BsonObj ok = nested(kMaxBsonDepth);
    EXPECT_TRUE(validateBson(ok.data(), ok.size(), kMaxUserBsonSize, kMaxBsonDepth).isOK());
    EXPECT_TRUE(checkDepth(ok).isOK());
    BsonObj deep = nested(kMaxBsonDepth + 1);
    EXPECT_EQ(validateBson(deep.data(), deep.size(), kMaxUserBsonSize, kMaxBsonDepth).code(),
              ErrorCodes::Overflow);
    EXPECT_EQ(checkDepth(deep).code(), ErrorCodes::Overflow);
    // Commands may wrap user documents in a few levels more.
    EXPECT_TRUE(validateBson(deep.data(), deep.size()).isOK());
    BsonObj veryDeep = nested(5000);  // must not recurse without bound
    EXPECT_EQ(validateBson(veryDeep.data(), veryDeep.size()).code(), ErrorCodes::Overflow);
    EXPECT_EQ(checkDepth(veryDeep).code(), ErrorCodes::Overflow);
}

TEST(Bson, ValidateEnforcesSize) {
    BsonObj obj = nested(1);
    EXPECT_EQ(validateBson(obj.data(), obj.size(), 4).code(), ErrorCodes::BSONObjectTooLarge);
}

}  // namespace
}  // namespace mongosd

namespace mongosd {
namespace {

TEST(Bson, DepthCountsCodeWithScope) {
    // A scope nested deeper than the limit inside code-with-scope values.
    BsonObj cur;
    {
        BsonBuilder leaf;
        leaf.appendInt32("x", 1);
        cur = leaf.obj();
    }
    for (int i = 0; i < kMaxCommandDepth + 5; ++i) {
        BsonBuilder b;
        bson_t scope = cur.view().asBsonT();
        bson_append_code_with_scope(b.get(), "c", 1, "f()", &scope);
        cur = b.obj();
    }
    EXPECT_EQ(validateBson(cur.data(), cur.size()).code(), ErrorCodes::Overflow);
    EXPECT_EQ(checkDepth(cur).code(), ErrorCodes::Overflow);
}

}  // namespace
}  // namespace mongosd
