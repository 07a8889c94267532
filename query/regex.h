#pragma once
// A compiled regular expression with MongoDB's $regex semantics: PCRE2 (the engine MongoDB uses),
// UTF-8, options i (caseless), m (multiline), s (dot matches newline), x (extended). Immutable
// once compiled (JIT-compiled where PCRE2 supports it); matches() may be called from any thread
// (each thread reuses its own match data).

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mongosd::query {

class Regex {
public:
    // BadValue for an option outside "imsx", an embedded NUL, or a pattern PCRE2 rejects.
    static StatusWith<std::shared_ptr<const Regex>> compile(std::string_view pattern,
                                                            std::string_view options);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    bool matches(std::string_view subject) const;
    const std::string& pattern() const { return _pattern; }
    const std::string& options() const { return _options; }

private:
    Regex(std::string pattern, std::string options, void* code)
        : _pattern(std::move(pattern)), _options(std::move(options)), _code(code) {}
    std::string _pattern;
    std::string _options;
    void* _code;  // pcre2_code_8*, kept opaque so callers need no PCRE2 headers
};

}  // namespace mongosd::query
