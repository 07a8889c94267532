#include "shard/repl/repl_config.h"

#include <algorithm>
#include <set>

namespace mongosd::repl {

const MemberConfig* ReplSetConfig::find(MemberId id) const {
    for (const auto& m : members) {
        if (m.id == id) return &m;
    }
    return nullptr;
}

bool ReplSetConfig::isVoter(MemberId id) const {
    const MemberConfig* m = find(id);
    return m && m->votes > 0;
}

bool ReplSetConfig::isElectable(MemberId id) const {
    const MemberConfig* m = find(id);
    return m && m->votes > 0 && m->priority > 0;
}

int ReplSetConfig::priorityOf(MemberId id) const {
    const MemberConfig* m = find(id);
    return m ? m->priority : 0;
}

std::vector<MemberId> ReplSetConfig::voters() const {
    std::vector<MemberId> out;
    for (const auto& m : members) {
        if (m.votes > 0) out.push_back(m.id);
    }
    return out;
}

int ReplSetConfig::majority() const { return int(voters().size()) / 2 + 1; }

Status ReplSetConfig::validate() const {
    std::set<MemberId> ids;
    for (const auto& m : members) {
        if (m.id < 0) return Status(ErrorCodes::BadValue, "member id must be >= 0");
        if (!ids.insert(m.id).second) {
            return Status(ErrorCodes::InvalidReplicaSetConfig,
                          "duplicate member id " + std::to_string(m.id));
        }
        if (m.votes != 0 && m.votes != 1) {
            return Status(ErrorCodes::InvalidReplicaSetConfig, "votes must be 0 or 1");
        }
        if (m.priority < 0 || m.priority > 1000) {
            return Status(ErrorCodes::InvalidReplicaSetConfig, "priority must be in [0, 1000]");
        }
        if (m.votes == 0 && m.priority != 0) {
            return Status(ErrorCodes::InvalidReplicaSetConfig,
                          "a member with 0 votes must have priority 0");
        }
    }
    if (voters().empty()) {
        return Status(ErrorCodes::InvalidReplicaSetConfig, "a config needs at least one voter");
    }
    return Status::OK();
}

std::string ReplSetConfig::toString() const {
    std::string s = "{v" + std::to_string(version);
    for (const auto& m : members) {
        s += " " + std::to_string(m.id) + ":v" + std::to_string(m.votes) + "p" +
             std::to_string(m.priority);
    }
    return s + "}";
}

Status validateReconfig(const ReplSetConfig& current, const ReplSetConfig& proposed) {
    MONGOSD_RETURN_IF_ERROR(proposed.validate());
    if (proposed.version != current.version + 1) {
        return Status(ErrorCodes::InvalidReplicaSetConfig,
                      "new config version must be " + std::to_string(current.version + 1));
    }
    auto before = current.voters();
    auto after = proposed.voters();
    std::sort(before.begin(), before.end());
    std::sort(after.begin(), after.end());
    std::vector<MemberId> changed;
    std::set_symmetric_difference(before.begin(), before.end(), after.begin(), after.end(),
                                  std::back_inserter(changed));
    if (changed.size() > 1) {
        return Status(ErrorCodes::InvalidReplicaSetConfig,
                      "a reconfig may add or remove at most one voting member");
    }
    return Status::OK();
}

}  // namespace mongosd::repl
