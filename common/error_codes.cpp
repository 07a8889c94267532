#include "common/error_codes.h"

namespace mongosd {
namespace {

struct Entry {
    ErrorCodes::Error code;
    std::string_view name;
    int http;
    uint32_t cats;
};

constexpr Entry kEntries[] = {
#define X(name, code, http, cats) {ErrorCodes::name, #name, http, cats},
#include "common/error_codes.def"
#undef X
};

const Entry* find(int32_t code) {
    for (const auto& e : kEntries)
        if (e.code == code) return &e;
    return nullptr;
}

}  // namespace

std::string_view ErrorCodes::name(Error code) {
    const Entry* e = find(code);
    return e ? e->name : std::string_view("UnknownError");
}

std::optional<ErrorCodes::Error> ErrorCodes::fromName(std::string_view name) {
    for (const auto& e : kEntries)
        if (e.name == name) return e.code;
    return std::nullopt;
}

bool ErrorCodes::isKnown(int32_t code) { return find(code) != nullptr; }

int ErrorCodes::httpStatus(Error code) {
    const Entry* e = find(code);
    return e ? e->http : 500;
}

uint32_t ErrorCodes::categories(Error code) {
    const Entry* e = find(code);
    return e ? e->cats : kCatNone;
}

}  // namespace mongosd
