#pragma once
// Relaxed JSON, the argument language of `mongosd shell` (API.md, "Shell syntax"): JSON plus
// unquoted keys, single- or double-quoted strings, trailing commas, // and /* */ comments, and
// mongosh's constructors ObjectId("…"), ISODate("…") / new Date("…" | ms), NumberLong(…),
// NumberInt(…), NumberDecimal("…"), Timestamp(t, i), MinKey, MaxKey, undefined, /regex/flags,
// Infinity and NaN. Numbers: an integer that fits int32 is int32, else int64; anything with a
// fraction or exponent is a double (as mongosh).
//
// Errors are FailedToParse with the 1-based line and column of the offending character, so
// the shell can point at it. Nesting deeper than kMaxBsonDepth is refused. Pure; any thread.

#include <string_view>

#include "common/bson.h"
#include "common/status.h"

namespace mongosd::shell {

struct ParseError {
    size_t offset = 0;  // byte offset into the input
    size_t line = 1;
    size_t column = 1;
};

// Identifier characters of unquoted keys and names (JavaScript's, ASCII only).
inline bool isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
inline bool isIdentChar(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }

// Where byte `offset` of `text` is, and a FailedToParse saying so ("line L, column C: msg").
ParseError locate(std::string_view text, size_t offset);
Status parseErrorAt(std::string_view text, size_t offset, const std::string& message,
                    ParseError* where);

// Parses one value starting at text[*pos] (leading blanks and comments skipped) and appends it
// to `out` under `key`; *pos ends just after the value. On failure *error (when given) tells
// where.
Status parseRelaxedValue(std::string_view text, size_t* pos, BsonBuilder& out, std::string_view key,
                         ParseError* error = nullptr);

// A whole input that must be one object (blanks and comments around it allowed).
StatusWith<BsonObj> parseRelaxedObject(std::string_view text, ParseError* error = nullptr);

}  // namespace mongosd::shell
