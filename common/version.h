#pragma once
// The server's version, reported by buildInfo, serverStatus and /api/v1/health.

namespace mongosd {

inline constexpr const char* kMongosdVersion = "0.1.0";
inline constexpr int kMongosdVersionMajor = 0;
inline constexpr int kMongosdVersionMinor = 1;
inline constexpr int kMongosdVersionPatch = 0;
inline constexpr const char* kMongosdGitVersion = "unknown";

}  // namespace mongosd
