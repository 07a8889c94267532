// The invariant checker fed crafted histories: each invariant must fire on a history that
// breaks it and stay quiet on one that does not.
#include <gtest/gtest.h>

#include "tests/sim/invariant_checker.h"

namespace mongosd::sim {
namespace {

using repl::EntryKind;
using repl::LogPosition;
using repl::OplogEntry;

OplogEntry entry(int64_t index, int64_t term, uint32_t secs, std::string payload = "") {
    return OplogEntry{
        index, OpTime{Timestamp{secs, 1}, term}, EntryKind::kWrite, std::move(payload), {}};
}

std::vector<std::string> names(const InvariantChecker& c) {
    std::vector<std::string> out;
    for (const auto& v : c.violations()) out.push_back(v.invariant);
    return out;
}

TEST(InvariantChecker, QuietOnAHealthyHistory) {
    InvariantChecker c(3);
    std::vector<OplogEntry> log = {entry(1, 1, 10), entry(2, 1, 11)};
    c.onBecamePrimary(0, 1, {});
    for (int m = 0; m < 3; ++m) {
        for (const auto& e : log) c.onAppend(m, e);
    }
    c.onCommitPoint(0, log[1].position(), log, true);
    c.onMajorityAck(0, log[1].position());
    c.onCommitPoint(1, log[0].position(), log, false);
    c.onBecamePrimary(1, 2, log);
    EXPECT_TRUE(c.violations().empty()) << c.violations()[0].detail;
}

TEST(InvariantChecker, TwoPrimariesInOneTerm) {
    InvariantChecker c(3);
    c.onBecamePrimary(0, 4, {});
    c.onBecamePrimary(0, 4, {});  // the same member again is fine
    EXPECT_TRUE(c.violations().empty());
    c.onBecamePrimary(2, 4, {});
    EXPECT_EQ(names(c), std::vector<std::string>{"one_primary_per_term"});
}

TEST(InvariantChecker, LogMatching) {
    InvariantChecker c(2);
    c.onAppend(0, entry(1, 1, 10, "a"));
    c.onAppend(0, entry(2, 2, 20, "b"));
    c.onAppend(1, entry(1, 1, 10, "x"));  // same position, different entry below
    c.onAppend(1, entry(2, 2, 20, "b"));
    EXPECT_EQ(names(c), (std::vector<std::string>{"log_matching", "log_matching"}));
}

TEST(InvariantChecker, CommittedEntryTruncated) {
    InvariantChecker c(2);
    std::vector<OplogEntry> log = {entry(1, 1, 10), entry(2, 1, 11)};
    for (const auto& e : log) c.onAppend(0, e);
    c.onCommitPoint(0, log[1].position(), log, true);
    c.onTruncate(0, 1, {log[1]});
    EXPECT_EQ(names(c), (std::vector<std::string>{"committed_truncated", "committed_truncated"}));
}

TEST(InvariantChecker, CommitPointBackwardsAndDivergence) {
    InvariantChecker c(2);
    std::vector<OplogEntry> a = {entry(1, 1, 10), entry(2, 1, 11)};
    std::vector<OplogEntry> b = {entry(1, 1, 10), entry(2, 2, 30)};
    c.onCommitPoint(0, a[1].position(), a, true);
    c.onCommitPoint(0, a[0].position(), a, true);
    c.onCommitPoint(1, b[1].position(), b, true);
    EXPECT_EQ(names(c), (std::vector<std::string>{"commit_point_backwards", "commit_divergence"}));
}

TEST(InvariantChecker, LeaderMissingACommittedEntryOrAcknowledgedWrite) {
    InvariantChecker c(3);
    std::vector<OplogEntry> log = {entry(1, 1, 10), entry(2, 1, 11)};
    c.onCommitPoint(0, log[1].position(), log, true);
    c.onMajorityAck(0, log[1].position());
    c.onBecamePrimary(2, 2, {log[0]});
    EXPECT_EQ(names(c), (std::vector<std::string>{"leader_completeness", "majority_write_lost"}));
}

TEST(InvariantChecker, OnlyAPrimaryExtendsTheCommittedHistory) {
    InvariantChecker c(3);
    std::vector<OplogEntry> log = {entry(1, 1, 10)};
    c.onCommitPoint(1, log[0].position(), log, false);
    EXPECT_EQ(names(c), std::vector<std::string>{"commit_divergence"});
}

// Seed 117704: a secondary's commit point on an older-term entry (committed by a later
// primary) must not make that entry count as committed in its own older term.
TEST(InvariantChecker, CommitTermIsThePrimarysTerm) {
    InvariantChecker c(3);
    std::vector<OplogEntry> log = {entry(1, 4, 10), entry(2, 6, 20)};
    c.onCommitPoint(0, log[1].position(), log, true);   // primary of term 6
    c.onCommitPoint(1, log[0].position(), log, false);  // a secondary, on the term-4 entry
    c.onBecamePrimary(2, 5, {});                        // a late term-5 primary
    EXPECT_TRUE(c.violations().empty());
    c.onBecamePrimary(2, 7, {});
    EXPECT_EQ(names(c), std::vector<std::string>{"leader_completeness"});
}

TEST(InvariantChecker, MajorityAckOfUncommittedWrite) {
    InvariantChecker c(3);
    c.onMajorityAck(0, entry(1, 1, 10).position());
    EXPECT_EQ(names(c), std::vector<std::string>{"majority_write_lost"});
}

}  // namespace
}  // namespace mongosd::sim
