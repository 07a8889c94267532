#pragma once
// invariant(): a condition whose failure means the process is in an impossible state. Aborts
// in every build type with the location and expression; never compiled out. User errors are
// reported with Status, never with invariant().

namespace mongosd {
[[noreturn]] void invariantFailed(const char* expr, const char* file, unsigned line,
                                  const char* msg = nullptr) noexcept;
}  // namespace mongosd

#define invariant(expr)                                                          \
    do {                                                                         \
        if (!(expr)) [[unlikely]]                                                \
            ::mongosd::invariantFailed(#expr, __FILE__, __LINE__);               \
    } while (false)

#define invariantMsg(expr, msg)                                                  \
    do {                                                                         \
        if (!(expr)) [[unlikely]]                                                \
            ::mongosd::invariantFailed(#expr, __FILE__, __LINE__, (msg));        \
    } while (false)
