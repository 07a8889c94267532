// Regex after the JIT and per-thread match data (query/regex.cpp): same answers as PCRE2's
// interpreter, including where the JIT's small stack runs out, and from several threads at once.
#include "query/regex.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace mongosd::query {
namespace {

std::shared_ptr<const Regex> compiled(const std::string& pattern, const std::string& options) {
    auto r = Regex::compile(pattern, options);
    EXPECT_TRUE(r.isOK()) << r.getStatus().toString();
    return r.getValue();
}

TEST(Regex, MatchesWithGroupsBeyondTheOneOvectorPair) {
    auto re = compiled("^(D)(i)(s)t", "");
    EXPECT_TRUE(re->matches("Distributed"));
    EXPECT_FALSE(re->matches("distributed"));
    EXPECT_TRUE(compiled("^(d)(i)(s)t", "i")->matches("Distributed"));
}

TEST(Regex, DeepBacktrackingFallsBackToTheInterpreter) {
    // A capturing repeat over 200,000 characters needs more than the JIT's 32 KiB stack.
    auto re = compiled("^(a|b)*$", "");
    EXPECT_TRUE(re->matches(std::string(200000, 'a')));
    EXPECT_FALSE(re->matches(std::string(200000, 'a') + "c"));
}

TEST(Regex, ThreadsMatchConcurrently) {
    auto re = compiled("^course-[0-9]+$", "");
    std::vector<std::thread> threads;
    std::vector<int> hits(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i)
                hits[t] += re->matches("course-" + std::to_string(i)) + re->matches("x");
        });
    }
    for (auto& th : threads) th.join();
    for (int h : hits) EXPECT_EQ(h, 2000);
}

}  // namespace
}  // namespace mongosd::query
