#include "shell/relaxed_json.h"

#include <bson/bson.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <string>

#include "common/json/iso_date.h"

namespace mongosd::shell {
namespace {

class Parser {
public:
    Parser(std::string_view text, size_t pos) : _text(text), _pos(pos) {}

    Status value(BsonBuilder& out, std::string_view key, int depth) {
        skipBlanks();
        if (!_failure.isOK()) return _failure;
        if (depth > kMaxBsonDepth) return fail("nesting is deeper than 100 levels");
        if (atEnd()) return fail("expected a value");
        char c = _text[_pos];
        if (c == '{') return object(out, key, depth);
        if (c == '[') return array(out, key, depth);
        if (c == '"' || c == '\'') {
            auto s = string();
            if (!s.isOK()) return s.getStatus();
            out.appendString(key, s.getValue());
            return Status::OK();
        }
        if (c == '/') return regex(out, key);
        if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) return number(out, key);
        if (isIdentStart(c)) return word(out, key);
        return fail(std::string("unexpected character '") + c + "'");
    }

    size_t pos() const { return _pos; }
    void skipBlanks() {
        while (!atEnd()) {
            char c = _text[_pos];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++_pos;
            } else if (c == '/' && _pos + 1 < _text.size() && _text[_pos + 1] == '/') {
                while (!atEnd() && _text[_pos] != '\n') ++_pos;
            } else if (c == '/' && _pos + 1 < _text.size() && _text[_pos + 1] == '*') {
                size_t end = _text.find("*/", _pos + 2);
                if (end == std::string_view::npos) {
                    _failure = fail("unterminated comment");
                    _pos = _text.size();
                    return;
                }
                _pos = end + 2;
            } else {
                return;
            }
        }
    }
    Status fail(std::string message) { return parseErrorAt(_text, _pos, message, &_where); }
    ParseError where() const { return _where; }

private:
    bool atEnd() const { return _pos >= _text.size(); }
    bool consume(char c) {
        skipBlanks();
        if (!atEnd() && _text[_pos] == c) {
            ++_pos;
            return true;
        }
        return false;
    }

    Status object(BsonBuilder& out, std::string_view key, int depth) {
        ++_pos;  // {
        Status st = Status::OK();
        out.appendDocument(key, [&](BsonBuilder& d) {
            while (st.isOK()) {
                if (consume('}')) return;
                std::string name;
                skipBlanks();
                if (atEnd()) {
                    st = fail("expected a field name or '}'");
                    return;
                }
                char c = _text[_pos];
                if (c == '"' || c == '\'') {
                    auto s = string();
                    if (!s.isOK()) {
                        st = s.getStatus();
                        return;
                    }
                    name = std::move(s.getValue());
                } else if (isIdentStart(c)) {
                    size_t start = _pos;
                    while (!atEnd() && isIdentChar(_text[_pos])) ++_pos;
                    name.assign(_text.substr(start, _pos - start));
                } else {
                    st = fail("expected a field name or '}'");
                    return;
                }
                if (!consume(':')) {
                    st = fail("expected ':' after the field name");
                    return;
                }
                st = value(d, name, depth + 1);
                if (!st.isOK()) return;
                if (consume(',')) continue;
                if (consume('}')) return;
                st = fail("expected ',' or '}'");
            }
        });
        return st;
    }

    Status array(BsonBuilder& out, std::string_view key, int depth) {
        ++_pos;  // [
        Status st = Status::OK();
        out.appendArray(key, [&](BsonBuilder& a) {
            char buf[16];
            uint32_t i = 0;
            while (st.isOK()) {
                if (consume(']')) return;
                st = value(a, arrayIndexKey(i++, buf), depth + 1);
                if (!st.isOK()) return;
                if (consume(',')) continue;
                if (consume(']')) return;
                st = fail("expected ',' or ']'");
            }
        });
        return st;
    }

    StatusWith<std::string> string() {
        const char quote = _text[_pos++];
        std::string out;
        while (!atEnd()) {
            char c = _text[_pos++];
            if (c == quote) return out;
            if (c == '\n') break;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (atEnd()) break;
            char e = _text[_pos++];
            switch (e) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case '0':
                    out += '\0';
                    break;
                case 'u': {
                    int cp = hex4();
                    if (cp >= 0xD800 && cp <= 0xDBFF) {  // a surrogate pair: \uD83D\uDE00
                        int low = _text.substr(_pos, 2) == "\\u" ? (_pos += 2, hex4()) : -1;
                        if (low < 0xDC00 || low > 0xDFFF) return fail("unpaired \\u surrogate");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        return fail("unpaired \\u surrogate");
                    }
                    if (cp < 0) return fail("\\u needs 4 hexadecimal digits");
                    appendUtf8(unsigned(cp), out);
                    break;
                }
                default:
                    out += e;  // \" \' \\ \/ and anything else: the character itself
            }
        }
        return fail("unterminated string");
    }

    // The 4 hex digits at _pos (consumed), or -1 when they are not there.
    int hex4() {
        if (_pos + 4 > _text.size()) return -1;
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = _text[_pos + i];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        _pos += 4;
        return v;
    }

    static void appendUtf8(unsigned cp, std::string& out) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    Status number(BsonBuilder& out, std::string_view key) {
        size_t start = _pos;
        if (_text[_pos] == '-' || _text[_pos] == '+') ++_pos;
        if (_text.substr(_pos, 8) == "Infinity") {
            _pos += 8;
            out.appendDouble(key, _text[start] == '-' ? -INFINITY : INFINITY);
            return Status::OK();
        }
        bool isDouble = false;
        while (!atEnd()) {
            char c = _text[_pos];
            if (c >= '0' && c <= '9') {
                ++_pos;
            } else if (c == '.' || c == 'e' || c == 'E' ||
                       ((c == '-' || c == '+') &&
                        (_text[_pos - 1] == 'e' || _text[_pos - 1] == 'E'))) {
                isDouble = true;
                ++_pos;
            } else {
                break;
            }
        }
        std::string literal(_text.substr(start, _pos - start));
        if (literal == "-" || literal == "+" || literal == ".") {
            _pos = start;
            return fail("bad number");
        }
        errno = 0;
        if (!isDouble) {
            char* end = nullptr;
            long long v = std::strtoll(literal.c_str(), &end, 10);
            if (errno == 0 && *end == '\0') {
                if (v >= INT32_MIN && v <= INT32_MAX) {
                    out.appendInt32(key, int32_t(v));
                } else {
                    out.appendInt64(key, v);
                }
                return Status::OK();
            }
        }
        char* end = nullptr;
        errno = 0;
        double d = std::strtod(literal.c_str(), &end);
        if (*end != '\0') {
            _pos = start;
            return fail("bad number '" + literal + "'");
        }
        out.appendDouble(key, d);
        return Status::OK();
    }

    Status regex(BsonBuilder& out, std::string_view key) {
        size_t start = _pos++;
        std::string pattern;
        bool inClass = false;
        while (!atEnd()) {
            char c = _text[_pos++];
            if (c == '\\' && !atEnd()) {
                pattern += c;
                pattern += _text[_pos++];
                continue;
            }
            if (c == '[') inClass = true;
            if (c == ']') inClass = false;
            if (c == '/' && !inClass) {
                std::string flags;
                while (!atEnd() &&
                       std::string_view("imsxlu").find(_text[_pos]) != std::string_view::npos) {
                    flags += _text[_pos++];
                }
                bson_append_regex(out.get(), key.data(), int(key.size()), pattern.c_str(),
                                  flags.c_str());
                return Status::OK();
            }
            if (c == '\n') break;
            pattern += c;
        }
        _pos = start;
        return fail("unterminated regular expression");
    }

    // Arguments of a constructor call: '(' [value {',' value}] ')' into an array document.
    StatusWith<BsonObj> callArguments(const std::string& name) {
        if (!consume('(')) return fail("expected '(' after " + name);
        BsonBuilder args;
        Status st = Status::OK();
        args.appendArray("a", [&](BsonBuilder& a) {
            char buf[16];
            uint32_t i = 0;
            if (consume(')')) return;
            while (st.isOK()) {
                st = value(a, arrayIndexKey(i++, buf), 1);
                if (!st.isOK()) return;
                if (consume(',')) continue;
                if (consume(')')) return;
                st = fail("expected ',' or ')' in " + name + "(...)");
            }
        });
        if (!st.isOK()) return st;
        bson_iter_t it;
        BsonObj built = args.obj();
        built.view().find("a", &it);
        return BsonObj::copyOf(subDocument(it));
    }

    Status word(BsonBuilder& out, std::string_view key) {
        size_t start = _pos;
        while (!atEnd() && isIdentChar(_text[_pos])) ++_pos;
        std::string name(_text.substr(start, _pos - start));
        if (name == "true" || name == "false") {
            out.appendBool(key, name == "true");
            return Status::OK();
        }
        if (name == "null") {
            out.appendNull(key);
            return Status::OK();
        }
        if (name == "undefined") {
            bson_append_undefined(out.get(), key.data(), int(key.size()));
            return Status::OK();
        }
        if (name == "NaN" || name == "Infinity") {
            out.appendDouble(key, name == "NaN" ? NAN : INFINITY);
            return Status::OK();
        }
        if (name == "MinKey" || name == "MaxKey") {
            if (consume('(') && !consume(')')) return fail("expected ')' after " + name + "(");
            if (name == "MinKey") {
                bson_append_minkey(out.get(), key.data(), int(key.size()));
            } else {
                bson_append_maxkey(out.get(), key.data(), int(key.size()));
            }
            return Status::OK();
        }
        if (name == "new") {
            skipBlanks();
            size_t at = _pos;
            while (!atEnd() && isIdentChar(_text[_pos])) ++_pos;
            name.assign(_text.substr(at, _pos - at));
            if (name != "Date" && name != "ObjectId" && name != "ISODate") {
                _pos = at;
                return fail("unknown constructor 'new " + name + "'");
            }
        }
        const size_t nameAt = start;
        auto args = callArguments(name);
        if (!args.isOK()) return args.getStatus();
        return construct(out, key, name, args.getValue().view(), nameAt);
    }

    Status construct(BsonBuilder& out, std::string_view key, const std::string& name, BsonView args,
                     size_t nameAt) {
        bson_iter_t a;
        const bool hasArg = args.iterInit(&a) && bson_iter_next(&a);
        auto bad = [&](const std::string& why) {
            _pos = nameAt;
            return fail(name + "(): " + why);
        };
        if (name == "ObjectId") {
            if (!hasArg) {
                bson_oid_t oid;
                bson_oid_init(&oid, nullptr);
                out.appendOid(key, oid);
                return Status::OK();
            }
            uint32_t len = 0;
            const char* hex = BSON_ITER_HOLDS_UTF8(&a) ? bson_iter_utf8(&a, &len) : nullptr;
            if (!hex || len != 24 || !bson_oid_is_valid(hex, len)) {
                return bad("expects a string of 24 hexadecimal digits");
            }
            bson_oid_t oid;
            bson_oid_init_from_string(&oid, hex);
            out.appendOid(key, oid);
            return Status::OK();
        }
        if (name == "ISODate" || name == "Date") {
            if (!hasArg) {
                out.appendDateMs(key, int64_t(std::time(nullptr)) * 1000);
                return Status::OK();
            }
            if (BSON_ITER_HOLDS_NUMBER(&a)) {
                out.appendDateMs(key, bson_iter_as_int64(&a));
                return Status::OK();
            }
            if (!BSON_ITER_HOLDS_UTF8(&a)) return bad("expects a date string or milliseconds");
            auto ms = json::parseIsoDate(bson_iter_utf8(&a, nullptr));
            if (!ms) return bad("not an ISO-8601 date");
            out.appendDateMs(key, *ms);
            return Status::OK();
        }
        if (name == "NumberLong" || name == "NumberInt") {
            if (!hasArg) return bad("expects a number");
            int64_t v = 0;
            if (BSON_ITER_HOLDS_UTF8(&a)) {
                const char* s = bson_iter_utf8(&a, nullptr);
                char* end = nullptr;
                errno = 0;
                v = std::strtoll(s, &end, 10);
                if (errno != 0 || *end != '\0' || *s == '\0') return bad("not an integer");
            } else if (BSON_ITER_HOLDS_NUMBER(&a)) {
                v = bson_iter_as_int64(&a);
            } else {
                return bad("expects a number");
            }
            if (name == "NumberInt") {
                if (v < INT32_MIN || v > INT32_MAX) return bad("out of the 32-bit range");
                out.appendInt32(key, int32_t(v));
            } else {
                out.appendInt64(key, v);
            }
            return Status::OK();
        }
        if (name == "NumberDecimal") {
            std::string text;
            if (hasArg && BSON_ITER_HOLDS_UTF8(&a)) {
                text = bson_iter_utf8(&a, nullptr);
            } else if (hasArg && BSON_ITER_HOLDS_INT32(&a)) {
                text = std::to_string(bson_iter_int32(&a));
            } else {
                return bad("expects a string");
            }
            bson_decimal128_t dec;
            if (!bson_decimal128_from_string(text.c_str(), &dec)) return bad("not a decimal");
            bson_append_decimal128(out.get(), key.data(), int(key.size()), &dec);
            return Status::OK();
        }
        if (name == "Timestamp") {
            bson_iter_t b = a;
            if (!hasArg || !BSON_ITER_HOLDS_NUMBER(&a) || !bson_iter_next(&b) ||
                !BSON_ITER_HOLDS_NUMBER(&b)) {
                return bad("expects two numbers");
            }
            bson_append_timestamp(out.get(), key.data(), int(key.size()),
                                  uint32_t(bson_iter_as_int64(&a)),
                                  uint32_t(bson_iter_as_int64(&b)));
            return Status::OK();
        }
        _pos = nameAt;
        return fail("unknown name '" + name + "'");
    }

    std::string_view _text;
    size_t _pos;
    Status _failure;
    ParseError _where;
};

}  // namespace

ParseError locate(std::string_view text, size_t offset) {
    ParseError where{offset, 1, 1};
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++where.line;
            where.column = 1;
        } else {
            ++where.column;
        }
    }
    return where;
}

Status parseErrorAt(std::string_view text, size_t offset, const std::string& message,
                    ParseError* where) {
    ParseError at = locate(text, offset);
    if (where) *where = at;
    return Status(ErrorCodes::FailedToParse, "line " + std::to_string(at.line) + ", column " +
                                                 std::to_string(at.column) + ": " + message);
}

Status parseRelaxedValue(std::string_view text, size_t* pos, BsonBuilder& out, std::string_view key,
                         ParseError* error) {
    Parser p(text, *pos);
    Status st = p.value(out, key, 1);
    if (!st.isOK()) {
        if (error) *error = p.where();
        return st;
    }
    *pos = p.pos();
    return Status::OK();
}

StatusWith<BsonObj> parseRelaxedObject(std::string_view text, ParseError* error) {
    Parser p(text, 0);
    p.skipBlanks();
    if (p.pos() >= text.size() || text[p.pos()] != '{') {
        Status st = p.fail("expected an object");
        if (error) *error = p.where();
        return st;
    }
    BsonBuilder wrapper;
    Status st = p.value(wrapper, "v", 0);
    if (st.isOK()) {
        p.skipBlanks();
        if (p.pos() != text.size()) st = p.fail("unexpected text after the object");
    }
    if (!st.isOK()) {
        if (error) *error = p.where();
        return st;
    }
    BsonObj w = wrapper.obj();
    bson_iter_t it;
    w.view().find("v", &it);
    return BsonObj::copyOf(subDocument(it));
}

}  // namespace mongosd::shell
