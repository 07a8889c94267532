// Shell statements: helpers, db and collection methods with chained cursor methods, errors.
#include <gtest/gtest.h>

#include "common/json/ejson.h"
#include "shell/shell_syntax.h"

namespace mongosd::shell {
namespace {

Statement parsed(std::string_view text) {
    auto st = parseStatement(text);
    EXPECT_TRUE(st.isOK()) << text << ": " << st.getStatus().toString();
    return st.isOK() ? st.getValue() : Statement{};
}

std::string args(const MethodCall& call) { return json::toJson(call.args.view()); }

TEST(ShellSyntax, Helpers) {
    EXPECT_EQ(parsed("show dbs").kind, Statement::Kind::kShow);
    EXPECT_EQ(parsed("show databases;").target, "dbs");
    EXPECT_EQ(parsed("  show collections ").target, "collections");
    Statement use = parsed("use stargrad");
    EXPECT_EQ(use.kind, Statement::Kind::kUse);
    EXPECT_EQ(use.target, "stargrad");
    EXPECT_EQ(parsed("it").kind, Statement::Kind::kIt);
    EXPECT_EQ(parsed("exit").kind, Statement::Kind::kExit);
    EXPECT_EQ(parsed("quit()").kind, Statement::Kind::kExit);
    EXPECT_EQ(parsed("   ").kind, Statement::Kind::kEmpty);
}

TEST(ShellSyntax, CollectionMethodsWithCursorChains) {
    Statement s = parsed("db.courses.find({level: 'beginner'}, {title: 1}).sort({rating: -1}).limit(5)");
    EXPECT_EQ(s.kind, Statement::Kind::kCollection);
    EXPECT_EQ(s.target, "courses");
    ASSERT_EQ(s.chain.size(), 3u);
    EXPECT_EQ(s.chain[0].name, "find");
    EXPECT_EQ(s.chain[0].argCount, 2u);
    EXPECT_EQ(args(s.chain[0]), R"({"0":{"level":"beginner"},"1":{"title":1}})");
    EXPECT_EQ(s.chain[1].name, "sort");
    EXPECT_EQ(args(s.chain[2]), R"({"0":5})");

    Statement agg = parsed("db.courses.aggregate([\n  {$match: {level: 'x'}},\n  {$count: 'n'},\n])");
    EXPECT_EQ(args(agg.chain[0]), R"({"0":[{"$match":{"level":"x"}},{"$count":"n"}]})");

    EXPECT_EQ(parsed("db.a.b.insertOne({x: 1})").target, "a.b");  // dotted collection names
    EXPECT_EQ(parsed("db.getCollection('my coll').countDocuments()").target, "my coll");
    EXPECT_EQ(parsed("db['odd-name'].drop();").target, "odd-name");
    EXPECT_EQ(parsed("db.c.find().toArray()").chain[1].name, "toArray");
}

TEST(ShellSyntax, DbAndHelperMethods) {
    Statement run = parsed("db.runCommand({ping: 1})");
    EXPECT_EQ(run.kind, Statement::Kind::kDb);
    EXPECT_EQ(run.chain[0].name, "runCommand");
    EXPECT_EQ(parsed("db.getCollectionNames()").chain[0].argCount, 0u);
    Statement sh = parsed("sh.shardCollection('stargrad.courses', {courseId: 'hashed'})");
    EXPECT_EQ(sh.kind, Statement::Kind::kHelper);
    EXPECT_EQ(sh.target, "sh");
    EXPECT_EQ(args(sh.chain[0]), R"({"0":"stargrad.courses","1":{"courseId":"hashed"}})");
    EXPECT_EQ(parsed("rs.stepDown(60)").target, "rs");
}

TEST(ShellSyntax, ErrorsSayWhere) {
    struct Case {
        const char* input;
        size_t line, column;
        const char* message;
    };
    const Case cases[] = {
        {"show tables please", 1, 13, "unexpected text"},
        {"show nothing", 1, 13, "show what?"},
        {"foo.bar()", 1, 4, "unknown name 'foo'"},
        {"db.c.find({a: })", 1, 15, "unexpected character '}'"},
        {"db.c.find({a: 1}", 1, 17, "expected ',' or ')'"},
        {"db.c", 1, 5, "expected a method call"},
        {"db.c.find().sort({a: 1}) extra", 1, 26, "unexpected text"},
        {"db.c.find(\n  {a: 'x'},\n  {b: ?}\n)", 3, 7, "unexpected character '?'"},
    };
    for (const auto& c : cases) {
        ParseError where;
        auto st = parseStatement(c.input, &where);
        ASSERT_FALSE(st.isOK()) << c.input;
        EXPECT_EQ(st.getStatus().code(), ErrorCodes::FailedToParse);
        EXPECT_NE(st.getStatus().reason().find(c.message), std::string::npos)
            << c.input << " -> " << st.getStatus().reason();
        EXPECT_EQ(where.line, c.line) << c.input << " -> " << st.getStatus().reason();
        EXPECT_EQ(where.column, c.column) << c.input << " -> " << st.getStatus().reason();
    }
}

TEST(ShellSyntax, MultiLineInputIsIncompleteWhileBracketsAreOpen) {
    EXPECT_TRUE(isIncomplete("db.c.find({"));
    EXPECT_TRUE(isIncomplete("db.c.aggregate([\n {$match: {a: 1}},"));
    EXPECT_TRUE(isIncomplete("db.c.insertOne({s: 'open"));
    EXPECT_TRUE(isIncomplete("db.c.find({a: 1}) /* still"));
    EXPECT_FALSE(isIncomplete("db.c.find({a: '{'})"));
    EXPECT_FALSE(isIncomplete("db.c.find({a: 1}) // done ("));
    EXPECT_FALSE(isIncomplete("show dbs"));
    EXPECT_FALSE(isIncomplete("db.c.find({a: 1}))"));  // too many closers: let the parser say so
    // A regex literal's brackets do not count; a division-like '/' elsewhere is not a regex.
    EXPECT_FALSE(isIncomplete(R"(db.c.find({a: /\(x[)]/i}))"));
    EXPECT_TRUE(isIncomplete("db.c.find({a: /open"));
}

TEST(ShellSyntax, ScriptsSplitIntoStatements) {
    using V = std::vector<std::string>;
    EXPECT_EQ(splitStatements("use d; db.c.find()\nshow dbs\n"),
              (V{"use d", " db.c.find()", "show dbs"}));
    // Brackets, strings and comments hold a statement together across ';' and lines.
    EXPECT_EQ(splitStatements("db.c.insertOne({\n  a: 'x;y',\n  b: [1,\n 2]})\nit"),
              (V{"db.c.insertOne({\n  a: 'x;y',\n  b: [1,\n 2]})", "it"}));
    EXPECT_EQ(splitStatements("db.c.find() /* ; */ // ;\n"), (V{"db.c.find() /* ; */ // ;"}));
    // A line starting with '.' continues the chain above it.
    EXPECT_EQ(splitStatements("db.c.find()\n  .sort({a: 1})\n  .limit(2)\ndb.c.count()"),
              (V{"db.c.find()\n  .sort({a: 1})\n  .limit(2)", "db.c.count()"}));
    EXPECT_EQ(splitStatements(" \n;;\n  "), V{});
    // An unterminated statement comes back whole, for the parser to report.
    EXPECT_EQ(splitStatements("db.c.find({a: 1\nshow dbs"), (V{"db.c.find({a: 1\nshow dbs"}));
}

}  // namespace
}  // namespace mongosd::shell
