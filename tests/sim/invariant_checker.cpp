#include "tests/sim/invariant_checker.h"

#include <algorithm>

#include "tests/sim/sim_rng.h"

namespace mongosd::sim {

using repl::LogPosition;
using repl::OplogEntry;

InvariantChecker::InvariantChecker(int members) : _members(members) {}

void InvariantChecker::report(std::string invariant, std::string detail) {
    _violations.push_back(Violation{std::move(invariant), std::move(detail), _now});
}

uint64_t InvariantChecker::entryHash(uint64_t prev, const OplogEntry& entry) {
    uint64_t h = hashMix(prev, uint64_t(entry.index));
    h = hashMix(h, uint64_t(entry.opTime.term));
    h = hashMix(h, entry.opTime.ts.asULL());
    h = hashMix(h, uint64_t(entry.kind));
    for (unsigned char c : entry.payload) h = hashMix(h, c);
    return h;
}

bool InvariantChecker::logHolds(const std::vector<OplogEntry>& log, const LogPosition& pos) const {
    if (pos.index == 0) return true;
    return pos.index <= int64_t(log.size()) && log[pos.index - 1].opTime == pos.opTime;
}

void InvariantChecker::onAppend(int member, const OplogEntry& entry) {
    auto& ghost = _members[member];
    if (entry.index != int64_t(ghost.prefixHash.size()) + 1) {
        report("log_matching", "member " + std::to_string(member) + " appended index " +
                                   std::to_string(entry.index) + " after " +
                                   std::to_string(ghost.prefixHash.size()) + " entries");
        return;
    }
    const uint64_t prev = ghost.prefixHash.empty() ? kHashSeed : ghost.prefixHash.back();
    const uint64_t h = entryHash(prev, entry);
    ghost.prefixHash.push_back(h);
    const auto key = std::make_tuple(entry.index, entry.opTime.term, entry.opTime.ts.asULL());
    auto [it, inserted] = _prefixOf.emplace(key, h);
    if (!inserted && it->second != h) {
        report("log_matching", "member " + std::to_string(member) + " holds " +
                                   entry.position().toString() +
                                   " with a prefix another log holds differently");
    }
}

void InvariantChecker::onTruncate(int member, int64_t after,
                                  const std::vector<OplogEntry>& removed) {
    auto& ghost = _members[member];
    if (after < ghost.commit.index) {
        report("committed_truncated", "member " + std::to_string(member) + " truncated after " +
                                          std::to_string(after) + " below its commit point " +
                                          ghost.commit.toString());
    }
    for (const auto& entry : removed) {
        if (entry.index <= int64_t(_committed.size()) &&
            _committed[entry.index - 1].position.opTime == entry.opTime) {
            report("committed_truncated", "member " + std::to_string(member) +
                                              " rolled back committed " +
                                              entry.position().toString());
            break;
        }
    }
    if (after < int64_t(ghost.prefixHash.size())) ghost.prefixHash.resize(after);
}

void InvariantChecker::onCrash(int member, int64_t durableLength) {
    auto& ghost = _members[member];
    if (durableLength < int64_t(ghost.prefixHash.size())) ghost.prefixHash.resize(durableLength);
    ghost.commit = LogPosition{};
}

void InvariantChecker::onCommitPoint(int member, const LogPosition& commit,
                                     const std::vector<OplogEntry>& log, bool byPrimary) {
    auto& ghost = _members[member];
    const std::string who = "member " + std::to_string(member);
    if (commit.index < ghost.commit.index) {
        report("commit_point_backwards",
               who + " moved from " + ghost.commit.toString() + " to " + commit.toString());
    }
    if (!logHolds(log, commit)) {
        report("commit_divergence", who + " commit point " + commit.toString() + " not in its log");
        return;
    }
    // Entries newly covered by this member's commit point must agree with the committed
    // history; beyond its end they extend it.
    for (int64_t i = std::max<int64_t>(ghost.commit.index, 0) + 1; i <= commit.index; ++i) {
        const LogPosition pos = log[i - 1].position();
        if (i <= int64_t(_committed.size())) {
            Committed& known = _committed[i - 1];
            if (!(known.position == pos)) {
                report("commit_divergence", who + " committed " + pos.toString() + " but " +
                                                known.position.toString() +
                                                " was committed before");
                break;
            }
        } else if (byPrimary) {
            _committed.push_back(Committed{pos, commit.opTime.term});
        } else {
            report("commit_divergence",
                   who + " committed " + pos.toString() + " before any primary committed it");
            break;
        }
    }
    ghost.commit = commit;
}

void InvariantChecker::onBecamePrimary(int member, int64_t term,
                                       const std::vector<OplogEntry>& log) {
    auto [it, inserted] = _primaryOfTerm.emplace(term, member);
    if (!inserted && it->second != member) {
        report("one_primary_per_term", "members " + std::to_string(it->second) + " and " +
                                           std::to_string(member) + " both primary in term " +
                                           std::to_string(term));
    }
    for (const auto& c : _committed) {
        if (c.term < term && !logHolds(log, c.position)) {
            report("leader_completeness", "member " + std::to_string(member) + " primary in term " +
                                              std::to_string(term) + " lacks " +
                                              c.position.toString() + " committed in term " +
                                              std::to_string(c.term));
            break;
        }
    }
    for (const auto& c : _majorityAcked) {
        if (c.term < term && !logHolds(log, c.position)) {
            report("majority_write_lost", "member " + std::to_string(member) + " primary in term " +
                                              std::to_string(term) + " lacks acknowledged " +
                                              c.position.toString());
            break;
        }
    }
}

void InvariantChecker::onMajorityAck(int member, const LogPosition& write) {
    if (write.index > int64_t(_committed.size()) ||
        !(_committed[write.index - 1].position == write)) {
        report("majority_write_lost", "member " + std::to_string(member) +
                                          " acknowledged w:majority " + write.toString() +
                                          " that is not in the committed history");
        return;
    }
    _majorityAcked.push_back(_committed[write.index - 1]);
}

}  // namespace mongosd::sim
