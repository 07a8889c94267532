#pragma once
// ISO-8601 date-times for the $date wrapper: BSON dates are signed milliseconds since the Unix
// epoch (proleptic Gregorian calendar, UTC). Pure functions, any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mongosd::json {

// Dates the Relaxed writer shows as ISO strings: 1970-01-01T00:00:00.000Z through
// 9999-12-31T23:59:59.999Z; others are written as {"$numberLong": ...}.
constexpr int64_t kMinIsoDateMs = 0;
constexpr int64_t kMaxIsoDateMs = 253402300799999;

// Parses "YYYY-MM-DDTHH:MM[:SS[.fff...]](Z|+HH:MM|-HH:MM|+HHMM|+HH)" (years 0000-9999; more than
// three fraction digits are truncated to milliseconds). nullopt on anything else.
std::optional<int64_t> parseIsoDate(std::string_view s);

// Appends "YYYY-MM-DDTHH:MM:SS.mmmZ" for ms in [kMinIsoDateMs, kMaxIsoDateMs].
void appendIsoDate(int64_t ms, std::string& out);

}  // namespace mongosd::json
