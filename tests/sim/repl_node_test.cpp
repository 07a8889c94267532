// ReplNode semantics, driven by hand: a tiny synchronous harness delivers messages in order,
// acks every append as durable at once and can cut links or stop members.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <set>

#include "shard/repl/repl_node.h"

namespace mongosd::repl {
namespace {

class Harness {
public:
    explicit Harness(std::vector<int> priorities) {
        for (int i = 0; i < int(priorities.size()); ++i) {
            config.members.push_back(MemberConfig{i, 1, priorities[i]});
        }
        for (int i = 0; i < int(priorities.size()); ++i) {
            NodeOptions o;
            o.self = i;
            o.random = [this] {
                return _rng = _rng * 6364136223846793005ull + 1442695040888963407ull;
            };
            nodes.push_back(std::make_unique<ReplNode>(o, DurableState{{}, config, {}}, now));
            rolledBack.emplace_back();
        }
    }

    void apply(int i, Actions a) {
        if (!a.rolledBack.empty()) {
            rolledBack[i].insert(rolledBack[i].end(), a.rolledBack.begin(), a.rolledBack.end());
        }
        sentByType.resize(7);
        for (auto& m : a.messages) {
            ++sentByType[m.body.index()];
            inflight.push_back(std::move(m));
        }
        if (!a.append.empty()) {
            apply(i, nodes[i]->step(LogDurable{a.append.back().position()}, now));
        }
    }
    Actions step(int i, const Input& in) {
        Actions a = nodes[i]->step(in, now);
        Actions copy = a;
        apply(i, std::move(a));
        return copy;
    }
    void deliverAll() {
        while (!inflight.empty()) {
            Message m = std::move(inflight.front());
            inflight.pop_front();
            if (cut.count({m.from, m.to}) || stopped.count(m.to) || stopped.count(m.from)) {
                continue;
            }
            apply(m.to, nodes[m.to]->step(m, now));
        }
    }
    void advance(int64_t millis) {
        for (int64_t t = 0; t < millis; t += 100) {
            now += 100;
            for (int i = 0; i < int(nodes.size()); ++i) {
                if (!stopped.count(i)) apply(i, nodes[i]->step(Tick{}, now));
            }
            deliverAll();
        }
    }
    void isolate(int i) {
        for (int j = 0; j < int(nodes.size()); ++j) {
            cut.insert({i, j});
            cut.insert({j, i});
        }
    }
    int writablePrimary() const {
        int found = -1;
        for (int i = 0; i < int(nodes.size()); ++i) {
            if (!stopped.count(i) && nodes[i]->isWritablePrimary()) {
                EXPECT_EQ(found, -1) << "two writable primaries";
                found = i;
            }
        }
        return found;
    }

    ReplSetConfig config;
    std::vector<std::unique_ptr<ReplNode>> nodes;
    std::deque<Message> inflight;
    std::set<std::pair<int, int>> cut;
    std::set<int> stopped;
    std::vector<std::vector<OplogEntry>> rolledBack;
    std::vector<uint64_t> sentByType;
    int64_t now = 1'700'000'000'000;

private:
    uint64_t _rng = 7;
};

TEST(ReplNode, ElectsOnePrimaryAndCommitsAMajorityWrite) {
    Harness h({1, 1, 1});
    h.advance(12000);
    const int p = h.writablePrimary();
    ASSERT_GE(p, 0);
    const Actions a = h.step(p, ClientWrite{"x"});
    ASSERT_TRUE(a.result.isOK());
    ASSERT_TRUE(a.written);
    h.deliverAll();
    EXPECT_EQ(h.nodes[p]->commitPoint(), *a.written);
    h.advance(2100);  // a heartbeat carries the commit point to the secondaries
    for (const auto& n : h.nodes) EXPECT_EQ(n->commitPoint(), *a.written);
}

TEST(ReplNode, PriorityZeroNeverStands) {
    Harness h({0, 1, 1});
    h.stopped = {1, 2};
    h.advance(60000);
    EXPECT_EQ(h.nodes[0]->term(), 0);
    EXPECT_EQ(h.sentByType.size() > 2 ? h.sentByType[2] : 0, 0u);  // no RequestVote
    h.stopped.clear();
    h.advance(30000);
    EXPECT_NE(h.writablePrimary(), 0);
    EXPECT_GE(h.writablePrimary(), 1);
}

TEST(ReplNode, IsolatedMemberNeitherRaisesItsTermNorDisruptsOnRejoin) {
    Harness h({1, 1, 1});
    h.advance(12000);
    const int p = h.writablePrimary();
    ASSERT_GE(p, 0);
    const int loner = (p + 1) % 3;
    const int64_t term = h.nodes[p]->term();
    h.isolate(loner);
    h.advance(60000);
    EXPECT_EQ(h.nodes[loner]->term(), term);  // dry runs failed; nothing was bumped
    h.cut.clear();
    h.advance(10000);
    EXPECT_EQ(h.writablePrimary(), p);
    EXPECT_EQ(h.nodes[p]->term(), term);
}

TEST(ReplNode, VotesOnlyForUpToDateLogsAndPersistsTheVoteWithTheAnswer) {
    Harness h({1, 1, 1});
    h.advance(12000);
    const int p = h.writablePrimary();
    ASSERT_TRUE(h.step(p, ClientWrite{"x"}).result.isOK());
    h.deliverAll();
    const int voter = (p + 1) % 3;
    const int64_t term = h.nodes[voter]->term();
    // A candidate with an empty log is refused, though the term is adopted.
    Actions refused = h.nodes[voter]->step(
        Message{(p + 2) % 3, voter, RequestVote{term + 1, LogPosition{}, false, false}}, h.now);
    ASSERT_EQ(refused.messages.size(), 1u);
    EXPECT_FALSE(std::get<VoteResponse>(refused.messages[0].body).granted);
    ASSERT_TRUE(refused.hardState);
    EXPECT_EQ(refused.hardState->votedFor, kNoMember);
    // One as up to date as the voter's is granted, and the vote rides in the same Actions.
    Actions granted = h.nodes[voter]->step(
        Message{p, voter, RequestVote{term + 1, h.nodes[voter]->lastPosition(), false, false}},
        h.now);
    ASSERT_EQ(granted.messages.size(), 1u);
    EXPECT_TRUE(std::get<VoteResponse>(granted.messages[0].body).granted);
    ASSERT_TRUE(granted.hardState);
    EXPECT_EQ(granted.hardState->votedFor, p);
    EXPECT_EQ(granted.hardState->term, term + 1);
}

TEST(ReplNode, StepDownHandsOverAndFreezes) {
    Harness h({1, 1, 1});
    h.advance(12000);
    const int p = h.writablePrimary();
    ASSERT_GE(p, 0);
    h.step(p, ClientWrite{"x"});
    h.deliverAll();
    const Actions a = h.step(p, StepDownRequest{30000, false});
    ASSERT_TRUE(a.result.isOK()) << a.result.toString();
    h.deliverAll();  // StartElection -> the caught-up secondary stands at once
    h.advance(500);
    const int next = h.writablePrimary();
    EXPECT_GE(next, 0);
    EXPECT_NE(next, p);
    // Frozen: the old primary cannot stand even when the new one goes away.
    h.stopped.insert(next);
    h.advance(20000);
    EXPECT_NE(h.nodes[p]->role(), Role::kPrimary);
    EXPECT_EQ(h.step(p, ClientWrite{"y"}).result.code(), ErrorCodes::NotWritablePrimary);
}

TEST(ReplNode, HigherPriorityTakesOverOnceCaughtUp) {
    Harness h({3, 1, 1});
    h.isolate(0);
    h.advance(12000);
    const int p = h.writablePrimary();
    ASSERT_GE(p, 1);
    for (int i = 0; i < 5; ++i) h.step(p, ClientWrite{"w"});
    h.deliverAll();
    h.cut.clear();
    h.advance(15000);
    EXPECT_EQ(h.writablePrimary(), 0);
    EXPECT_EQ(h.nodes[0]->term(), 2);
    EXPECT_EQ(h.nodes[p]->role(), Role::kSecondary);
}

TEST(ReplNode, DeposedPrimaryRollsBackItsDivergentWrites) {
    Harness h({1, 1, 1});
    h.advance(12000);
    const int old = h.writablePrimary();
    ASSERT_GE(old, 0);
    h.isolate(old);
    const Actions lost = h.step(old, ClientWrite{"lost"});  // w:1, never replicated
    ASSERT_TRUE(lost.result.isOK());
    h.advance(15000);  // the old primary steps down; the others elect a new one
    const int next = h.writablePrimary();
    ASSERT_GE(next, 0);
    ASSERT_NE(next, old);
    h.step(next, ClientWrite{"kept"});
    h.cut.clear();
    h.advance(3000);
    ASSERT_EQ(h.rolledBack[old].size(), 1u);
    EXPECT_EQ(h.rolledBack[old][0].payload, "lost");
    EXPECT_EQ(h.nodes[old]->lastPosition(), h.nodes[next]->lastPosition());
}

TEST(ReplNode, NewPrimaryCatchesUpOlderTermWritesBeforeAcceptingWrites) {
    Harness h({1, 1, 1, 1, 1});
    h.advance(12000);
    const int a = h.writablePrimary();
    ASSERT_GE(a, 0);
    const int b = (a + 1) % 5, c = (a + 2) % 5;
    // A write reaches b only; then a dies and b is frozen, so c wins without it.
    for (int i = 0; i < 5; ++i) {
        if (i != a && i != b) h.cut.insert({a, i});
    }
    const Actions w = h.step(a, ClientWrite{"w1"});
    h.deliverAll();
    h.stopped.insert(a);
    h.cut.clear();
    h.step(b, FreezeRequest{60000});
    for (int i = 0; i < 5; ++i) {
        if (i != c && i != b) h.step(i, FreezeRequest{60000});
    }
    h.advance(15000);
    ASSERT_EQ(h.writablePrimary(), c);
    const auto& log = h.nodes[c]->log();
    ASSERT_GE(log.size(), size_t(w.written->index));
    EXPECT_EQ(log[w.written->index - 1].opTime, w.written->opTime);
    EXPECT_GT(h.sentByType[6], 0u);  // FetchResponse
}

TEST(ReplNode, ReconfigIsOneVoterAtATimeAndOneChangeAtATime) {
    Harness h({1, 1, 1});
    h.advance(12000);
    const int p = h.writablePrimary();
    ASSERT_GE(p, 0);
    ReplSetConfig two = h.nodes[p]->config();
    two.version += 1;
    two.members.push_back(MemberConfig{3, 1, 1});
    two.members.push_back(MemberConfig{4, 1, 1});
    EXPECT_EQ(h.step(p, ReconfigRequest{two}).result.code(), ErrorCodes::InvalidReplicaSetConfig);
    ReplSetConfig one = h.nodes[p]->config();
    one.version += 1;
    one.members.push_back(MemberConfig{3, 0, 0});
    const Actions a = h.nodes[p]->step(ReconfigRequest{one}, h.now);  // not yet durable
    ASSERT_TRUE(a.result.isOK()) << a.result.toString();
    EXPECT_EQ(h.nodes[p]->config().version, one.version);  // in force once appended
    ReplSetConfig next = one;
    next.version += 1;
    next.members[3].priority = 0;
    EXPECT_EQ(h.step(p, ReconfigRequest{next}).result.code(),
              ErrorCodes::ConflictingOperationInProgress);
    EXPECT_EQ(validateReconfig(one, two).code(), ErrorCodes::InvalidReplicaSetConfig);
}

// Seed 1401's bug, by hand: a member in a dry run syncs a config that makes it a non-voter.
// It must abandon the election, and a late grant must not elect it.
TEST(ReplNode, ConfigMakingACandidateANonVoterEndsItsElection) {
    Harness h({1, 1, 1});
    h.stopped = {1, 2};
    h.advance(12000);  // member 0 times out and starts a dry run nobody answers
    ASSERT_EQ(h.nodes[0]->term(), 0);
    ReplSetConfig demoted = h.config;
    demoted.version = 2;
    demoted.members[0] = MemberConfig{0, 0, 0};
    const OplogEntry config{
        1, OpTime{Timestamp{1700000000, 1}, 0}, EntryKind::kConfig, {}, demoted};
    auto deliver = [&](MemberId from, MessageBody body) {
        return h.nodes[0]->step(Message{from, 0, std::move(body)}, h.now);
    };
    // Member 1 is ahead: its refusal makes member 0 sync from it, which brings the config.
    Actions a = deliver(1, VoteResponse{0, false, true, config.position()});
    ASSERT_EQ(a.messages.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<FetchRequest>(a.messages[0].body));
    deliver(1, FetchResponse{0, LogPosition{}, true, {config}, config.position()});
    EXPECT_EQ(h.nodes[0]->config().version, 2);
    const Actions late = deliver(2, VoteResponse{1, true, true, LogPosition{}});
    EXPECT_FALSE(late.role);
    EXPECT_EQ(h.nodes[0]->term(), 0);
    EXPECT_EQ(h.nodes[0]->role(), Role::kSecondary);
}

}  // namespace
}  // namespace mongosd::repl
