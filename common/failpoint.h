#pragma once
// Failpoints: named test hooks that make the server misbehave on purpose (crash in the middle
// of an index build, ...), set with `mongosd shard --failpoint name=value`. Off unless set;
// reading one is a lock-free check of an atomic flag. Thread-safe.

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"

namespace mongosd {

// "name=value" with an integer value. BadValue for another shape.
Status setFailpoint(std::string_view assignment);
// The failpoint's value when it is set.
std::optional<int64_t> failpointValue(std::string_view name);

}  // namespace mongosd
