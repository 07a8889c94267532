// Collection scan through the real storage engine and command layer: N course-shaped documents
// (~300 bytes: strings, a nested document, a tags array) inserted into a fresh ShardService in a
// temp dir, then `count` and `find` (drained through getMore) with a selective filter (0.1% of
// the documents match) against the same commands with an empty filter, which walk the same
// records: the ratio is what evaluating the filter costs on top of the scan. Then indexes: the
// build of {bucket: 1} over the loaded collection, the selective query through it against the
// same query forced to a collection scan (hint {$natural: 1}), and insert throughput into
// fresh collections with 0, 1 and 3 secondary indexes (--insert-docs each). Each query runs
// --repeat times; the fastest run is reported.
//   build-release/bin/scan_bench [--docs 1000000] [--repeat 3] [--dir D] [--cache-mb 1024]
//                                [--insert-docs 100000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>

#include "common/bson.h"
#include "common/command_reply.h"
#include "common/json/ejson.h"
#include "shard/service.h"

namespace mongosd::shard {
namespace {

struct Options {
    int64_t docs = 1000000;
    int repeat = 3;
    std::string dir;
    size_t cacheMB = 1024;
    int64_t insertDocs = 100000;
};

std::string ownDir;  // the temp dir this run created, removed on every exit

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "scan_bench: %s\n", what.c_str());
    if (!ownDir.empty()) std::filesystem::remove_all(ownDir);
    std::exit(1);
}

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc) die("missing value for " + a);
        std::string v = argv[++i];
        if (a == "--docs")
            o.docs = std::atoll(v.c_str());
        else if (a == "--repeat")
            o.repeat = std::atoi(v.c_str());
        else if (a == "--dir")
            o.dir = v;
        else if (a == "--cache-mb")
            o.cacheMB = static_cast<size_t>(std::atoll(v.c_str()));
        else if (a == "--insert-docs")
            o.insertDocs = std::atoll(v.c_str());
        else
            die("unknown option " + a +
                " (--docs N --repeat R --dir D --cache-mb M --insert-docs K)");
    }
    if (o.docs < 1000 || o.repeat < 1) die("--docs must be >= 1000, --repeat >= 1");
    return o;
}

const char* const kLevels[] = {"beginner", "intermediate", "advanced"};
const char* const kCategories[] = {"Data", "Systems", "Programming", "Design", "Security"};

void appendCourse(BsonBuilder& b, int64_t i) {
    b.appendInt64("_id", i);
    b.appendString("title", "Course number " + std::to_string(i) + ": distributed data systems");
    b.appendString("category", kCategories[i % 5]);
    b.appendString("level", kLevels[i % 3]);
    b.appendDouble("rating", 3.0 + static_cast<double>(i % 20) / 10.0);
    b.appendInt32("weeks", static_cast<int32_t>(4 + i % 9));
    b.appendInt32("bucket", static_cast<int32_t>(i % 1000));  // {bucket: 7}: 0.1% match
    b.appendArray("tags", [](BsonBuilder& a) {
        a.appendString("0", "replication").appendString("1", "consensus").appendString("2", "sql");
    });
    b.appendDocument("instructor", [i](BsonBuilder& d) {
        d.appendString("name", "Instructor " + std::to_string(i % 97));
        d.appendString("email", "teacher" + std::to_string(i % 97) + "@stargrad.example");
        d.appendDocument("office", [i](BsonBuilder& o) {
            o.appendString("building", "B").appendInt32("floor", static_cast<int32_t>(i % 7));
        });
    });
    b.appendDateMs("published", 1767225600000 + i * 1000);
}

class Bench {
public:
    explicit Bench(const Options& o) {
        ShardServiceOptions so;
        so.dbpath = o.dir;
        so.cacheSizeMB = o.cacheMB;
        auto s = ShardService::open(so);
        if (!s.isOK()) die(s.getStatus().toString());
        _service = std::move(s.getValue());
    }

    BsonObj run(BsonObj cmd) {
        BsonObj reply = _service->runCommand(cmd, "scan_bench");
        Status st = statusFromReply(reply);
        if (!st.isOK()) die(st.toString());
        return reply;
    }

    void load(int64_t n, const char* collection = "courses") {
        constexpr int64_t kBatch = 1000;
        for (int64_t first = 0; first < n; first += kBatch) {
            BsonBuilder cmd;
            cmd.appendString("insert", collection);
            cmd.appendArray("documents", [&](BsonBuilder& docs) {
                char key[16];
                for (int64_t i = first; i < std::min(n, first + kBatch); ++i) {
                    docs.appendDocument(arrayIndexKey(static_cast<uint32_t>(i - first), key),
                                        [i](BsonBuilder& d) { appendCourse(d, i); });
                }
            });
            cmd.appendString("$db", "bench");
            run(cmd.obj());
        }
    }

    void createIndexes(const char* collection, const char* indexesJson) {
        BsonBuilder cmd;
        cmd.appendString("createIndexes", collection);
        bson_iter_t it;
        BsonObj wrapped = parse((std::string(R"({"i": )") + indexesJson + "}").c_str());
        wrapped.view().find("i", &it);
        cmd.appendIter("indexes", it);
        cmd.appendString("$db", "bench");
        run(cmd.obj());
    }

    int64_t count(const char* filterJson, const char* hintJson = nullptr) {
        BsonBuilder cmd;
        cmd.appendString("count", "courses");
        cmd.appendDocument("query", parse(filterJson));
        if (hintJson) cmd.appendDocument("hint", parse(hintJson));
        cmd.appendString("$db", "bench");
        BsonObj reply = run(cmd.obj());
        bson_iter_t n;
        if (!reply.view().find("n", &n)) die("count without n");
        return bson_iter_as_int64(&n);
    }

    // Runs find and drains the cursor; returns the number of documents.
    int64_t find(const char* filterJson, const char* hintJson = nullptr) {
        BsonBuilder cmd;
        cmd.appendString("find", "courses");
        cmd.appendDocument("filter", parse(filterJson));
        if (hintJson) cmd.appendDocument("hint", parse(hintJson));
        cmd.appendString("$db", "bench");
        BsonObj reply = run(cmd.obj());
        int64_t docs = 0;
        const char* batchField = "firstBatch";
        while (true) {
            bson_iter_t cursor, batch, id;
            if (!reply.view().find("cursor", &cursor)) die("find without cursor");
            BsonView cv = subDocument(cursor);
            if (cv.find(batchField, &batch)) docs += countFields(subDocument(batch));
            if (!cv.find("id", &id) || bson_iter_as_int64(&id) == 0) return docs;
            BsonBuilder gm;
            gm.appendInt64("getMore", bson_iter_as_int64(&id));
            gm.appendString("collection", "courses");
            gm.appendString("$db", "bench");
            reply = run(gm.obj());
            batchField = "nextBatch";
        }
    }

private:
    static BsonObj parse(const char* json) {
        auto r = json::parseJsonObject(json);
        if (!r.isOK()) die(r.getStatus().toString());
        return r.getValue();
    }
    static int64_t countFields(BsonView doc) {
        bson_iter_t it;
        int64_t n = 0;
        if (doc.iterInit(&it))
            while (bson_iter_next(&it)) ++n;
        return n;
    }

    std::unique_ptr<ShardService> _service;
};

double bestSeconds(int repeat, int64_t expected, const std::function<int64_t()>& query) {
    double best = 1e300;
    for (int r = 0; r < repeat; ++r) {
        auto start = std::chrono::steady_clock::now();
        int64_t got = query();
        std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (got != expected)
            die("expected " + std::to_string(expected) + " documents, got " + std::to_string(got));
        best = std::min(best, took.count());
    }
    return best;
}

int runBench(const Options& o) {
    Bench bench(o);
    auto loadStart = std::chrono::steady_clock::now();
    bench.load(o.docs);
    std::chrono::duration<double> loadTime = std::chrono::steady_clock::now() - loadStart;
    std::printf("loaded %lld documents in %.1f s (%.0f docs/s)\n", static_cast<long long>(o.docs),
                loadTime.count(), o.docs / loadTime.count());

    const char* selective = R"({"bucket": 7})";
    const char* empty = "{}";
    int64_t matching = o.docs / 1000 + (o.docs % 1000 > 7 ? 1 : 0);
    // Warm the cache once so the first measured query does not pay for reading the table.
    (void)bench.count(empty);

    struct Row {
        const char* name;
        double seconds;
    };
    Row rows[] = {
        {"count, selective filter",
         bestSeconds(o.repeat, matching, [&] { return bench.count(selective); })},
        {"count, empty filter (peer)",
         bestSeconds(o.repeat, o.docs, [&] { return bench.count(empty); })},
        {"find, selective filter",
         bestSeconds(o.repeat, matching, [&] { return bench.find(selective); })},
        {"find, empty filter, all batches (peer)",
         bestSeconds(o.repeat, o.docs, [&] { return bench.find(empty); })},
    };
    std::printf("%-40s %10s %14s\n", "query", "seconds", "scanned docs/s");
    for (const Row& r : rows)
        std::printf("%-40s %10.3f %14.0f\n", r.name, r.seconds, o.docs / r.seconds);
    std::printf("ratio count selective/empty: %.2f; find selective/empty: %.2f (time)\n",
                rows[0].seconds / rows[1].seconds, rows[2].seconds / rows[3].seconds);

    auto timed = [](const std::function<void()>& fn) {
        auto start = std::chrono::steady_clock::now();
        fn();
        std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        return took.count();
    };
    double build = timed([&] { bench.createIndexes("courses", R"([{"key": {"bucket": 1}}])"); });
    std::printf("\nindex {bucket: 1} built over %lld documents in %.2f s (%.0f docs/s)\n",
                static_cast<long long>(o.docs), build, o.docs / build);
    const char* natural = R"({"$natural": 1})";
    Row indexed[] = {
        {"find {bucket: 7}, index scan",
         bestSeconds(o.repeat, matching, [&] { return bench.find(selective); })},
        {"find {bucket: 7}, collection scan (peer)",
         bestSeconds(o.repeat, matching, [&] { return bench.find(selective, natural); })},
        {"count {bucket: 7}, index scan",
         bestSeconds(o.repeat, matching, [&] { return bench.count(selective); })},
        {"count {bucket: 7}, collection scan (peer)",
         bestSeconds(o.repeat, matching, [&] { return bench.count(selective, natural); })},
    };
    std::printf("%-42s %10s\n", "query", "seconds");
    for (const Row& r : indexed) std::printf("%-42s %10.4f\n", r.name, r.seconds);
    std::printf("speed-up of the index: find %.0fx, count %.0fx\n",
                indexed[1].seconds / indexed[0].seconds, indexed[3].seconds / indexed[2].seconds);

    struct InsertRow {
        const char* collection;
        const char* indexes;
        double seconds = 0;
    };
    InsertRow inserts[] = {
        {"ins0", nullptr},
        {"ins1", R"([{"key": {"bucket": 1}}])"},
        {"ins3", R"([{"key": {"bucket": 1}}, {"key": {"level": 1, "rating": -1}},
                     {"key": {"tags": 1}}])"},
    };
    for (InsertRow& r : inserts) {
        if (r.indexes) bench.createIndexes(r.collection, r.indexes);
        r.seconds = timed([&] { bench.load(o.insertDocs, r.collection); });
    }
    std::printf("\ninserts of %lld documents (batches of 1000)\n",
                static_cast<long long>(o.insertDocs));
    const char* names[] = {"0 secondary indexes (peer)", "1 index {bucket}",
                           "3 indexes {bucket}, {level, rating}, {tags} (multikey)"};
    for (size_t i = 0; i < 3; ++i) {
        std::printf("%-56s %10.0f docs/s  %.2f of the peer\n", names[i],
                    o.insertDocs / inserts[i].seconds, inserts[0].seconds / inserts[i].seconds);
    }
    return 0;
}

}  // namespace
}  // namespace mongosd::shard

int main(int argc, char** argv) {
    using namespace mongosd::shard;
    auto o = parseArgs(argc, argv);
    if (o.dir.empty()) {
        char tmpl[] = "/tmp/scan_bench.XXXXXX";
        if (!mkdtemp(tmpl)) die("mkdtemp failed");
        o.dir = ownDir = tmpl;
    }
    int rc = runBench(o);
    if (!ownDir.empty()) std::filesystem::remove_all(ownDir);
    return rc;
}
