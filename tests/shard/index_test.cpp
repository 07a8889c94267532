// Secondary indexes through a real ShardService on WiredTiger: every index type returns the
// same documents as a collection scan on randomised data (also after random updates and
// deletes, checked by validate), unique violations through every write path, explain's plan
// shapes and bounds, the plan cache, TTL deletion and cursors over changing data.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/bson.h"
#include "common/command_reply.h"
#include "common/json/ejson.h"
#include "shard/service.h"
#include "tests/support/json_util.h"
#include "tests/support/server_process.h"

namespace mongosd::shard {
namespace {

using test::countAt;
using test::getInt;
using test::getString;
using test::parseJson;

class IndexTest : public ::testing::Test {
protected:
    void SetUp() override { open(); }

    void open() {
        ShardServiceOptions options;
        options.dbpath = _dir.path();
        options.ttlMonitorInterval = std::chrono::hours(1);  // passes are run by hand
        auto service = ShardService::open(options);
        ASSERT_TRUE(service.isOK()) << service.getStatus().toString();
        _service = std::move(service.getValue());
    }
    void reopen() {
        _service.reset();
        open();
    }

    BsonObj run(const std::string& json) {
        BsonObj cmd = parseJson(json);
        return _service->runCommand(cmd.view(), "test");
    }
    BsonObj ok(const std::string& json) {
        BsonObj reply = run(json);
        EXPECT_TRUE(statusFromReply(reply).isOK()) << json << " -> " << json::toJson(reply.view());
        return reply;
    }

    // Every _id a find returns (following getMore), in the order returned.
    std::vector<std::string> findIds(const std::string& filter, const std::string& extra = "") {
        return cursorIds(R"({"find": "c", "filter": )" + filter + R"(, "batchSize": 7)" + extra +
                         R"(, "$db": "t"})");
    }
    // The same through aggregate: a leading $match is planned like a find.
    std::vector<std::string> aggregateIds(const std::string& filter) {
        return cursorIds(R"({"aggregate": "c", "pipeline": [{"$match": )" + filter +
                         R"(}, {"$project": {"_id": 1}}], "cursor": {"batchSize": 7}, "$db": "t"})");
    }
    std::vector<std::string> cursorIds(const std::string& command) {
        BsonObj reply = ok(command);
        std::vector<std::string> ids;
        auto collect = [&](BsonView r, const char* field) {
            bson_iter_t it, cur, batch, doc;
            if (!r.find("cursor", &it) || !bson_iter_recurse(&it, &cur) ||
                !bson_iter_find(&cur, field) || !bson_iter_recurse(&cur, &batch)) {
                return;
            }
            while (bson_iter_next(&batch)) {
                bson_iter_recurse(&batch, &doc);
                bson_iter_find(&doc, "_id");
                BsonBuilder b;
                b.appendIter("_id", doc);
                ids.push_back(json::toJson(b.obj().view()));
            }
        };
        collect(reply.view(), "firstBatch");
        for (int64_t id = getInt(reply.view(), "cursor.id").value_or(0); id != 0;) {
            BsonObj more = ok(R"({"getMore": )" + std::to_string(id) +
                              R"(, "collection": "c", "batchSize": 5, "$db": "t"})");
            collect(more.view(), "nextBatch");
            id = getInt(more.view(), "cursor.id").value_or(0);
        }
        return ids;
    }

    std::string winningStage(const std::string& find) {
        BsonObj reply = ok(R"({"explain": )" + find + R"(, "verbosity": "queryPlanner", "$db": "t"})");
        return json::toJson(subDocument(reply.view(), "queryPlanner.winningPlan").view());
    }

    static BsonObj subDocument(BsonView doc, const std::string& path) {
        bson_iter_t it;
        if (!test::findPath(doc, path, &it) || !BSON_ITER_HOLDS_DOCUMENT(&it)) return BsonObj();
        uint32_t len = 0;
        const uint8_t* data = nullptr;
        bson_iter_document(&it, &len, &data);
        return BsonObj::copyOf(BsonView(data, len));
    }

    void expectValid() {
        BsonObj reply = ok(R"({"validate": "c", "$db": "t"})");
        bson_iter_t it;
        ASSERT_TRUE(reply.view().find("valid", &it));
        EXPECT_TRUE(bson_iter_as_bool(&it)) << json::toJson(reply.view());
    }

    test::TempDir _dir;
    std::unique_ptr<ShardService> _service;
};

// ---------------------------------------------------------------------------------------------
// Randomised: the same query with and without the index returns the same documents.

class RandomData {
public:
    explicit RandomData(uint32_t seed) : _rng(seed) {}

    std::string value() {
        switch (pick(10)) {
            case 0: return "null";
            case 1: return std::to_string(int(pick(20)) - 5) + ".5";
            case 2: return "\"" + std::string(1, char('a' + pick(6))) + "\"";
            case 3: return "[" + scalar() + ", " + scalar() + "]";
            case 4: return "[]";
            case 5: return R"({"x": )" + scalar() + "}";
            case 6: return "[{\"x\": " + scalar() + "}, {\"x\": " + scalar() + "}]";
            case 7: return pick(2) ? "true" : "false";
            default: return std::to_string(int(pick(20)) - 5);
        }
    }
    std::string scalar() {
        switch (pick(4)) {
            case 0: return "\"" + std::string(1, char('a' + pick(6))) + "\"";
            case 1: return "null";
            default: return std::to_string(int(pick(20)) - 5);
        }
    }
    std::string document(int id) {
        std::string d = R"({"_id": )" + std::to_string(id);
        for (const char* f : {"a", "b", "c"}) {
            if (pick(6) == 0) continue;  // missing
            // c never holds an array, so {a, c} / {b, c} compounds are always indexable.
            std::string v = value();
            while (std::string(f) == "c" && (v[0] == '[' || v.find('[') != std::string::npos))
                v = value();
            d += std::string(", \"") + f + "\": " + v;
        }
        return d + "}";
    }
    std::string predicate() {
        switch (pick(9)) {
            case 0: return scalar();
            case 1: return R"({"$gt": )" + scalar() + "}";
            case 2: return R"({"$gte": )" + scalar() + R"(, "$lt": )" + scalar() + "}";
            case 3: return R"({"$in": [)" + scalar() + ", " + scalar() + ", " + scalar() + "]}";
            case 4: return R"({"$lte": )" + scalar() + "}";
            case 5: return R"({"$exists": )" + std::string(pick(2) ? "true" : "false") + "}";
            case 6: return R"({"$ne": )" + scalar() + "}";
            case 7: return R"({"$elemMatch": {"$gt": 0, "$lt": 9}})";
            default: return R"({"$regex": "^)" + std::string(1, char('a' + pick(6))) + "\"}";
        }
    }
    std::string filter() {
        static const char* kPaths[] = {"a", "b", "c", "a.x", "b.x"};
        std::string f = "{";
        int n = 1 + pick(2);
        std::set<std::string> used;
        for (int i = 0; i < n; ++i) {
            std::string path = kPaths[pick(5)];
            if (!used.insert(path).second) continue;
            if (used.size() > 1) f += ", ";
            f += "\"" + path + "\": " + predicate();
        }
        return f + "}";
    }
    uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(_rng); }

private:
    std::mt19937 _rng;
};

struct IndexCase {
    const char* spec;
    bool hintable;  // hinting a sparse/partial index may legitimately return fewer documents
};

void PrintTo(const IndexCase& c, std::ostream* os) { *os << c.spec; }

class IndexVsCollectionScan : public IndexTest, public ::testing::WithParamInterface<IndexCase> {};

TEST_P(IndexVsCollectionScan, SameDocumentsOnRandomData) {
    RandomData rnd(20261124);
    constexpr int kDocs = 300;
    std::string docs;
    for (int i = 0; i < kDocs; ++i) docs += (i ? ", " : "") + rnd.document(i);
    ok(R"({"insert": "c", "documents": [)" + docs + R"(], "$db": "t"})");
    // Built over existing data, then maintained by the writes below.
    ok(std::string(R"({"createIndexes": "c", "indexes": [)") + GetParam().spec +
       R"(], "$db": "t"})");
    expectValid();
    BsonObj listed = ok(R"({"listIndexes": "c", "$db": "t"})");
    const std::string name = getString(listed.view(), "cursor.firstBatch.1.name").value_or("?");

    auto compareQueries = [&](int queries) {
        for (int q = 0; q < queries; ++q) {
            std::string filter = rnd.filter();
            std::vector<std::string> scan = findIds(filter, R"(, "hint": {"$natural": 1})");
            std::vector<std::string> planned = findIds(filter);
            std::sort(scan.begin(), scan.end());
            std::sort(planned.begin(), planned.end());
            ASSERT_EQ(planned, scan) << "filter " << filter << " index " << GetParam().spec;
            std::vector<std::string> aggregated = aggregateIds(filter);
            std::sort(aggregated.begin(), aggregated.end());
            ASSERT_EQ(aggregated, scan) << "aggregate $match " << filter;
            if (GetParam().hintable) {
                std::vector<std::string> hinted = findIds(filter, R"(, "hint": ")" + name + "\"");
                std::sort(hinted.begin(), hinted.end());
                ASSERT_EQ(hinted, scan) << "hinted filter " << filter;
            }
        }
    };
    compareQueries(120);

    // Random updates, replacements, deletes and inserts keep the index in step.
    for (int i = 0; i < 150; ++i) {
        int id = int(rnd.pick(kDocs + 50));
        switch (rnd.pick(4)) {
            case 0:
                run(R"({"update": "c", "updates": [{"q": {"_id": )" + std::to_string(id) +
                    R"(}, "u": {"$set": {"a": )" + rnd.value() + R"(}}}], "$db": "t"})");
                break;
            case 1: {
                std::string doc = rnd.document(id);
                run(R"({"update": "c", "updates": [{"q": {"_id": )" + std::to_string(id) +
                    R"(}, "u": )" + doc + R"(, "upsert": true}], "$db": "t"})");
                break;
            }
            case 2:
                run(R"({"delete": "c", "deletes": [{"q": {"_id": )" + std::to_string(id) +
                    R"(}, "limit": 1}], "$db": "t"})");
                break;
            default:
                run(R"({"insert": "c", "documents": [)" + rnd.document(id) + R"(], "$db": "t"})");
        }
    }
    expectValid();
    compareQueries(60);

    // The index and its multikey flags survive a restart.
    reopen();
    expectValid();
    compareQueries(20);
}

INSTANTIATE_TEST_SUITE_P(
    Indexes, IndexVsCollectionScan,
    ::testing::Values(IndexCase{R"({"key": {"a": 1}})", true},
                      IndexCase{R"({"key": {"a": -1}})", true},
                      IndexCase{R"({"key": {"a": 1, "c": -1}})", true},
                      IndexCase{R"({"key": {"c": 1, "b": 1}})", true},
                      IndexCase{R"({"key": {"a.x": 1}})", true},
                      IndexCase{R"({"key": {"c": "hashed"}})", true},
                      IndexCase{R"({"key": {"b": 1}, "sparse": true})", false},
                      IndexCase{R"({"key": {"a": 1}, "partialFilterExpression": {"c": {"$gt": 3}}})",
                                false}),
    [](const auto& info) { return "Case" + std::to_string(info.index); });

// ---------------------------------------------------------------------------------------------

TEST_F(IndexTest, UniqueViolationsThroughEveryWritePath) {
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"email": 1}, "name": "email_1", "unique": true}], "$db": "t"})");
    ok(R"({"insert": "c", "documents": [{"_id": 1, "email": "a@x"}, {"_id": 2, "email": "b@x"}], "$db": "t"})");

    auto expectDup = [&](const BsonObj& reply, const char* path) {
        EXPECT_EQ(getInt(reply.view(), std::string(path) + "code").value_or(0), 11000)
            << json::toJson(reply.view());
        EXPECT_EQ(getInt(reply.view(), std::string(path) + "keyPattern.email").value_or(0), 1);
        EXPECT_EQ(getString(reply.view(), std::string(path) + "keyValue.email").value_or(""),
                  "a@x");
    };
    // insert
    expectDup(run(R"({"insert": "c", "documents": [{"_id": 3, "email": "a@x"}], "$db": "t"})"),
              "writeErrors.0.");
    // update
    expectDup(run(R"({"update": "c", "updates": [{"q": {"_id": 2}, "u": {"$set": {"email": "a@x"}}}], "$db": "t"})"),
              "writeErrors.0.");
    // upsert
    expectDup(run(R"({"update": "c", "updates": [{"q": {"_id": 9}, "u": {"$set": {"email": "a@x"}}, "upsert": true}], "$db": "t"})"),
              "writeErrors.0.");
    // findAndModify (a command error: the extra fields sit next to code)
    expectDup(run(R"({"findAndModify": "c", "query": {"_id": 2}, "update": {"$set": {"email": "a@x"}}, "$db": "t"})"),
              "");
    // Nothing of the failed writes is visible, and the index still agrees.
    EXPECT_EQ(findIds(R"({"email": "a@x"})").size(), 1u);
    EXPECT_EQ(findIds(R"({"_id": {"$in": [3, 9]}})").size(), 0u);
    EXPECT_EQ(getString(run(R"({"find": "c", "filter": {"_id": 2}, "$db": "t"})").view(),
                        "cursor.firstBatch.0.email")
                  .value_or(""),
              "b@x");
    expectValid();

    // A unique index over existing duplicates is refused and leaves nothing behind.
    ok(R"({"insert": "c", "documents": [{"_id": 4, "n": 1}, {"_id": 5, "n": 1}], "$db": "t"})");
    BsonObj refused = run(R"({"createIndexes": "c", "indexes": [{"key": {"n": 1}, "unique": true}], "$db": "t"})");
    EXPECT_EQ(getInt(refused.view(), "code").value_or(0), 11000);
    EXPECT_EQ(countAt(ok(R"({"listIndexes": "c", "$db": "t"})").view(), "cursor.firstBatch"), 2);
}

// A unique index's rows are keyed by the index key alone: ranges, $in and both directions
// over it return what a collection scan does.
TEST_F(IndexTest, UniqueIndexScansMatchCollectionScans) {
    std::string docs;
    for (int i = 0; i < 200; ++i) {
        docs += (i ? ", " : "") + std::string(R"({"_id": )") + std::to_string(i) + R"(, "u": )" +
                std::to_string((i * 37) % 200 - 50) + "}";
    }
    ok(R"({"insert": "c", "documents": [)" + docs + R"(], "$db": "t"})");
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"u": -1}, "unique": true}], "$db": "t"})");
    std::mt19937 rng(7);
    for (int q = 0; q < 60; ++q) {
        int lo = int(rng() % 260) - 80, hi = lo + int(rng() % 60);
        std::string filter = q % 3 == 0 ? R"({"u": {"$in": [)" + std::to_string(lo) + ", " +
                                              std::to_string(hi) + "]}}"
                                        : R"({"u": {"$gt": )" + std::to_string(lo) +
                                              R"(, "$lte": )" + std::to_string(hi) + "}}";
        const std::string sort = q % 2 ? R"(, "sort": {"u": 1})" : R"(, "sort": {"u": -1})";
        std::vector<std::string> viaIndex = findIds(filter, sort);
        std::vector<std::string> viaScan = findIds(filter, sort + R"(, "hint": {"$natural": 1})");
        ASSERT_EQ(viaIndex, viaScan) << filter << sort;  // same order too: u is unique
        EXPECT_NE(winningStage(R"({"find": "c", "filter": )" + filter + sort + "}")
                      .find(R"("isUnique":true)"),
                  std::string::npos);
    }
}

TEST_F(IndexTest, IdKeyPatterns) {
    ok(R"({"insert": "c", "documents": [{"_id": 2}, {"_id": 1}], "$db": "t"})");
    BsonObj implicit = ok(R"({"createIndexes": "c", "indexes": [{"key": {"_id": 1}}], "$db": "t"})");
    EXPECT_EQ(getString(implicit.view(), "note").value_or(""), "all indexes already exist");
    BsonObj descending = ok(R"({"createIndexes": "c", "indexes": [{"key": {"_id": -1}}], "$db": "t"})");
    EXPECT_EQ(getInt(descending.view(), "numIndexesAfter"), 2);
    EXPECT_EQ(findIds("{}", R"(, "hint": {"_id": -1})"),
              (std::vector<std::string>{R"({"_id":2})", R"({"_id":1})"}));
    expectValid();
}

TEST_F(IndexTest, IndexSpecErrors) {
    ok(R"({"insert": "c", "documents": [{"_id": 1, "a": [1, 2], "b": [3, 4]}], "$db": "t"})");
    EXPECT_EQ(getInt(run(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1, "b": 1}}], "$db": "t"})").view(), "code"),
              171);  // parallel arrays
    EXPECT_EQ(getInt(run(R"({"createIndexes": "c", "indexes": [{"key": {"a": "text"}}], "$db": "t"})").view(), "code"),
              67);
    EXPECT_EQ(getInt(run(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "bogus": 1}], "$db": "t"})").view(), "code"),
              197);
    EXPECT_EQ(getInt(run(R"({"createIndexes": "c", "indexes": [{"key": {"a": "hashed"}}], "$db": "t"})").view(), "code"),
              16766);  // hashed over an array value
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "x"}], "$db": "t"})");
    EXPECT_EQ(getInt(run(R"({"createIndexes": "c", "indexes": [{"key": {"b": 1}, "name": "x"}], "$db": "t"})").view(), "code"),
              86);
    EXPECT_EQ(getInt(run(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "y"}], "$db": "t"})").view(), "code"),
              85);
    BsonObj again = ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "x"}], "$db": "t"})");
    EXPECT_EQ(getString(again.view(), "note").value_or(""), "all indexes already exist");
    // A document the index cannot take is refused and not stored.
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1, "c": 1}}], "$db": "t"})");
    EXPECT_EQ(getInt(run(R"({"insert": "c", "documents": [{"_id": 2, "a": [1], "c": [2]}], "$db": "t"})").view(),
                     "writeErrors.0.code"),
              171);
    EXPECT_EQ(findIds("{}").size(), 1u);
    EXPECT_EQ(getInt(run(R"({"dropIndexes": "c", "index": "_id_", "$db": "t"})").view(), "code"), 72);
    EXPECT_EQ(getInt(run(R"({"dropIndexes": "c", "index": "nope", "$db": "t"})").view(), "code"), 27);
    ok(R"({"dropIndexes": "c", "index": {"a": 1}, "$db": "t"})");
    EXPECT_EQ(countAt(ok(R"({"listIndexes": "c", "$db": "t"})").view(), "cursor.firstBatch"), 2);
    expectValid();
}

// The implicit `_id_` index is the collection's own table: _id ranges and _id sorts scan it in
// key order (forwards or backwards) instead of scanning everything and sorting. Mixed _id
// types, random range/$in filters, both sort directions, skip/limit and small batches: the
// same documents in the same order as a collection scan with an in-memory sort.
TEST_F(IndexTest, IdRangesScanTheTableInIdOrder) {
    std::mt19937 rng(20261124);
    auto pick = [&](int n) { return int(rng() % uint32_t(n)); };
    auto idValue = [&]() -> std::string {
        switch (pick(5)) {
            case 0: return std::to_string(pick(300) - 50);
            case 1: return std::to_string(pick(300) - 50) + ".5";
            case 2: return "\"u" + std::to_string(pick(400)) + "\"";
            case 3: return R"({"$oid": "65a0000000000000000)" + std::to_string(10000 + pick(80000)) + "\"}";
            default: return R"({"$date": {"$numberLong": ")" + std::to_string(pick(1000)) + "\"}}";
        }
    };
    std::set<std::string> used;
    std::string docs;
    for (int i = 0; i < 600; ++i) {
        std::string id = idValue();
        if (!used.insert(id).second) continue;
        docs += (docs.empty() ? "" : ", ") + std::string(R"({"_id": )") + id + R"(, "g": )" +
                std::to_string(i % 3) + "}";
    }
    ok(R"({"insert": "c", "documents": [)" + docs + R"(], "$db": "t"})");
    const char* ops[] = {"$gt", "$gte", "$lt", "$lte"};
    for (int q = 0; q < 300; ++q) {
        std::string filter;
        switch (pick(4)) {
            case 0:
                filter = R"({"_id": {")" + std::string(ops[pick(4)]) + R"(": )" + idValue() + "}}";
                break;
            case 1:
                filter = R"({"_id": {")" + std::string(ops[pick(2)]) + R"(": )" + idValue() +
                         R"(, ")" + ops[2 + pick(2)] + R"(": )" + idValue() + "}}";
                break;
            case 2:
                filter = R"({"_id": {"$in": [)" + idValue() + ", " + idValue() + ", " +
                         idValue() + "]}}";
                break;
            default:
                filter = R"({"g": )" + std::to_string(pick(3)) + R"(, "_id": {")" +
                         ops[pick(4)] + R"(": )" + idValue() + "}}";
        }
        std::string extra;
        if (pick(4)) extra += std::string(R"(, "sort": {"_id": )") + (pick(2) ? "1" : "-1") + "}";
        if (pick(2)) extra += R"(, "limit": )" + std::to_string(1 + pick(30));
        if (pick(3) == 0) extra += R"(, "skip": )" + std::to_string(pick(10));
        std::vector<std::string> planned = findIds(filter, extra);
        std::vector<std::string> scanned = findIds(filter, extra + R"(, "hint": {"$natural": 1})");
        if (extra.find("sort") == std::string::npos) {
            // Unsorted: the same set (a limit may pick different members, skip the check).
            if (extra.find("limit") != std::string::npos || extra.find("skip") != std::string::npos)
                continue;
            std::sort(planned.begin(), planned.end());
            std::sort(scanned.begin(), scanned.end());
        }
        ASSERT_EQ(planned, scanned) << filter << extra;
    }
    // The plan: IXSCAN over _id_ with bounds, no SORT, and only the returned documents read.
    std::string range = winningStage(
        R"({"find": "c", "filter": {"_id": {"$gte": "u100"}}, "sort": {"_id": 1}, "limit": 5})");
    EXPECT_NE(range.find(R"("indexName":"_id_")"), std::string::npos) << range;
    EXPECT_EQ(range.find(R"("stage":"SORT")"), std::string::npos) << range;
    EXPECT_NE(range.find(R"("_id":["[\"u100\", {}))"), std::string::npos) << range;
    BsonObj stats = ok(R"({"explain": {"find": "c", "filter": {"_id": {"$gte": "u100"}}, "sort": {"_id": 1}, "limit": 5}, "verbosity": "executionStats", "$db": "t"})");
    EXPECT_EQ(getInt(stats.view(), "executionStats.totalDocsExamined").value_or(-1), 5)
        << json::toJson(stats.view());
    EXPECT_EQ(getInt(stats.view(), "executionStats.nReturned").value_or(-1), 5);
    // Backwards for a descending sort; hint by name or by {_id: 1} now resolves.
    std::string backward = winningStage(R"({"find": "c", "filter": {}, "sort": {"_id": -1}, "limit": 3})");
    EXPECT_NE(backward.find(R"("direction":"backward")"), std::string::npos) << backward;
    EXPECT_NE(winningStage(R"({"find": "c", "filter": {"g": 1}, "hint": "_id_"})").find("_id_"),
              std::string::npos);
    EXPECT_NE(winningStage(R"({"find": "c", "filter": {"g": 1}, "hint": {"_id": 1}})").find("_id_"),
              std::string::npos);
    // A filter that does not touch _id still scans the collection.
    EXPECT_NE(winningStage(R"({"find": "c", "filter": {"g": 1}})").find("COLLSCAN"),
              std::string::npos);
}

// A descending _id scan resumed across getMores while documents are inserted and deleted on
// both sides of it: every document returned is in range, in strictly descending order, once.
TEST_F(IndexTest, IdRangeCursorSurvivesWritesBetweenBatches) {
    std::string docs;
    for (int i = 0; i < 300; ++i) docs += (i ? ", " : "") + std::string(R"({"_id": )") + std::to_string(i * 2) + "}";
    ok(R"({"insert": "c", "documents": [)" + docs + R"(], "$db": "t"})");
    BsonObj first = ok(R"({"find": "c", "filter": {"_id": {"$lt": 500, "$gte": 100}}, "sort": {"_id": -1}, "batchSize": 10, "$db": "t"})");
    std::vector<int64_t> seen;
    auto collect = [&](BsonView reply, const char* field) {
        bson_iter_t it;
        ASSERT_TRUE(test::findPath(reply, std::string("cursor.") + field, &it));
        bson_iter_t batch, doc;
        bson_iter_recurse(&it, &batch);
        while (bson_iter_next(&batch)) {
            bson_iter_recurse(&batch, &doc);
            ASSERT_TRUE(bson_iter_find(&doc, "_id"));
            seen.push_back(bson_iter_as_int64(&doc));
        }
    };
    collect(first.view(), "firstBatch");
    int64_t cursor = getInt(first.view(), "cursor.id").value_or(0);
    for (int round = 0; cursor != 0; ++round) {
        const int64_t last = seen.back();
        // Behind the cursor (already passed), ahead of it, and the next one it would return.
        ok(R"({"insert": "c", "documents": [{"_id": )" + std::to_string(last + 1) + R"(}, {"_id": )" +
           std::to_string(last - 5) + "}], \"$db\": \"t\"}");
        ok(R"({"delete": "c", "deletes": [{"q": {"_id": )" + std::to_string(last - 2) +
           R"(}, "limit": 1}], "$db": "t"})");
        BsonObj more = ok(R"({"getMore": )" + std::to_string(cursor) +
                          R"(, "collection": "c", "batchSize": 10, "$db": "t"})");
        collect(more.view(), "nextBatch");
        cursor = getInt(more.view(), "cursor.id").value_or(0);
    }
    ASSERT_GT(seen.size(), 150u);
    for (size_t i = 0; i < seen.size(); ++i) {
        EXPECT_TRUE(seen[i] >= 100 && seen[i] < 500) << seen[i];
        if (i) {
            EXPECT_LT(seen[i], seen[i - 1]) << "at " << i;
        }
    }
    // Deleted ones never came back; inserted ones ahead of the cursor did.
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 480 - 2), 0);
}

TEST_F(IndexTest, ExplainShowsPlansAndBounds) {
    std::string docs;
    for (int i = 0; i < 200; ++i) {
        docs += (i ? ", " : "") + std::string(R"({"_id": )") + std::to_string(i) + R"(, "a": )" +
                std::to_string(i % 20) + R"(, "b": )" + std::to_string(i % 7) + R"(, "s": "k)" +
                std::to_string(i % 5) + "\"}";
    }
    ok(R"({"insert": "c", "documents": [)" + docs + R"(], "$db": "t"})");
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1, "b": -1}, "name": "ab"}, {"key": {"s": 1}, "name": "s"}], "$db": "t"})");

    auto stage = [&](const std::string& find) {
        return winningStage(R"({"find": "c", )" + find + "}");
    };
    // No index applies: COLLSCAN.
    EXPECT_NE(stage(R"("filter": {"b": 3})").find(R"("stage":"COLLSCAN")"), std::string::npos);
    // Equality: IXSCAN [5, 5] on the compound prefix.
    std::string eq = stage(R"("filter": {"a": 5})");
    EXPECT_NE(eq.find(R"("stage":"FETCH")"), std::string::npos) << eq;
    EXPECT_NE(eq.find(R"("indexName":"ab")"), std::string::npos) << eq;
    EXPECT_NE(eq.find(R"("a":["[5, 5]"],"b":["[MaxKey, MinKey]"])"), std::string::npos) << eq;
    // Range.
    std::string range = stage(R"("filter": {"a": {"$gte": 3, "$lt": 8}})");
    EXPECT_NE(range.find(R"j("a":["[3, 8)"])j"), std::string::npos) << range;
    // $in: several intervals.
    std::string in = stage(R"("filter": {"a": {"$in": [9, 2, 4]}})");
    EXPECT_NE(in.find(R"("a":["[2, 2]","[4, 4]","[9, 9]"])"), std::string::npos) << in;
    // Compound: equality prefix plus a range on the second field.
    std::string compound = stage(R"("filter": {"a": 4, "b": {"$gt": 2}})");
    EXPECT_NE(compound.find(R"j("b":["[inf.0, 2)"])j"), std::string::npos) << compound;
    // Sort given by the index, backwards: no SORT stage.
    std::string sorted = stage(R"("filter": {"a": {"$gt": 10}}, "sort": {"a": -1, "b": 1})");
    EXPECT_EQ(sorted.find(R"("SORT")"), std::string::npos) << sorted;
    EXPECT_NE(sorted.find(R"("direction":"backward")"), std::string::npos) << sorted;
    // A sort the index cannot give: SORT over the index scan.
    std::string blocking = stage(R"("filter": {"a": 3}, "sort": {"s": 1})");
    EXPECT_NE(blocking.find(R"("stage":"SORT")"), std::string::npos) << blocking;
    // Hint by name and by key pattern.
    EXPECT_NE(stage(R"("filter": {"b": 3}, "hint": "s")").find(R"("indexName":"s")"), std::string::npos);
    EXPECT_NE(stage(R"("filter": {}, "hint": {"a": 1, "b": -1})").find(R"("indexName":"ab")"),
              std::string::npos);
    EXPECT_EQ(getInt(run(R"({"explain": {"find": "c", "hint": "zz"}, "$db": "t"})").view(), "code"), 2);
    // Regex prefix: a string range (and the regex itself, which a stored regex could equal).
    std::string regex = stage(R"("filter": {"s": {"$regex": "^k1"}})");
    EXPECT_NE(regex.find(R"j("s":["[\"k1\", \"k2\")","[/^k1/, /^k1/]"])j"), std::string::npos) << regex;

    // executionStats: the counters of a real run.
    BsonObj stats = ok(R"({"explain": {"find": "c", "filter": {"a": 5, "b": {"$lte": 3}}}, "verbosity": "executionStats", "$db": "t"})");
    EXPECT_EQ(getInt(stats.view(), "executionStats.nReturned").value_or(-1), 5);
    // a = 5 pins the first field, so b's range is scanned too: only the 5 matches are read.
    EXPECT_EQ(getInt(stats.view(), "executionStats.totalDocsExamined").value_or(-1), 5);
    EXPECT_EQ(getInt(stats.view(), "executionStats.totalKeysExamined").value_or(-1), 5);
    BsonObj scan = ok(R"({"explain": {"find": "c", "filter": {"b": 3}}, "verbosity": "executionStats", "$db": "t"})");
    EXPECT_EQ(getInt(scan.view(), "executionStats.totalDocsExamined").value_or(-1), 200);
    EXPECT_EQ(getInt(scan.view(), "executionStats.totalKeysExamined").value_or(-1), 0);
    BsonObj limited = ok(R"({"explain": {"find": "c", "filter": {"a": {"$gte": 0}}, "limit": 3}, "verbosity": "executionStats", "$db": "t"})");
    EXPECT_EQ(getInt(limited.view(), "executionStats.nReturned").value_or(-1), 3);
    EXPECT_EQ(getInt(limited.view(), "executionStats.totalKeysExamined").value_or(-1), 3);
}

TEST_F(IndexTest, PlanCacheIsInvalidatedWhenIndexesChange) {
    std::string docs;
    for (int i = 0; i < 100; ++i) {
        docs += (i ? ", " : "") + std::string(R"({"_id": )") + std::to_string(i) + R"(, "a": )" +
                std::to_string(i % 50) + R"(, "b": )" + std::to_string(i % 2) + "}";
    }
    ok(R"({"insert": "c", "documents": [)" + docs + R"(], "$db": "t"})");
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}}, {"key": {"b": 1}}], "$db": "t"})");
    const std::string explain =
        R"({"explain": {"find": "c", "filter": {"a": 7, "b": 1}}, "verbosity": "queryPlanner", "$db": "t"})";
    auto cacheUsed = [&] {
        bson_iter_t it;
        BsonObj r = ok(explain);
        return test::findPath(r.view(), "queryPlanner.planCacheUsed", &it) && bson_iter_as_bool(&it);
    };
    EXPECT_FALSE(cacheUsed());
    EXPECT_TRUE(cacheUsed());
    // The more selective index won: a (2 keys) over b (50 keys).
    EXPECT_NE(json::toJson(ok(explain).view()).find(R"("indexName":"a_1")"), std::string::npos);
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1, "b": 1}}], "$db": "t"})");
    EXPECT_FALSE(cacheUsed());
    EXPECT_TRUE(cacheUsed());
    ok(R"({"dropIndexes": "c", "index": "a_1_b_1", "$db": "t"})");
    EXPECT_FALSE(cacheUsed());
}

TEST_F(IndexTest, TtlMonitorDeletesExpiredDocuments) {
    // 2020 dates are expired under a 1-hour TTL; 2100 ones and non-dates never are.
    ok(R"({"insert": "c", "documents": [
        {"_id": 1, "at": {"$date": "2020-01-01T00:00:00Z"}},
        {"_id": 2, "at": {"$date": "2100-01-01T00:00:00Z"}},
        {"_id": 3, "at": [{"$date": "2100-01-01T00:00:00Z"}, {"$date": "2020-06-01T00:00:00Z"}]},
        {"_id": 4, "at": "2020-01-01"},
        {"_id": 5}], "$db": "t"})");
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"at": 1}, "expireAfterSeconds": 3600}], "$db": "t"})");
    auto deleted = _service->ttlMonitor().runPass();
    ASSERT_TRUE(deleted.isOK()) << deleted.getStatus().toString();
    EXPECT_EQ(deleted.getValue(), 2);
    std::vector<std::string> left = findIds("{}");
    EXPECT_EQ(left, (std::vector<std::string>{R"({"_id":2})", R"({"_id":4})", R"({"_id":5})"}));
    EXPECT_EQ(getInt(ok(R"({"serverStatus": 1, "$db": "admin"})").view(),
                     "metrics.ttl.deletedDocuments"),
              2);
    expectValid();
}

TEST_F(IndexTest, CursorOverAnIndexStaysCorrectWhileDocumentsChange) {
    std::string docs;
    for (int i = 0; i < 100; ++i) {
        docs += (i ? ", " : "") + std::string(R"({"_id": )") + std::to_string(i) + R"(, "a": )" +
                std::to_string(i) + "}";
    }
    ok(R"({"insert": "c", "documents": [)" + docs + R"(], "$db": "t"})");
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}}], "$db": "t"})");
    BsonObj first = ok(R"({"find": "c", "filter": {"a": {"$gte": 0}}, "batchSize": 10, "$db": "t"})");
    int64_t id = getInt(first.view(), "cursor.id").value_or(0);
    ASSERT_NE(id, 0);
    // Delete documents not yet returned, move one backwards past the cursor, add new ones.
    ok(R"({"delete": "c", "deletes": [{"q": {"a": {"$gte": 50, "$lt": 60}}, "limit": 0}], "$db": "t"})");
    ok(R"({"update": "c", "updates": [{"q": {"_id": 90}, "u": {"$set": {"a": 5}}}], "$db": "t"})");
    ok(R"({"insert": "c", "documents": [{"_id": 200, "a": 150}, {"_id": 201, "a": 3}], "$db": "t"})");
    std::set<int64_t> seen;
    for (int i = 0; i < 10; ++i) seen.insert(*getInt(first.view(), "cursor.firstBatch." + std::to_string(i) + "._id"));
    while (id != 0) {
        BsonObj more = ok(R"({"getMore": )" + std::to_string(id) + R"(, "collection": "c", "batchSize": 13, "$db": "t"})");
        for (int64_t i = 0; i < countAt(more.view(), "cursor.nextBatch"); ++i) {
            int64_t doc = *getInt(more.view(), "cursor.nextBatch." + std::to_string(i) + "._id");
            EXPECT_TRUE(seen.insert(doc).second) << "returned twice: " << doc;
        }
        id = getInt(more.view(), "cursor.id").value_or(0);
    }
    for (int64_t gone = 50; gone < 60; ++gone) EXPECT_EQ(seen.count(gone), 0u) << gone;
    EXPECT_EQ(seen.count(200), 1u);  // ahead of the cursor: seen
    EXPECT_EQ(seen.count(201), 0u);  // behind it: not seen
    EXPECT_EQ(seen.count(90), 0u);   // moved behind the cursor before it got there
    EXPECT_EQ(seen.size(), 100u - 10u - 1u + 1u);
}

// Writers running while an index is built and dropped: the gate makes each write either land
// before the build's scan or after the new index list is in force, so validate finds every row.
TEST_F(IndexTest, WritesDuringIndexBuildsKeepIndexesConsistent) {
    std::string docs;
    for (int i = 0; i < 5000; ++i) {
        docs += (i ? ", " : "") + std::string(R"({"_id": )") + std::to_string(i) + R"(, "a": )" +
                std::to_string(i % 100) + R"(, "b": [)" + std::to_string(i % 7) + "]}";
    }
    ok(R"({"insert": "c", "documents": [)" + docs + R"(], "$db": "t"})");
    std::atomic<bool> stop{false};
    std::atomic<int> acknowledged{0};
    auto writer = [&](int thread) {
        for (int i = 0; !stop.load(); ++i) {
            int id = 100000 * (thread + 1) + i;
            BsonObj reply = run(R"({"insert": "c", "documents": [{"_id": )" + std::to_string(id) +
                                R"(, "a": )" + std::to_string(i % 100) + R"(, "b": [1, 2]}], "$db": "t"})");
            if (statusFromReply(reply).isOK() && !reply.view().hasField("writeErrors")) ++acknowledged;
            run(R"({"update": "c", "updates": [{"q": {"_id": )" + std::to_string(i % 5000) +
                R"(}, "u": {"$inc": {"a": 1}}}], "$db": "t"})");
        }
    };
    std::thread w1(writer, 0), w2(writer, 1);
    for (int round = 0; round < 3; ++round) {
        ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}}, {"key": {"b": 1, "a": -1}}], "$db": "t"})");
        ok(R"({"dropIndexes": "c", "index": "a_1", "$db": "t"})");
    }
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}}], "$db": "t"})");
    stop = true;
    w1.join();
    w2.join();
    EXPECT_GT(acknowledged.load(), 0);
    expectValid();
    EXPECT_EQ(findIds("{}").size(), size_t(5000 + acknowledged.load()));
    EXPECT_EQ(findIds(R"({"a": {"$gte": 0}})").size(), size_t(5000 + acknowledged.load()));
}

// Two writers racing to insert the same unique key: exactly one wins, every time.
TEST_F(IndexTest, ConcurrentInsertsOfOneUniqueKeyAdmitOne) {
    ok(R"({"createIndexes": "c", "indexes": [{"key": {"u": 1}, "unique": true}], "$db": "t"})");
    for (int round = 0; round < 50; ++round) {
        std::atomic<int> wins{0};
        auto insert = [&](int thread) {
            BsonObj reply = run(R"({"insert": "c", "documents": [{"_id": ")" + std::to_string(round) +
                                "-" + std::to_string(thread) + R"(", "u": )" +
                                std::to_string(round) + R"(}], "$db": "t"})");
            if (getInt(reply.view(), "n").value_or(0) == 1) ++wins;
        };
        std::thread t1(insert, 1), t2(insert, 2);
        t1.join();
        t2.join();
        ASSERT_EQ(wins.load(), 1) << "round " << round;
    }
    expectValid();
}

}  // namespace
}  // namespace mongosd::shard
