#include "common/failpoint.h"

#include <atomic>
#include <charconv>
#include <map>
#include <mutex>
#include <string>

namespace mongosd {
namespace {

std::atomic<bool> gAnySet{false};
std::mutex gMutex;
std::map<std::string, int64_t, std::less<>>& registry() {
    static std::map<std::string, int64_t, std::less<>> r;
    return r;
}

}  // namespace

Status setFailpoint(std::string_view assignment) {
    size_t eq = assignment.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        return Status(ErrorCodes::BadValue, "a failpoint is name=value");
    }
    std::string_view value = assignment.substr(eq + 1);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size()) {
        return Status(ErrorCodes::BadValue, "a failpoint's value is an integer");
    }
    std::lock_guard lk(gMutex);
    registry()[std::string(assignment.substr(0, eq))] = v;
    gAnySet.store(true);
    return Status::OK();
}

std::optional<int64_t> failpointValue(std::string_view name) {
    if (!gAnySet.load(std::memory_order_relaxed)) return std::nullopt;
    std::lock_guard lk(gMutex);
    auto it = registry().find(name);
    if (it == registry().end()) return std::nullopt;
    return it->second;
}

}  // namespace mongosd
