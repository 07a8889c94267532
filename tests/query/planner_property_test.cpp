// The planner's correctness proof: for random collections and random filters, scanning every
// candidate plan's ranges over an in-memory index built with generateIndexKeys(), then
// applying the filter, gives exactly the documents a collection scan matches. Plans that claim
// to provide the sort must yield them in SortSpec order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "common/json/ejson.h"
#include "common/key_string.h"
#include "query/index_key.h"
#include "query/matcher.h"
#include "query/planner.h"
#include "query/sort.h"
#include "tests/support/json_util.h"

namespace mongosd::query {
namespace {

using test::parseJson;

class Gen {
public:
    explicit Gen(uint32_t seed) : _rng(seed) {}

    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(_rng); }
    bool chance(int percent) { return below(100) < percent; }
    template <typename T>
    const T& pick(const std::vector<T>& v) {
        return v[below(static_cast<int>(v.size()))];
    }

    // A scalar, biased toward a few values so that predicates hit documents.
    std::string scalar() {
        static const std::vector<std::string> kStrings = {"\"\"",    "\"a\"", "\"ab\"", "\"abc\"",
                                                          "\"abd\"", "\"b\"", "\"B\"",  "\"a.b\""};
        switch (below(14)) {
            case 0:
            case 1:
            case 2:
                return std::to_string(below(7) - 3);
            case 3:
                return std::to_string(below(7) - 3) + ".5";
            case 4:
                return pick(std::vector<std::string>{
                    "{\"$numberDouble\": \"NaN\"}", "{\"$numberDouble\": \"Infinity\"}",
                    "{\"$numberDouble\": \"-Infinity\"}", "-0.0", "2.0"});
            case 5:
                return "{\"$numberLong\": \"" + std::to_string(below(5) - 2) + "\"}";
            case 6:
            case 7:
            case 8:
                return pick(kStrings);
            case 9:
                return "null";
            case 10:
                return chance(50) ? "true" : "false";
            case 11:
                return "{\"$date\": {\"$numberLong\": \"" + std::to_string(below(3)) + "\"}}";
            case 12:
                if (chance(40)) {
                    return pick(std::vector<std::string>{
                        R"({"$regularExpression": {"pattern": "^ab", "options": ""}})",
                        R"({"$regularExpression": {"pattern": "b", "options": "i"}})",
                        R"({"$symbol": "ab"})", R"({"$binary": {"base64": "", "subType": "00"}})",
                        R"({"$binary": {"base64": "AQI=", "subType": "00"}})",
                        R"({"$timestamp": {"t": 1, "i": 1}})", R"({"$code": "x"})",
                        R"({"$date": {"$numberLong": "-5"}})", R"({"$undefined": true})"});
                }
                return pick(std::vector<std::string>{
                    "{\"$minKey\": 1}", "{\"$maxKey\": 1}",
                    "{\"$oid\": \"0000000000000000000000" + std::to_string(10 + below(3)) + "\"}",
                    "{\"$numberDecimal\": \"0.1\"}"});
            default:
                return "{\"$numberDecimal\": \"" + std::to_string(below(5) - 2) + "\"}";
        }
    }

    std::string value(int depth, bool arrays) {
        int r = below(10);
        if (depth < 2 && arrays && r == 0) return array(depth);
        if (depth < 2 && r == 1) return "{\"x\": " + scalar() + ", \"y\": " + scalar() + "}";
        if (depth < 2 && r == 2 && chance(30)) return "{}";
        return scalar();
    }

    std::string array(int depth) {
        int n = below(4);
        std::string out = "[";
        for (int i = 0; i < n; ++i) out += (i ? ", " : "") + value(depth + 1, true);
        return out + "]";
    }

    // n: the nested field the "n.x" / "n.y" indexes read.
    std::string nested(bool arrays) {
        switch (below(6)) {
            case 0:
                return scalar();
            case 1:
            case 2:
                return "{\"x\": " + value(1, arrays) + ", \"y\": " + value(1, false) + "}";
            case 3:
                if (arrays) {
                    std::string out = "[";
                    int n = below(3);
                    for (int i = 0; i < n; ++i)
                        out += std::string(i ? ", " : "") + "{\"x\": " + scalar() +
                               (chance(70) ? ", \"y\": " + scalar() : "") + "}";
                    return out + (chance(20) ? std::string(n ? ", " : "") + scalar() : "") + "]";
                }
                return "{\"y\": " + scalar() + "}";
            default:
                return "{\"x\": " + scalar() + "}";
        }
    }

    // A document: each field may be missing; `arrayFields` may hold arrays.
    std::string document(int id, const std::set<std::string>& arrayFields) {
        std::string out = "{\"_id\": " + std::to_string(id);
        for (std::string f : {"a", "b", "c"}) {
            if (chance(15)) continue;
            bool arrays = arrayFields.count(f) > 0;
            out += ", \"" + f + "\": " + (arrays && chance(35) ? array(0) : value(0, false));
        }
        if (!chance(20)) out += ", \"n\": " + nested(arrayFields.count("n") > 0);
        return out + "}";
    }

    std::string regex() {
        static const std::vector<std::string> kPatterns = {"^a", "^ab", "b",    "^ab*", "^a|b",
                                                           "^A", "^",   "^abc", "^a.b", "^\\\\."};
        std::string options = chance(20) ? "i" : "";
        return "{\"$regularExpression\": {\"pattern\": \"" + pick(kPatterns) +
               "\", \"options\": \"" + options + "\"}}";
    }

    std::string operand() { return chance(15) ? value(1, true) : scalar(); }

    std::string fieldPredicate(const std::string& path) {
        auto q = [&](const std::string& body) { return "{\"" + path + "\": " + body + "}"; };
        static const std::vector<std::string> kRangeOps = {"$gt", "$gte", "$lt", "$lte"};
        switch (below(17)) {
            case 0:
            case 1:
                return q(operand());
            case 2:
                return q("{\"$eq\": " + operand() + "}");
            case 3:
            case 4:
            case 5:
                return q("{\"" + pick(kRangeOps) + "\": " + scalar() + "}");
            case 6:
                return q("{\"" + kRangeOps[below(2)] + "\": " + scalar() + ", \"" +
                         kRangeOps[2 + below(2)] + "\": " + scalar() + "}");
            case 7:
            case 8: {
                std::string list = "[";
                int n = 1 + below(3);
                for (int i = 0; i < n; ++i)
                    list += (i ? ", " : "") + (chance(15) ? regex() : operand());
                return q("{\"$in\": " + list + "]}");
            }
            case 9:
                return q(regex());
            case 10:
                return q("{\"$regex\": \"^ab\", \"$options\": \"" +
                         std::string(chance(50) ? "" : "i") + "\"}");
            case 11:
                return q("{\"$elemMatch\": {\"" + kRangeOps[below(2)] + "\": " + scalar() + ", \"" +
                         kRangeOps[2 + below(2)] + "\": " + scalar() + "}}");
            case 12:
                return q("{\"$all\": [" + operand() + (chance(50) ? ", " + operand() : "") + "]}");
            case 13:
                return q(pick(std::vector<std::string>{
                    "{\"$ne\": " + scalar() + "}", "{\"$nin\": [" + scalar() + "]}",
                    "{\"$exists\": " + std::string(chance(50) ? "true" : "false") + "}",
                    "{\"$not\": {\"$gt\": " + scalar() + "}}", "{\"$type\": \"number\"}",
                    "{\"$size\": 1}"}));
            case 14:
                return q("{\"$gte\": " + scalar() + ", \"$ne\": " + scalar() + "}");
            case 15:
                return "{\"n\": {\"$elemMatch\": {\"x\": " + operand() +
                       (chance(50) ? ", \"y\": {\"$gte\": " + scalar() + "}" : "") + "}}}";
            default:
                return q("null");
        }
    }

    std::string conjunct(int depth) {
        static const std::vector<std::string> kPaths = {"a",   "a", "b",   "c",    "n.x",
                                                        "n.y", "n", "a.0", "n.0.x"};
        int r = below(12);
        if (depth < 2 && r == 0) {
            return "{\"$or\": [" + conjunct(depth + 1) +
                   (chance(50) ? ", " + conjunct(depth + 1) : "") + "]}";
        }
        if (depth < 2 && r == 1) {
            return "{\"$and\": [" + conjunct(depth + 1) + ", " + conjunct(depth + 1) + "]}";
        }
        return fieldPredicate(pick(kPaths));
    }

    std::string filter() {
        int n = below(4);
        if (n == 0) return "{}";
        if (n == 1) return conjunct(0);
        std::string out = "{\"$and\": [";
        for (int i = 0; i < n; ++i) out += (i ? ", " : "") + conjunct(0);
        return out + "]}";
    }

    std::string sort() {
        return pick(std::vector<std::string>{"{}", "{}", "{\"a\": 1}", "{\"a\": -1}",
                                             "{\"b\": -1, \"a\": 1}", "{\"a\": 1, \"b\": -1}",
                                             "{\"n.x\": 1, \"n.y\": 1}", "{\"c\": 1}",
                                             "{\"a\": -1, \"b\": 1, \"c\": 1}"});
    }

private:
    std::mt19937 _rng;
};

struct IndexSpec {
    std::string name;
    std::string pattern;
    bool sparse = false;
    std::string partial;
};

const std::vector<IndexSpec>& indexSpecs() {
    static const std::vector<IndexSpec> kSpecs = {
        {"a_1", "{\"a\": 1}"},
        {"a_-1", "{\"a\": -1}"},
        {"a_1_b_-1", "{\"a\": 1, \"b\": -1}"},
        {"b_-1_a_1_c_1", "{\"b\": -1, \"a\": 1, \"c\": 1}"},
        {"nx_1_ny_1", "{\"n.x\": 1, \"n.y\": 1}"},
        {"ny_-1_a_1", "{\"n.y\": -1, \"a\": 1}"},
        {"n_1", "{\"n\": 1}"},
        {"a_hashed", "{\"a\": \"hashed\"}"},
        {"c_1_a_hashed", "{\"c\": 1, \"a\": \"hashed\"}"},
        {"a_1_sparse", "{\"a\": 1}", true},
        {"nx_-1_sparse", "{\"n.x\": -1}", true},
        {"c_1_b_1_sparse", "{\"c\": 1, \"b\": 1}", true},
        {"b_1_partial", "{\"b\": 1}", false, "{\"a\": {\"$gt\": 0}}"},
        {"c_1_partial", "{\"c\": 1}", false, "{\"c\": {\"$gte\": \"a\"}}"},
        {"a_1_partial_exists", "{\"a\": 1}", false, "{\"b\": {\"$exists\": true}}"},
        {"a.0_1", "{\"a.0\": 1}"},
        {"n.0.x_-1", "{\"n.0.x\": -1}"},
    };
    return kSpecs;
}

// One index over one collection: the entries a storage engine would hold.
struct MemoryIndex {
    IndexInfo info;
    std::multimap<std::string, size_t> entries;  // key part -> document position
};

std::optional<MemoryIndex> buildIndex(const IndexSpec& spec, const std::vector<BsonObj>& docs,
                                      bool forceMultikey) {
    MemoryIndex m;
    m.info.name = spec.name;
    auto pattern = IndexKeyPattern::parse(parseJson(spec.pattern));
    EXPECT_TRUE(pattern.isOK()) << spec.pattern << " " << pattern.getStatus().reason();
    if (!pattern.isOK()) return std::nullopt;
    m.info.pattern = pattern.getValue();
    m.info.sparse = spec.sparse;
    m.info.multikey.assign(m.info.pattern.size(), forceMultikey);
    std::unique_ptr<MatchExpression> partial;
    if (!spec.partial.empty()) {
        m.info.partialFilter = parseJson(spec.partial);
        partial = std::move(parseFilter(m.info.partialFilter).getValue());
    }
    for (size_t d = 0; d < docs.size(); ++d) {
        if (partial && !partial->matches(docs[d])) continue;
        auto keys = generateIndexKeys(m.info.pattern, docs[d], spec.sparse);
        if (!keys.isOK()) return std::nullopt;  // an insert would fail: no such collection
        for (size_t f = 0; f < keys.getValue().multikey.size(); ++f) {
            if (keys.getValue().multikey[f]) m.info.multikey[f] = true;
        }
        for (const auto& k : keys.getValue().keys) m.entries.emplace(k, d);
    }
    return m;
}

bool inRange(const std::string& key, const KeyRange& r) {
    bool afterStart = key > r.start || (key == r.start && r.startInclusive);
    bool beforeEnd = key < r.end || (key == r.end && r.endInclusive);
    return afterStart && beforeEnd;
}

// Scans the plan's ranges as storage would: each range from start to end (reversed: last
// range first, end to start). Returns document positions in scan order, deduplicated.
std::vector<size_t> scan(const MemoryIndex& index, const IndexScanPlan& plan,
                         size_t* keysExamined) {
    std::vector<size_t> out;
    std::set<size_t> seen;
    auto take = [&](size_t d) {
        if (seen.insert(d).second) out.push_back(d);
    };
    std::vector<KeyRange> ranges = plan.ranges;
    if (plan.reverse) std::reverse(ranges.begin(), ranges.end());
    for (const auto& r : ranges) {
        std::vector<size_t> inThisRange;
        for (auto it = index.entries.lower_bound(r.start);
             it != index.entries.end() && (it->first < r.end || it->first == r.end); ++it) {
            if (!inRange(it->first, r)) continue;
            inThisRange.push_back(it->second);
            ++*keysExamined;
        }
        if (plan.reverse) std::reverse(inThisRange.begin(), inThisRange.end());
        for (size_t d : inThisRange) take(d);
    }
    return out;
}

void checkRangesWellFormed(const IndexScanPlan& plan, const std::string& context) {
    for (size_t i = 0; i < plan.ranges.size(); ++i) {
        const auto& r = plan.ranges[i];
        ASSERT_LE(r.start, r.end) << context;
        if (i == 0) continue;
        const auto& p = plan.ranges[i - 1];
        ASSERT_TRUE(p.end < r.start || (p.end == r.start && !(p.endInclusive && r.startInclusive)))
            << "ranges overlap or are out of order: " << context;
    }
}

struct Counters {
    size_t queries = 0;
    size_t plansChecked = 0;
    size_t boundedPlans = 0;
    size_t sortedPlans = 0;
    size_t nonEmptyResults = 0;
    std::map<std::string, size_t> candidatesByIndex;  // unhinted candidates
    // Keys bounded plans examined, and the keys their indexes hold: bounds must be selective,
    // not just correct (a planner scanning everything would pass the equality check).
    size_t boundedKeysExamined = 0;
    size_t boundedKeysTotal = 0;
};

class PlannerPropertyTest : public ::testing::Test {
protected:
    void runCollection(Gen& g, int collection, size_t maxRanges, Counters& counters) {
        std::set<std::string> arrayFields;
        for (std::string f : {"a", "b", "c", "n"}) {
            if (g.chance(35)) arrayFields.insert(f);
        }
        std::vector<BsonObj> docs;
        int n = 5 + g.below(30);
        for (int i = 0; i < n; ++i) docs.push_back(parseJson(g.document(i, arrayFields)));
        bool forceMultikey = g.chance(15);
        std::vector<MemoryIndex> indexes;
        for (const auto& spec : indexSpecs()) {
            auto m = buildIndex(spec, docs, forceMultikey);
            if (m) indexes.push_back(std::move(*m));
        }
        std::vector<IndexInfo> infos;
        for (const auto& m : indexes) infos.push_back(m.info);

        for (int q = 0; q < 40; ++q) {
            std::string filterJson = g.filter();
            std::string sortJson = g.sort();
            checkQuery(docs, indexes, infos, filterJson, sortJson, maxRanges, counters,
                       "collection " + std::to_string(collection));
            if (HasFailure()) return;
        }
    }

    void checkQuery(const std::vector<BsonObj>& docs, const std::vector<MemoryIndex>& indexes,
                    const std::vector<IndexInfo>& infos, const std::string& filterJson,
                    const std::string& sortJson, size_t maxRanges, Counters& counters,
                    const std::string& where) {
        BsonObj filter = parseJson(filterJson);
        BsonObj sort = parseJson(sortJson);
        auto matcher = parseFilter(filter);
        PlannerInput input;
        input.filter = filter;
        input.sort = sort;
        input.indexes = &infos;
        input.maxScanRanges = maxRanges;
        auto planned = planQuery(input);
        ASSERT_EQ(matcher.isOK(), planned.isOK()) << filterJson;
        if (!matcher.isOK()) return;
        ++counters.queries;
        std::set<size_t> expected;
        for (size_t d = 0; d < docs.size(); ++d) {
            if (matcher.getValue()->matches(docs[d])) expected.insert(d);
        }
        if (!expected.empty()) ++counters.nonEmptyResults;
        SortSpec sortSpec = SortSpec::parse(sort).getValue();

        std::vector<IndexScanPlan> plans = planned.getValue().candidates;
        for (const auto& p : plans) ++counters.candidatesByIndex[infos[p.index].name];
        // A hint forces an index whatever its eligibility; full indexes must stay correct.
        for (size_t i = 0; i < infos.size(); ++i) {
            if (infos[i].sparse || !infos[i].partialFilter.isEmpty()) continue;
            BsonBuilder hb;
            hb.appendString("", infos[i].name);
            BsonObj hint = hb.obj();
            PlannerInput hinted = input;
            hinted.hint = hint;
            auto h = planQuery(hinted);
            ASSERT_TRUE(h.isOK());
            ASSERT_EQ(h.getValue().candidates.size(), 1u);
            ASSERT_FALSE(h.getValue().collectionScanAllowed);
            plans.push_back(h.getValue().candidates[0]);
        }
        for (const auto& plan : plans) {
            const MemoryIndex& index = indexes[plan.index];
            std::string context = where + " index " + index.info.name + " filter " + filterJson +
                                  " sort " + sortJson + " bounds " +
                                  json::toJson(plan.explainBounds);
            checkRangesWellFormed(plan, context);
            size_t examined = 0;
            std::vector<size_t> scanned = scan(index, plan, &examined);
            if (plan.boundedFields > 0) {
                counters.boundedKeysExamined += examined;
                counters.boundedKeysTotal += index.entries.size();
            }
            std::vector<size_t> matched;
            for (size_t d : scanned) {
                if (matcher.getValue()->matches(docs[d])) matched.push_back(d);
            }
            std::set<size_t> got(matched.begin(), matched.end());
            std::string missing;
            for (size_t d : expected) {
                if (got.count(d)) continue;
                auto keys = generateIndexKeys(index.info.pattern, docs[d], index.info.sparse);
                missing += " missing " + json::toJson(docs[d]) + " keys";
                for (const auto& k : keys.getValue().keys)
                    missing += " " + json::toJson(keystring::decode(k, index.info.pattern.size(),
                                                                    index.info.pattern.directions())
                                                      .getValue());
            }
            ASSERT_EQ(got, expected) << context << missing;
            ++counters.plansChecked;
            if (plan.boundedFields > 0) ++counters.boundedPlans;
            if (plan.providesSort) {
                ++counters.sortedPlans;
                for (size_t i = 1; i < matched.size(); ++i) {
                    ASSERT_LE(sortSpec.compare(docs[matched[i - 1]], docs[matched[i]]), 0)
                        << "out of order: " << json::toJson(docs[matched[i - 1]]) << " before "
                        << json::toJson(docs[matched[i]]) << " " << context;
                }
            }
        }
    }
};

TEST_F(PlannerPropertyTest, IndexScansReturnExactlyTheCollectionScanResults) {
    // A fixed seed keeps failures reproducible; PLANNER_PROPERTY_SEED explores others.
    const char* seed = std::getenv("PLANNER_PROPERTY_SEED");
    Gen g(seed ? static_cast<uint32_t>(std::strtoul(seed, nullptr, 10)) : 20261124);
    Counters counters;
    for (int c = 0; c < 400 && !HasFailure(); ++c) runCollection(g, c, kMaxScanRanges, counters);
    std::cout << "queries " << counters.queries << ", plans checked " << counters.plansChecked
              << " (bounded " << counters.boundedPlans << ", sorted " << counters.sortedPlans
              << "), queries with results " << counters.nonEmptyResults << "\n";
    EXPECT_GT(counters.queries, 10000u);
    EXPECT_GT(counters.boundedPlans, 10000u);
    EXPECT_GT(counters.sortedPlans, 1000u);
    std::cout << "bounded plans examined " << counters.boundedKeysExamined << " of "
              << counters.boundedKeysTotal << " keys\n";
    EXPECT_LT(counters.boundedKeysExamined * 4, counters.boundedKeysTotal);
    // Every kind of index, sparse and partial ones included, served some queries.
    for (const auto& spec : indexSpecs()) {
        std::cout << spec.name << ": " << counters.candidatesByIndex[spec.name] << " ";
        EXPECT_GT(counters.candidatesByIndex[spec.name], 50u) << spec.name;
    }
    std::cout << "\n";
}

// A tiny range cap makes compound plans fall back to shorter prefixes.
TEST_F(PlannerPropertyTest, ShorterPrefixesUnderARangeCapStayCorrect) {
    Gen g(7);
    Counters counters;
    for (int c = 0; c < 100 && !HasFailure(); ++c) runCollection(g, c, 2, counters);
    EXPECT_GT(counters.plansChecked, 1000u);
}

}  // namespace
}  // namespace mongosd::query
