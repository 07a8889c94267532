#pragma once
// InvariantChecker: the simulator's ghost state. It sees every durable effect the members
// report (appends, truncations, commit points, elections, acknowledged writes) and records a
// Violation the moment one of these breaks:
//
//  1. one_primary_per_term   two members became primary in the same term
//  2. log_matching           two logs hold the same (index, OpTime) with different prefixes
//  3. leader_completeness    a new primary of term T lacks an entry committed in a term < T
//                            (by a primary of an earlier term: a stale candidate of an old
//                            term may still win that term late, but can commit nothing)
//  4. commit_point_backwards a member's commit point moved back (within one process lifetime)
//  5. commit_divergence      a member committed an entry that differs from one committed before
//  6. committed_truncated    a member truncated (rolled back) an entry at or below a commit point
//  7. majority_write_lost    an acknowledged w:"majority" write is missing from the log of a
//                            primary of a later term, or was acknowledged while not committed
// Liveness (a primary and converged members within a bound after faults stop) is judged by the
// simulator, which reports it here with report().
//
// It trusts nothing a member says about itself beyond what the member did to its log. Plain
// object; one thread.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "shard/repl/oplog_entry.h"

namespace mongosd::sim {

struct Violation {
    std::string invariant;
    std::string detail;
    int64_t time = 0;
};

class InvariantChecker {
public:
    explicit InvariantChecker(int members);

    void setTime(int64_t now) { _now = now; }

    void onAppend(int member, const repl::OplogEntry& entry);
    void onTruncate(int member, int64_t after, const std::vector<repl::OplogEntry>& removed);
    // A crash: the member's log is now its durable prefix and its volatile state is gone.
    void onCrash(int member, int64_t durableLength);
    // byPrimary: the member is the primary of commit.opTime.term, i.e. it committed these
    // entries itself. Only a primary extends the committed history, and the term an entry
    // counts as committed in is that primary's: a secondary's commit point may sit on an
    // older-term entry that only a later term committed.
    void onCommitPoint(int member, const repl::LogPosition& commit,
                       const std::vector<repl::OplogEntry>& log, bool byPrimary);
    void onBecamePrimary(int member, int64_t term, const std::vector<repl::OplogEntry>& log);
    void onMajorityAck(int member, const repl::LogPosition& write);
    void report(std::string invariant, std::string detail);

    const std::vector<Violation>& violations() const { return _violations; }
    int64_t committedLength() const { return int64_t(_committed.size()); }

private:
    struct MemberGhost {
        std::vector<uint64_t> prefixHash;  // hash of the log up to and including index i + 1
        repl::LogPosition commit;
    };

    static uint64_t entryHash(uint64_t prev, const repl::OplogEntry& entry);
    bool logHolds(const std::vector<repl::OplogEntry>& log, const repl::LogPosition& pos) const;

    int64_t _now = 0;
    std::vector<MemberGhost> _members;
    struct Committed {
        repl::LogPosition position;
        int64_t term = 0;  // the term of the primary that first committed it
    };
    std::vector<Committed> _committed;  // the one committed history, index i + 1
    std::map<int64_t, int> _primaryOfTerm;
    std::map<std::tuple<int64_t, int64_t, uint64_t>, uint64_t> _prefixOf;  // (index, term, ts)
    std::vector<Committed> _majorityAcked;
    std::vector<Violation> _violations;
};

}  // namespace mongosd::sim
