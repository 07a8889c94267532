#pragma once
// The error-code registry: MongoDB's numeric codes and names (see error_codes.def), the HTTP
// status each maps to, and categories the router and clients act on. Pure data; any thread.

#include <cstdint>
#include <optional>
#include <string_view>

namespace mongosd {

enum ErrorCategory : uint32_t {
    kCatNone = 0,
    kCatRetriable = 1u << 0,
    kCatNotPrimary = 1u << 1,
    kCatStaleConfig = 1u << 2,
    kCatNetwork = 1u << 3,
    kCatShutdown = 1u << 4,
    kCatWriteConcern = 1u << 5,
    kCatCursor = 1u << 6,
};

struct ErrorCodes {
    enum Error : int32_t {
#define X(name, code, http, cats) name = code,
#include "common/error_codes.def"
#undef X
    };

    // "DuplicateKey" for 11000; "Location<code>" style names are never produced: unknown
    // codes answer "UnknownError".
    static std::string_view name(Error code);
    // Looks a code up by its name; nullopt when unknown.
    static std::optional<Error> fromName(std::string_view name);
    // Whether `code` is one of ours (registry membership).
    static bool isKnown(int32_t code);
    // The HTTP status API.md assigns to the code (500 for unknown codes).
    static int httpStatus(Error code);
    static uint32_t categories(Error code);
    static bool isA(Error code, ErrorCategory cat) { return (categories(code) & cat) != 0; }
};

}  // namespace mongosd
