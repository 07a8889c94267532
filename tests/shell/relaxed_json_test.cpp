// The shell's relaxed JSON: what mongosh users type, good and bad.
#include <gtest/gtest.h>

#include "common/json/ejson.h"
#include "shell/relaxed_json.h"

namespace mongosd::shell {
namespace {

std::string canonical(std::string_view relaxed) {
    auto parsed = parseRelaxedObject(relaxed);
    EXPECT_TRUE(parsed.isOK()) << relaxed << ": " << parsed.getStatus().toString();
    if (!parsed.isOK()) return "";
    return json::toJson(parsed.getValue().view(), json::JsonMode::kCanonical);
}

TEST(RelaxedJson, ShellSyntaxOfKeysStringsCommasAndComments) {
    EXPECT_EQ(canonical(R"({level: 'beginner', "title": "x", $gt: 1,})"),
              R"({"level":"beginner","title":"x","$gt":{"$numberInt":"1"}})");
    EXPECT_EQ(canonical("{a: [1, 2, 3,], // a comment\n b: /* inline */ true}"),
              R"({"a":[{"$numberInt":"1"},{"$numberInt":"2"},{"$numberInt":"3"}],"b":true})");
    EXPECT_EQ(canonical(R"({s: 'it\'s "quoted"\n', u: "\u00e9"})"),
              "{\"s\":\"it's \\\"quoted\\\"\\n\",\"u\":\"\xc3\xa9\"}");
    EXPECT_EQ(canonical("{ }"), "{}");
    EXPECT_EQ(canonical(R"({e: '\uD83D\uDE00'})"), "{\"e\":\"\xF0\x9F\x98\x80\"}");
}

TEST(RelaxedJson, NumbersAsMongosh) {
    EXPECT_EQ(canonical("{a: 5, b: -2147483649, c: 1.5, d: 1e3, e: -Infinity, f: NaN}"),
              R"({"a":{"$numberInt":"5"},"b":{"$numberLong":"-2147483649"},)"
              R"("c":{"$numberDouble":"1.5"},"d":{"$numberDouble":"1000.0"},)"
              R"("e":{"$numberDouble":"-Infinity"},"f":{"$numberDouble":"NaN"}})");
}

TEST(RelaxedJson, ConstructorsAndRegexes) {
    EXPECT_EQ(canonical(R"({_id: ObjectId("5f1d7b1e9d3b2c0a1b2c3d4e")})"),
              R"({"_id":{"$oid":"5f1d7b1e9d3b2c0a1b2c3d4e"}})");
    EXPECT_EQ(canonical(R"({at: ISODate("2026-01-02T03:04:05Z"), b: new Date(0)})"),
              R"({"at":{"$date":{"$numberLong":"1767323045000"}},"b":{"$date":{"$numberLong":"0"}}})");
    EXPECT_EQ(canonical(R"({n: NumberLong(42), m: NumberLong("9007199254740993"), i: NumberInt(7)})"),
              R"({"n":{"$numberLong":"42"},"m":{"$numberLong":"9007199254740993"},"i":{"$numberInt":"7"}})");
    EXPECT_EQ(canonical(R"({d: NumberDecimal("1.10")})"), R"({"d":{"$numberDecimal":"1.10"}})");
    EXPECT_EQ(canonical(R"({t: /^abc[/]x/i, ts: Timestamp(5, 1), lo: MinKey, hi: MaxKey()})"),
              R"({"t":{"$regularExpression":{"pattern":"^abc[/]x","options":"i"}},)"
              R"("ts":{"$timestamp":{"t":5,"i":1}},"lo":{"$minKey":1},"hi":{"$maxKey":1}})");
}

TEST(RelaxedJson, ErrorsPointAtTheOffendingCharacter) {
    struct Case {
        const char* input;
        size_t line, column;
        const char* message;
    };
    const Case cases[] = {
        {"{a: }", 1, 5, "unexpected character '}'"},
        {"{a: 1\n b: 2}", 2, 2, "expected ',' or '}'"},
        {"{a: 1,\n b 2}", 2, 4, "expected ':'"},
        {"{a: 'open}", 1, 11, "unterminated string"},
        {"{a: ObjectId('xyz')}", 1, 5, "24 hexadecimal"},
        {"{a: Bogus(1)}", 1, 5, "unknown name 'Bogus'"},
        {"{a: 1} trailing", 1, 8, "unexpected text"},
        {"{a: NumberInt(4294967296)}", 1, 5, "32-bit"},
        {"{a: ISODate('yesterday')}", 1, 5, "ISO-8601"},
        {"[1, 2]", 1, 1, "expected an object"},
        {"{a: '\\uZZZZ'}", 1, 8, "4 hexadecimal digits"},
        {"{a: '\\uD83Dx'}", 1, 12, "unpaired"},
        {"{a: /* never closed", 1, 5, "unterminated comment"},  // where the comment opens
    };
    for (const auto& c : cases) {
        ParseError where;
        auto parsed = parseRelaxedObject(c.input, &where);
        ASSERT_FALSE(parsed.isOK()) << c.input;
        EXPECT_EQ(parsed.getStatus().code(), ErrorCodes::FailedToParse) << c.input;
        EXPECT_NE(parsed.getStatus().reason().find(c.message), std::string::npos)
            << c.input << " -> " << parsed.getStatus().reason();
        EXPECT_EQ(where.line, c.line) << c.input << " -> " << parsed.getStatus().reason();
        EXPECT_EQ(where.column, c.column) << c.input << " -> " << parsed.getStatus().reason();
    }
}

TEST(RelaxedJson, DeepNestingIsRefused) {
    std::string deep(150, '[');
    std::string input = "{a: " + deep + std::string(150, ']') + "}";
    auto parsed = parseRelaxedObject(input);
    ASSERT_FALSE(parsed.isOK());
    EXPECT_NE(parsed.getStatus().reason().find("deeper than 100"), std::string::npos);
}

TEST(RelaxedJson, ValuesInsideACallerOwnedBuffer) {
    // The shell parses method arguments one value at a time: find({a: 1}, {b: 1}).
    std::string_view args = R"({a: 1}, {b: 1})";
    size_t pos = 0;
    BsonBuilder b;
    ASSERT_TRUE(parseRelaxedValue(args, &pos, b, "0").isOK());
    EXPECT_EQ(args.substr(pos, 1), ",");
    ++pos;
    ASSERT_TRUE(parseRelaxedValue(args, &pos, b, "1").isOK());
    EXPECT_EQ(pos, args.size());
    EXPECT_EQ(json::toJson(b.obj().view()), R"({"0":{"a":1},"1":{"b":1}})");
}

}  // namespace
}  // namespace mongosd::shell
