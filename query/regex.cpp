#include "query/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace mongosd::query {
namespace {

StatusWith<uint32_t> optionBits(std::string_view options) {
    uint32_t bits = PCRE2_UTF;
    for (char c : options) {
        switch (c) {
            case 'i':
                bits |= PCRE2_CASELESS;
                break;
            case 'm':
                bits |= PCRE2_MULTILINE;
                break;
            case 's':
                bits |= PCRE2_DOTALL;
                break;
            case 'x':
                bits |= PCRE2_EXTENDED;
                break;
            default:
                return Status(ErrorCodes::BadValue,
                              "invalid flag in regex options: " + std::string(1, c));
        }
    }
    return bits;
}

}  // namespace

StatusWith<std::shared_ptr<const Regex>> Regex::compile(std::string_view pattern,
                                                        std::string_view options) {
    if (pattern.find('\0') != std::string_view::npos)
        return Status(ErrorCodes::BadValue,
                      "Regular expression cannot contain an embedded null byte");
    auto bits = optionBits(options);
    if (!bits.isOK()) return bits.getStatus();
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     bits.getValue(), &errorCode, &errorOffset, nullptr);
    if (!code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(errorCode, message, sizeof(message));
        return Status(ErrorCodes::Location51091, "Regular expression is invalid: " +
                                                     std::string(reinterpret_cast<char*>(message)));
    }
    // Best effort: where PCRE2 has no JIT (or no executable memory), pcre2_match interprets.
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    return std::shared_ptr<const Regex>(
        new Regex(std::string(pattern), std::string(options), code));
}

Regex::~Regex() { pcre2_code_free(static_cast<pcre2_code*>(_code)); }

bool Regex::matches(std::string_view subject) const {
    // One match-data block per thread, reused by every match. $regex asks only whether the
    // pattern matches, so one ovector pair suffices (pcre2_match returns 0, still a match, when
    // the pattern has more groups than fit).
    struct ThreadMatchData {
        pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
        ~ThreadMatchData() { pcre2_match_data_free(data); }
    };
    thread_local ThreadMatchData tls;
    if (!tls.data) return false;
    auto* code = static_cast<pcre2_code*>(_code);
    auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data());
    int rc = pcre2_match(code, text, subject.size(), 0, 0, tls.data, nullptr);
    // The JIT's stack (32 KiB) is smaller than the interpreter's heap limit: a pattern that
    // exhausts it still gets the interpreter's answer, as before the JIT.
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(code, text, subject.size(), 0, PCRE2_NO_JIT, tls.data, nullptr);
    return rc >= 0;
}

}  // namespace mongosd::query
