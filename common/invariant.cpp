#include "common/invariant.h"

#include <cstdio>
#include <cstdlib>

namespace mongosd {

void invariantFailed(const char* expr, const char* file, unsigned line, const char* msg) noexcept {
    std::fprintf(stderr, "Invariant failure: %s at %s:%u%s%s\n", expr, file, line,
                 msg ? ": " : "", msg ? msg : "");
    std::fflush(stderr);
    std::abort();
}

}  // namespace mongosd
