// mongosh-style output of documents.
#include <gtest/gtest.h>

#include "shell/relaxed_json.h"
#include "shell/shell_format.h"

namespace mongosd::shell {
namespace {

std::string show(std::string_view relaxed, FormatOptions o = {}) {
    auto doc = parseRelaxedObject(relaxed);
    EXPECT_TRUE(doc.isOK()) << doc.getStatus().toString();
    return doc.isOK() ? formatDocument(doc.getValue().view(), o) : "";
}

TEST(ShellFormat, ShortDocumentsOnOneLine) {
    EXPECT_EQ(show("{a: 1, b: 'x', c: [1, 2.5, true], d: {}}"),
              "{ a: 1, b: 'x', c: [ 1, 2.5, true ], d: {} }");
    EXPECT_EQ(show("{'odd key': null, n: NumberLong(5), f: 3.0, $x: undefined}"),
              "{ 'odd key': null, n: Long(\"5\"), f: 3, $x: undefined }");
}

TEST(ShellFormat, TypeWrappersAsMongosh) {
    EXPECT_EQ(show(R"({_id: ObjectId("5f1d7b1e9d3b2c0a1b2c3d4e")})"),
              R"({ _id: ObjectId("5f1d7b1e9d3b2c0a1b2c3d4e") })");
    EXPECT_EQ(show(R"({t: ISODate("2026-01-02T03:04:05Z")})"),
              R"({ t: ISODate("2026-01-02T03:04:05.000Z") })");
    EXPECT_EQ(show(R"({d: NumberDecimal("1.10"), r: /^a/i})"), R"({ d: Decimal128("1.10"), r: /^a/i })");
    EXPECT_EQ(show(R"({ts: Timestamp(5, 1), k: MinKey})"), R"({ ts: Timestamp({ t: 5, i: 1 }), k: MinKey() })");
    EXPECT_EQ(show("{s: 'it\\'s'}"), R"({ s: 'it\'s' })");
}

TEST(ShellFormat, LongDocumentsIndentByTwo) {
    std::string out = show(
        "{title: 'Distributed systems for everyone', level: 'beginner', "
        "tags: ['replication', 'consensus'], rating: 4.5}");
    EXPECT_EQ(out,
              "{\n"
              "  title: 'Distributed systems for everyone',\n"
              "  level: 'beginner',\n"
              "  tags: [ 'replication', 'consensus' ],\n"
              "  rating: 4.5\n"
              "}");
}

TEST(ShellFormat, ColoursOnlyWhenAsked) {
    FormatOptions color;
    color.color = true;
    EXPECT_EQ(show("{s: 'x', n: 1}", color), "{ s: \x1b[32m'x'\x1b[0m, n: \x1b[33m1\x1b[0m }");
    EXPECT_EQ(show("{s: 'x', n: 1}").find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace mongosd::shell
