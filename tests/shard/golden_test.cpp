// Data-driven query semantics: every file under tests/query/golden/ holds cases of
// {input documents, a command, the expected reply}, run through a real ShardService (real
// WiredTiger files, the full command layer). Format: tests/query/golden/README.md.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/bson_compare.h"
#include "common/command_reply.h"
#include "common/json/ejson.h"
#include "shard/service.h"
#include "tests/support/server_process.h"

namespace mongosd::shard {
namespace {

namespace fs = std::filesystem;
using json::JsonMode;

std::vector<std::string> goldenFiles() {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(MONGOSD_GOLDEN_DIR))
        if (e.is_regular_file() && e.path().extension() == ".json")
            out.push_back(fs::relative(e.path(), MONGOSD_GOLDEN_DIR).string());
    std::sort(out.begin(), out.end());
    return out;
}

BsonObj parseFile(const std::string& rel) {
    std::ifstream in(fs::path(MONGOSD_GOLDEN_DIR) / rel);
    std::stringstream ss;
    ss << in.rdbuf();
    json::JsonParseLimits limits;
    limits.maxDepth = kMaxCommandDepth;
    auto r = json::parseJsonObject(ss.str(), limits);
    if (!r.isOK()) throw std::runtime_error(rel + ": " + r.getStatus().toString());
    return r.getValue();
}

std::string canonical(const bson_iter_t& it) {
    std::string s;
    json::appendJsonElement(it, JsonMode::kCanonical, s);
    return s;
}

std::string relaxed(BsonView doc) { return json::toJson(doc, JsonMode::kRelaxed); }

class GoldenRunner {
public:
    explicit GoldenRunner(const std::string& dbpath) {
        ShardServiceOptions o;
        o.dbpath = dbpath;
        auto s = ShardService::open(o);
        if (!s.isOK()) throw std::runtime_error(s.getStatus().toString());
        _service = std::move(s.getValue());
    }

    BsonObj run(BsonView cmd) {
        BsonBuilder b;
        b.appendAll(cmd);
        if (!cmd.hasField("$db")) b.appendString("$db", "test");
        return _service->runCommand(b.obj(), "golden");
    }

    // Replaces test.c with `docs`.
    void load(const bson_iter_t* docs) { loadCollection("c", docs); }

    // Replaces test.<coll> with `docs` (drops it when null).
    void loadCollection(std::string_view coll, const bson_iter_t* docs) {
        BsonBuilder drop;
        drop.appendString("drop", coll);
        run(drop.obj());
        if (!docs || subDocument(*docs).isEmpty()) return;
        BsonBuilder ins;
        ins.appendString("insert", coll);
        ins.appendIter("documents", *docs);
        BsonObj reply = run(ins.obj());
        bson_iter_t we;
        if (!statusFromReply(reply).isOK() || reply.view().find("writeErrors", &we))
            throw std::runtime_error("loading documents failed: " + relaxed(reply));
    }

    // Every document a cursor reply yields, following getMore to the end.
    std::vector<BsonObj> drain(BsonView reply) {
        std::vector<BsonObj> out;
        BsonObj cur = BsonObj::copyOf(reply);
        std::string batchField = "firstBatch";
        while (true) {
            bson_iter_t c, batch, id, ns;
            if (!cur.view().find("cursor", &c)) break;
            BsonView cv = subDocument(c);
            if (cv.find(batchField, &batch)) {
                bson_iter_t d;
                bson_iter_recurse(&batch, &d);
                while (bson_iter_next(&d)) out.push_back(BsonObj::copyOf(subDocument(d)));
            }
            if (!cv.find("id", &id) || bson_iter_as_int64(&id) == 0) break;
            cv.find("ns", &ns);
            std::string nsStr = bson_iter_utf8(&ns, nullptr);
            BsonBuilder gm;
            gm.appendInt64("getMore", bson_iter_as_int64(&id));
            gm.appendString("collection", nsStr.substr(nsStr.find('.') + 1));
            cur = run(gm.obj());
            batchField = "nextBatch";
        }
        return out;
    }

    static BsonObj command(const char* json) { return json::parseJsonObject(json).getValue(); }

private:
    std::unique_ptr<ShardService> _service;
};

std::vector<std::string> canonicalDocs(const std::vector<BsonObj>& docs, bool sorted) {
    std::vector<std::string> out;
    for (const auto& d : docs) out.push_back(json::toJson(d.view(), JsonMode::kCanonical));
    if (sorted) std::sort(out.begin(), out.end());
    return out;
}

std::vector<BsonObj> arrayDocs(const bson_iter_t& arr) {
    std::vector<BsonObj> out;
    bson_iter_t d;
    bson_iter_recurse(&arr, &d);
    while (bson_iter_next(&d)) out.push_back(BsonObj::copyOf(subDocument(d)));
    return out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += "  " + x + "\n";
    return s;
}

// "collections": {name: [docs]} (case-level, else file-level) seeds test.<name>; collections
// named only in "afterCollections" start empty.
void loadOtherCollections(GoldenRunner& runner, BsonView fileDoc, BsonView tc) {
    bson_iter_t colls, after, it;
    bool has = tc.find("collections", &colls) || fileDoc.find("collections", &colls);
    if (has) {
        bson_iter_recurse(&colls, &it);
        while (bson_iter_next(&it)) runner.loadCollection(iterKey(it), &it);
    }
    if (!tc.find("afterCollections", &after)) return;
    bson_iter_recurse(&after, &it);
    while (bson_iter_next(&it)) {
        bson_iter_t seeded;
        if (!has || !subDocument(colls).find(iterKey(it), &seeded))
            runner.loadCollection(iterKey(it), nullptr);
    }
}

// "afterCollections": {name: [docs]}: test.<name> afterwards, in _id order.
void checkAfterCollections(GoldenRunner& runner, BsonView tc, bool unordered) {
    bson_iter_t after, it;
    if (!tc.find("afterCollections", &after)) return;
    bson_iter_recurse(&after, &it);
    while (bson_iter_next(&it)) {
        BsonBuilder find;
        find.appendString("find", iterKey(it));
        find.appendDocument("sort", [](BsonBuilder& s) { s.appendInt32("_id", 1); });
        auto want = canonicalDocs(arrayDocs(it), unordered);
        auto got = canonicalDocs(runner.drain(runner.run(find.obj())), unordered);
        EXPECT_EQ(want, got) << "collection " << iterKey(it) << " after:\nexpected:\n"
                             << joined(want) << "got:\n" << joined(got);
    }
}

void checkCase(GoldenRunner& runner, const std::string& file, BsonView fileDoc, BsonView tc) {
    bson_iter_t name, docs, cmd, expect;
    std::string caseName = tc.find("name", &name) ? bson_iter_utf8(&name, nullptr) : "?";
    SCOPED_TRACE(file + " :: " + caseName);
    bool hasDocs = tc.find("docs", &docs) || fileDoc.find("docs", &docs);
    runner.load(hasDocs ? &docs : nullptr);
    loadOtherCollections(runner, fileDoc, tc);
    ASSERT_TRUE(tc.find("command", &cmd)) << "case without a command";
    BsonObj reply = runner.run(subDocument(cmd));
    Status st = statusFromReply(reply);
    bson_iter_t writeErrors;
    if (st.isOK() && reply.view().find("writeErrors", &writeErrors)) {
        // A batch write's first write error stands for the command's outcome.
        bson_iter_t first, code;
        if (bson_iter_recurse(&writeErrors, &first) && bson_iter_next(&first) &&
            subDocument(first).find("code", &code))
            st = Status(static_cast<ErrorCodes::Error>(bson_iter_as_int64(&code)),
                        "write error: " + relaxed(reply));
    }

    if (tc.find("error", &expect)) {
        ASSERT_FALSE(st.isOK()) << "expected an error, got " << relaxed(reply);
        bson_iter_t code;
        if (subDocument(expect).find("code", &code)) {
            EXPECT_EQ(st.code(), bson_iter_as_int64(&code))
                << "got " << st.toString() << " reply " << relaxed(reply);
        }
        return;
    }
    ASSERT_TRUE(st.isOK()) << "command failed: " << st.toString();

    bson_iter_t unorderedIt;
    bool unordered = tc.find("unordered", &unorderedIt) && bson_iter_as_bool(&unorderedIt);
    if (tc.find("result", &expect)) {
        auto want = canonicalDocs(arrayDocs(expect), unordered);
        auto got = canonicalDocs(runner.drain(reply), unordered);
        EXPECT_EQ(want, got) << "expected:\n" << joined(want) << "got:\n" << joined(got);
    }
    if (tc.find("reply", &expect)) {
        bson_iter_t field;
        bson_iter_recurse(&expect, &field);
        while (bson_iter_next(&field)) {
            bson_iter_t actual;
            std::string key(iterKey(field));
            if (!reply.view().find(key, &actual)) {
                ADD_FAILURE() << "reply lacks '" << key << "': " << relaxed(reply);
                continue;
            }
            EXPECT_EQ(canonical(field), canonical(actual)) << "reply field '" << key << "'";
        }
    }
    checkAfterCollections(runner, tc, unordered);
    if (tc.find("after", &expect)) {
        BsonObj all = runner.run(GoldenRunner::command(R"({"find": "c", "sort": {"_id": 1}})"));
        auto want = canonicalDocs(arrayDocs(expect), unordered);
        auto got = canonicalDocs(runner.drain(all), unordered);
        EXPECT_EQ(want, got) << "collection after:\nexpected:\n" << joined(want) << "got:\n" << joined(got);
    }
}

// A case marked "pending": "<what it waits for>" runs, but its failures are only reported (it
// needs work on another branch); once it passes, drop the marker.
void checkCaseOrPending(GoldenRunner& runner, const std::string& file, BsonView fileDoc,
                        BsonView tc) {
    bson_iter_t pending, name;
    if (!tc.find("pending", &pending)) return checkCase(runner, file, fileDoc, tc);
    ::testing::TestPartResultArray failures;
    {
        ::testing::ScopedFakeTestPartResultReporter intercept(
            ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
        checkCase(runner, file, fileDoc, tc);
    }
    std::string caseName = tc.find("name", &name) ? bson_iter_utf8(&name, nullptr) : "?";
    std::cout << "[ PENDING  ] " << file << " :: " << caseName << ": "
              << (failures.size() ? "fails until " : "passes; drop the marker (")
              << bson_iter_utf8(&pending, nullptr) << (failures.size() ? "" : ")") << "\n";
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, Cases) {
    test::TempDir dir;
    GoldenRunner runner(dir.path() + "/db");
    BsonObj fileDoc = parseFile(GetParam());
    bson_iter_t cases;
    ASSERT_TRUE(fileDoc.view().find("cases", &cases)) << "no 'cases' array";
    bson_iter_t tc;
    bson_iter_recurse(&cases, &tc);
    int n = 0;
    while (bson_iter_next(&tc)) {
        checkCaseOrPending(runner, GetParam(), fileDoc.view(), subDocument(tc));
        ++n;
    }
    EXPECT_GT(n, 0);
}

std::string testName(const ::testing::TestParamInfo<std::string>& info) {
    std::string s = info.param;
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

INSTANTIATE_TEST_SUITE_P(Files, Golden, ::testing::ValuesIn(goldenFiles()), testName);

}  // namespace
}  // namespace mongosd::shard
