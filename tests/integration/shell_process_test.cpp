// `mongosd shell` end to end: a real server process, the shell as a separate process driven by
// --eval, standard input, a script file and a pseudo-terminal; what it prints is checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/json/ejson.h"
#include "tests/support/child_process.h"
#include "tests/support/server_process.h"

namespace mongosd::test {
namespace {

class ShellProcessTest : public ::testing::Test {
protected:
    void SetUp() override { _server = std::make_unique<ServerProcess>(_dir.path() + "/db"); }

    std::string url(const std::string& db = "") const {
        return "http://127.0.0.1:" + std::to_string(_server->httpPort()) + (db.empty() ? "" : "/" + db);
    }

    ProgramResult shell(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), {ServerProcess::binaryPath(), "shell"});
        return runProgram(args, input, std::chrono::seconds(60), {"NO_COLOR=1"});
    }

    TempDir _dir;
    std::unique_ptr<ServerProcess> _server;
};

// Lines of text, without the last empty one.
std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

TEST_F(ShellProcessTest, EvalRunsStatementsAndPrintsLikeMongosh) {
    ProgramResult r = shell(
        {url("school"), "--eval",
         "db.people.insertOne({_id: 1, name: 'ann', age: 30});"
         "db.people.insertMany([{_id: 2, name: 'bob', age: 25}, {_id: 3, name: 'cy', age: 41, "
         "  joined: ISODate('2026-01-02T03:04:05Z'), n: NumberLong(7)}]);\n"
         "db.people.find({}, {name: 1, age: 1, _id: 0}).sort({age: -1}).limit(2)\n"
         "db.people.updateOne({name: 'bob'}, {$inc: {age: 1}})\n"
         "db.people.find({name: 'bob'})\n"
         "db.people.aggregate([{$group: {_id: null, total: {$sum: '$age'}}}])\n"
         "db.people.createIndex({age: 1})\n"
         "db.people.getIndexes()\n"
         "db.people.find({age: {$gt: 26}}).count()\n"
         "db.people.findOne({_id: 3})\n"
         "db.people.deleteOne({_id: 2})\n"
         "db.people.countDocuments()"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out,
              "{ acknowledged: true, insertedId: 1 }\n"
              "{ acknowledged: true, insertedIds: { '0': 2, '1': 3 } }\n"
              "[ { name: 'cy', age: 41 }, { name: 'ann', age: 30 } ]\n"
              "{\n"
              "  acknowledged: true,\n"
              "  insertedId: null,\n"
              "  matchedCount: 1,\n"
              "  modifiedCount: 1,\n"
              "  upsertedCount: 0\n"
              "}\n"
              "[ { _id: 2, name: 'bob', age: 26 } ]\n"
              "[ { _id: null, total: 97 } ]\n"
              "'age_1'\n"
              "[\n"
              "  { v: 2, key: { _id: 1 }, name: '_id_' },\n"
              "  { v: 2, key: { age: 1 }, name: 'age_1' }\n"
              "]\n"
              "2\n"
              "{\n"
              "  _id: 3,\n"
              "  name: 'cy',\n"
              "  age: 41,\n"
              "  joined: ISODate(\"2026-01-02T03:04:05.000Z\"),\n"
              "  n: Long(\"7\")\n"
              "}\n"
              "{ acknowledged: true, deletedCount: 1 }\n"
              "2\n");
}

// A script on standard input: `use`, statements over several lines, a chain continued on the
// next line, and `it` paging 20 documents at a time.
TEST_F(ShellProcessTest, StdinScriptPagesWithIt) {
    std::string docs;
    for (int i = 1; i <= 45; ++i) docs += "{_id: " + std::to_string(i) + "}, ";
    ProgramResult r = shell({url(), "--quiet"},
                            "use paging\n"
                            "db.n.insertMany([\n" + docs + "\n])\n"
                            "db.n.find()\n"
                            "  .sort({_id: -1})\n"
                            "it\n"
                            "it\n"
                            "it\n");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out.rfind("switched to db paging\n", 0), 0u) << r.out;
    // The pages (20, 20, then 5 documents) sit between the hints; ids in each, in order.
    const std::string more = "Type \"it\" for more\n";
    size_t pageStart = r.out.find("\n[");
    size_t hint1 = r.out.find(more);
    size_t hint2 = r.out.find(more, hint1 + 1);
    size_t noCursor = r.out.find("no cursor\n");
    ASSERT_TRUE(pageStart != std::string::npos && hint1 != std::string::npos &&
                hint2 != std::string::npos && noCursor != std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find(more, hint2 + 1), std::string::npos) << r.out;
    auto ids = [&](size_t from, size_t to) {
        std::vector<int> out;
        std::string text = r.out.substr(from, to - from);
        for (size_t at = text.find("_id: "); at != std::string::npos;
             at = text.find("_id: ", at + 1))
            out.push_back(std::stoi(text.substr(at + 5)));
        return out;
    };
    auto range = [](int from, int to) {
        std::vector<int> out;
        for (int i = from; i >= to; --i) out.push_back(i);
        return out;
    };
    EXPECT_EQ(ids(pageStart, hint1), range(45, 26)) << r.out;
    EXPECT_EQ(ids(hint1, hint2), range(25, 6)) << r.out;
    EXPECT_EQ(ids(hint2, noCursor), range(5, 1)) << r.out;
    EXPECT_EQ(r.out.substr(noCursor), "no cursor\n");
}

TEST_F(ShellProcessTest, JsonPrintsOneExtendedJsonDocumentPerLine) {
    ProgramResult r = shell({url("j"), "--json", "--eval",
                             "db.c.insertOne({_id: 1, at: ISODate('2026-05-06T07:08:09Z'), "
                             "d: NumberDecimal('1.25'), o: ObjectId('0123456789abcdef01234567')});"
                             "db.c.insertOne({_id: 2});"
                             "db.c.find().sort({_id: 1}); db.c.countDocuments(); db.c.distinct('_id')"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out,
              "{\"acknowledged\":true,\"insertedId\":1}\n"
              "{\"acknowledged\":true,\"insertedId\":2}\n"
              "{\"_id\":1,\"at\":{\"$date\":\"2026-05-06T07:08:09.000Z\"},"
              "\"d\":{\"$numberDecimal\":\"1.25\"},\"o\":{\"$oid\":\"0123456789abcdef01234567\"}}\n"
              "{\"_id\":2}\n"
              "{\"result\":2}\n"
              "{\"result\":1}\n"
              "{\"result\":2}\n");
    for (const std::string& line : lines(r.out))
        EXPECT_TRUE(json::parseJsonObject(line).isOK()) << line;
}

TEST_F(ShellProcessTest, ServerErrorsStopTheScriptWithExitCodeOne) {
    ProgramResult r = shell({url("e"), "--eval",
                             "db.c.insertOne({_id: 1}); db.c.insertOne({_id: 1}); "
                             "db.c.insertOne({_id: 2})"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.out, "{ acknowledged: true, insertedId: 1 }\n");
    EXPECT_EQ(r.err.rfind("MongoServerError[DuplicateKey]: E11000 duplicate key error", 0), 0u)
        << r.err;
    // The statement after the failure did not run.
    r = shell({url("e"), "--eval", "db.c.countDocuments()"});
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_EQ(r.out, "1\n");

    r = shell({url("e"), "--eval", "db.c.find({$where: 1})"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err.rfind("MongoServerError[BadValue]: ", 0), 0u) << r.err;

    r = shell({url("e"), "--eval", "db.c.aggregate([{$nope: 1}])"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("MongoServerError["), std::string::npos) << r.err;
}

TEST_F(ShellProcessTest, SyntaxErrorsPointAtTheColumn) {
    ProgramResult r = shell({url(), "--eval", "db.c.find({a: })"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "SyntaxError: line 1, column 15: unexpected character '}'\n"
              "  db.c.find({a: })\n"
              "                ^\n");
    r = shell({url(), "--eval", "db.c.find(5)"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err, "MongoshInvalidInputError: find(): argument 1 must be an object\n");
}

TEST_F(ShellProcessTest, WholeResultsHelpAndExit) {
    std::string docs;
    for (int i = 1; i <= 30; ++i) docs += "{_id: " + std::to_string(i) + ", even: " +
                                          (i % 2 ? "false" : "true") + "},";
    ProgramResult r = shell({url("w"), "--eval",
                             "db.c.insertMany([" + docs + "])\n"
                             "db.c.find({even: true}).itcount()\n"
                             "db.c.find({_id: {$gt: 27}}, {_id: 1}).toArray()\n"
                             "db.c.aggregate([{$match: {even: false}}]).itcount()\n"
                             "help\n"
                             "exit\n"
                             "db.c.drop()"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    std::vector<std::string> out = lines(r.out);
    auto at = std::find(out.begin(), out.end(), "15");
    ASSERT_NE(at, out.end()) << r.out;
    ASSERT_GE(out.end() - at, 4);
    EXPECT_EQ(at[1], "[ { _id: 28 }, { _id: 29 }, { _id: 30 } ]");
    EXPECT_EQ(at[2], "15");
    EXPECT_NE(at[3].find("show dbs"), std::string::npos) << r.out;  // help
    // exit stopped the script: the collection is still there.
    r = shell({url("w"), "--eval", "db.c.estimatedDocumentCount()"});
    EXPECT_EQ(r.out, "30\n");
}

TEST_F(ShellProcessTest, ScriptFileArgument) {
    const std::string path = _dir.path() + "/script.js";
    std::ofstream(path) << "use files\n"
                           "db.f.insertOne({_id: 'x', tags: ['a', 'b'], /* comment */})\n"
                           "db.f.updateOne({_id: 'x'}, {$push: {tags: 'c'}})\n"
                           "db.f.findOne()\n";
    ProgramResult r = shell({url(), path});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    std::vector<std::string> out = lines(r.out);
    ASSERT_EQ(out.size(), 10u) << r.out;
    EXPECT_EQ(out.back(), "{ _id: 'x', tags: [ 'a', 'b', 'c' ] }");
}

TEST(ShellNoServerTest, ADownServerIsAClearErrorNotACrash) {
    // Port 1 is privileged and unused here: the connection is refused.
    ProgramResult r = runProgram({ServerProcess::binaryPath(), "shell", "http://127.0.0.1:1",
                                  "--eval", "db.c.find()"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err.rfind("MongoNetworkError: cannot reach mongosd at http://127.0.0.1:1: ", 0), 0u)
        << r.err;
    r = runProgram({ServerProcess::binaryPath(), "shell", "https://x", "--eval", "1"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("http:// only"), std::string::npos) << r.err;
}

// A user at a terminal: a statement over two lines, Ctrl-C abandoning a half-typed line, history
// kept in a file and recalled with the up arrow in the next session, Ctrl-D to leave.
TEST_F(ShellProcessTest, InteractiveTerminal) {
    const std::string history = _dir.path() + "/history";
    const std::vector<std::string> env = {"MONGOSD_SHELL_HISTORY=" + history, "TERM=xterm",
                                          "HOME=" + _dir.path()};
    const std::vector<std::string> argv = {ServerProcess::binaryPath(), "shell", url("tty")};
    {
        PtyProcess tty(argv, env);
        EXPECT_NE(tty.waitFor("tty> ").find("Connected to mongosd"), std::string::npos);
        tty.type("db.c.insertOne({_id: 1,\r");
        tty.waitFor("... ");
        tty.type("  name: 'pty'})\r");
        EXPECT_NE(tty.waitFor("tty> ").find("{ acknowledged: true, insertedId: 1 }"),
                  std::string::npos);
        tty.type("db.c.drop(");
        tty.waitFor("db.c.drop(");
        tty.type("\x03");
        std::string cancelled = tty.waitFor("tty> ");
        EXPECT_NE(cancelled.find("^C"), std::string::npos) << cancelled;
        EXPECT_EQ(cancelled.find("true"), std::string::npos) << cancelled;
        tty.type("db.c.find()\r");
        EXPECT_NE(tty.waitFor("tty> ").find("[ { _id: 1, name: 'pty' } ]"), std::string::npos);
        tty.type("\x04");
        EXPECT_EQ(tty.wait(), 0) << tty.unread();
    }
    std::ifstream saved(history);
    std::stringstream text;
    text << saved.rdbuf();
    EXPECT_NE(text.str().find("db.c.find()"), std::string::npos) << text.str();
    EXPECT_EQ(text.str().find("db.c.drop("), std::string::npos) << text.str();
    {
        PtyProcess tty(argv, env);
        tty.waitFor("tty> ");
        tty.type("\x1b[A");  // up: the last statement of the previous session
        tty.waitFor("db.c.find()");
        tty.type("\r");
        EXPECT_NE(tty.waitFor("tty> ").find("[ { _id: 1, name: 'pty' } ]"), std::string::npos);
        // The server goes away: a clear error, and the shell keeps its prompt.
        _server->stop();
        tty.type("db.c.countDocuments()\r");
        std::string down = tty.waitFor("tty> ");
        EXPECT_NE(down.find("MongoNetworkError: cannot reach mongosd at " + url()),
                  std::string::npos)
            << down;
        tty.type("exit\r");
        EXPECT_EQ(tty.wait(), 0) << tty.unread();
    }
}

}  // namespace
}  // namespace mongosd::test
