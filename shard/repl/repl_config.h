#pragma once
// The replica-set configuration a consensus core counts votes and durability against.
//
// Invariants:
//  1. Member ids are unique; votes is 0 or 1; a non-voter has priority 0 (MongoDB's rule).
//  2. At least one voter.
//  3. A reconfig changes the voter set by at most one member (add or remove one voter), so
//     any majority of the old voters and any majority of the new voters share a member: two
//     configurations can never both elect a primary or commit in the same term.
//
// Plain values; any thread.

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace mongosd::repl {

using MemberId = int32_t;
inline constexpr MemberId kNoMember = -1;

struct MemberConfig {
    MemberId id = kNoMember;
    int votes = 1;     // 0 or 1
    int priority = 1;  // 0 never stands for election; higher takes over when caught up

    friend bool operator==(const MemberConfig&, const MemberConfig&) = default;
};

struct ReplSetConfig {
    int64_t version = 1;
    std::vector<MemberConfig> members;

    // The member, or nullptr when id is not in this config.
    const MemberConfig* find(MemberId id) const;
    bool isVoter(MemberId id) const;
    // A voter with priority > 0: may stand for election.
    bool isElectable(MemberId id) const;
    int priorityOf(MemberId id) const;  // 0 for non-members
    std::vector<MemberId> voters() const;
    int majority() const;  // voters / 2 + 1

    // Checks invariants 1-2 (BadValue / InvalidReplicaSetConfig).
    Status validate() const;
    std::string toString() const;

    friend bool operator==(const ReplSetConfig&, const ReplSetConfig&) = default;
};

// Checks that `proposed` may follow `current`: valid, version + 1, voter set differs by at
// most one member (invariant 3). InvalidReplicaSetConfig otherwise.
Status validateReconfig(const ReplSetConfig& current, const ReplSetConfig& proposed);

}  // namespace mongosd::repl
