// JsonToBson for plain JSON: objects, arrays, strings, numbers, literals, limits and errors.
// The Extended JSON wrappers are in ejson_wrappers.cpp.
#include "common/json/json_to_bson.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

namespace mongosd::json {
namespace {

// BSON stores lengths as int32; a caller's larger limit is clamped to what BSON can express.
constexpr size_t kMaxRepresentable = std::numeric_limits<int32_t>::max();

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

// Built by appends: GCC 12 warns falsely
// (-Wrestrict) on "'" + std::string(...) at -O2.
std::string quoted(std::string_view s) {
    s = s.substr(0, 64);
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('\'');
    out.append(s);
    out.push_back('\'');
    return out;
}

bool KeySet::insert(std::string_view key) {
    if (_stack.size() - _start < kLinearLimit) {
        for (size_t i = _start, n = _stack.size(); i < n; ++i)
            if (_stack[i] == key) return false;
    }
    _stack.push_back(key);
    return true;
}

std::optional<std::string_view> KeySet::deferredDuplicate() {
    if (_stack.size() - _start <= kLinearLimit) return std::nullopt;
    auto first = _stack.begin() + static_cast<ptrdiff_t>(_start);
    std::sort(first, _stack.end());
    auto dup = std::adjacent_find(first, _stack.end());
    if (dup == _stack.end()) return std::nullopt;
    return *dup;
}

JsonToBson::JsonToBson(BsonBuffer& out, std::vector<std::string_view>& keyStack,
                       const JsonParseLimits& limits)
    : _out(out),
      _keyStack(keyStack),
      _maxDepth(std::min(limits.maxDepth, kDepthCap)),
      _maxSize(std::min(limits.maxBsonSize, kMaxRepresentable)) {}

bool JsonToBson::fail(ErrorCodes::Error code, std::string reason) {
    _status = Status(code, std::move(reason));
    return false;
}

bool JsonToBson::syntaxError(simdjson::error_code e) {
    // The translator checks types before reading, so a type error here means a token that only
    // looked like a literal ("tru", "nul").
    if (e == simdjson::INCORRECT_TYPE)
        return fail(ErrorCodes::FailedToParse, "invalid JSON: malformed literal");
    return fail(ErrorCodes::FailedToParse,
                std::string("invalid JSON: ") + simdjson::error_message(e));
}

bool JsonToBson::badValue(std::string reason) {
    return fail(ErrorCodes::BadValue, std::move(reason));
}

bool JsonToBson::duplicateKey(std::string_view key) {
    return badValue("duplicate key " + quoted(key));
}

bool JsonToBson::tooDeep() {
    return fail(ErrorCodes::Overflow,
                "JSON nesting exceeds the maximum depth of " + std::to_string(_maxDepth));
}

bool JsonToBson::sizeOk() {
    if (_out.size() <= _maxSize) [[likely]]
        return true;
    return fail(ErrorCodes::BSONObjectTooLarge,
                "document exceeds the maximum BSON size of " + std::to_string(_maxSize) + " bytes");
}

bool JsonToBson::keyOk(std::string_view key) {
    if (key.find('\0') == std::string_view::npos) [[likely]]
        return true;
    return badValue("field names must not contain NUL characters");
}

bool JsonToBson::rootDocument(od::object obj) {
    od::object_iterator it;
    if (auto e = obj.begin().get(it)) return syntaxError(e);
    std::string_view key;
    od::value value;
    bool hasFirst = hasMore(it);
    if (hasFirst && !readField(it, key, value)) return false;
    return documentBody(it, hasFirst, key, value, 0);
}

bool JsonToBson::readField(od::object_iterator& it, std::string_view& key, od::value& value) {
    od::field field;
    if (auto e = (*it).get(field)) return syntaxError(e);
    if (auto e = field.unescaped_key().get(key)) return syntaxError(e);
    value = field.value();
    return true;
}

bool JsonToBson::openObject(od::value& v, od::object_iterator& it) {
    od::object obj;
    if (auto e = v.get_object().get(obj)) return syntaxError(e);
    if (auto e = obj.begin().get(it)) return syntaxError(e);
    return true;
}

bool JsonToBson::documentBody(od::object_iterator& it, bool hasFirst, std::string_view key,
                              od::value value, size_t depth) {
    size_t at = _out.beginDocument();
    KeySet keys(_keyStack);
    while (hasFirst) {
        if (!keyOk(key)) return false;
        if (!keys.insert(key)) return duplicateKey(key);
        if (!element(value, key, depth) || !sizeOk()) return false;
        ++it;
        hasFirst = hasMore(it);
        if (hasFirst && !readField(it, key, value)) return false;
    }
    if (auto dup = keys.deferredDuplicate()) return duplicateKey(*dup);
    _out.endDocument(at);
    return sizeOk();
}

bool JsonToBson::element(od::value v, std::string_view key, size_t depth) {
    od::json_type type;
    if (auto e = v.type().get(type)) return syntaxError(e);
    switch (type) {
        case od::json_type::object:
            return objectValue(v, key, depth);
        case od::json_type::array:
            return arrayValue(v, key, depth);
        case od::json_type::number:
            return numberValue(v, key);
        case od::json_type::string: {
            std::string_view s;
            if (auto e = v.get_string().get(s)) return syntaxError(e);
            _out.elementHeader(BSON_TYPE_UTF8, key);
            _out.stringBody(s);
            return true;
        }
        case od::json_type::boolean: {
            bool b = false;
            if (auto e = v.get_bool().get(b)) return syntaxError(e);
            _out.elementHeader(BSON_TYPE_BOOL, key);
            _out.put(b ? 1 : 0);
            return true;
        }
        case od::json_type::null: {
            bool isNull = false;
            if (auto e = v.is_null().get(isNull)) return syntaxError(e);
            if (!isNull) return syntaxError(simdjson::N_ATOM_ERROR);
            _out.elementHeader(BSON_TYPE_NULL, key);
            return true;
        }
    }
    return syntaxError(simdjson::TAPE_ERROR);
}

bool JsonToBson::objectValue(od::value v, std::string_view key, size_t depth) {
    od::object_iterator it;
    if (!openObject(v, it)) return false;
    std::string_view firstKey;
    od::value firstValue;
    bool hasFirst = hasMore(it);
    if (hasFirst) {
        if (!readField(it, firstKey, firstValue)) return false;
        if (firstKey.size() > 1 && firstKey[0] == '$') {
            Wrapper kind = wrapperFor(firstKey);
            if (kind != Wrapper::kNone) return wrapper(kind, firstKey, firstValue, it, key, depth);
        }
    }
    if (depth + 1 > _maxDepth) return tooDeep();
    _out.elementHeader(BSON_TYPE_DOCUMENT, key);
    return documentBody(it, hasFirst, firstKey, firstValue, depth + 1);
}

bool JsonToBson::arrayValue(od::value v, std::string_view key, size_t depth) {
    if (depth + 1 > _maxDepth) return tooDeep();
    od::array arr;
    if (auto e = v.get_array().get(arr)) return syntaxError(e);
    _out.elementHeader(BSON_TYPE_ARRAY, key);
    size_t at = _out.beginDocument();
    uint32_t index = 0;
    char keyBuf[16];
    for (auto item : arr) {
        od::value ev;
        if (auto e = item.get(ev)) return syntaxError(e);
        if (!element(ev, arrayIndexKey(index++, keyBuf), depth + 1) || !sizeOk()) return false;
    }
    _out.endDocument(at);
    return sizeOk();
}

bool JsonToBson::numberValue(od::value v, std::string_view key) {
    JsonNumber n;
    if (!readNumber(v, n)) return false;
    if (!n.isInteger) {
        _out.elementHeader(BSON_TYPE_DOUBLE, key);
        _out.putLE(n.real);
    } else if (n.integer >= std::numeric_limits<int32_t>::min() &&
               n.integer <= std::numeric_limits<int32_t>::max()) {
        _out.elementHeader(BSON_TYPE_INT32, key);
        _out.putLE(static_cast<int32_t>(n.integer));
    } else {
        _out.elementHeader(BSON_TYPE_INT64, key);
        _out.putLE(n.integer);
    }
    return true;
}

// Each number is read with the typed getter its syntax calls for. simdjson 3.0's get_number()
// is not used: it returns 0 for doubles with more than 19 significant digits (simdjson issue
// #2099, found by our fuzzer).
bool JsonToBson::readNumber(od::value v, JsonNumber& out) {
    od::number_type type;
    simdjson::error_code e = v.get_number_type().get(type);
    if (!e) {
        switch (type) {
            case od::number_type::signed_integer:
                out.isInteger = true;
                e = v.get_int64().get(out.integer);
                break;
            case od::number_type::unsigned_integer: {  // beyond int64: a double, as API.md says
                uint64_t u = 0;
                e = v.get_uint64().get(u);
                out.real = static_cast<double>(u);
                break;
            }
            case od::number_type::floating_point_number:
                e = v.get_double().get(out.real);
                break;
        }
    }
    // The typed getters report an integer beyond their range as INCORRECT_TYPE.
    if (e == simdjson::NUMBER_ERROR || e == simdjson::INCORRECT_TYPE) return bigInteger(v, out);
    if (e) return syntaxError(e);
    return true;
}

// simdjson rejects integers beyond 64 bits; API.md makes them doubles. Anything else it rejected
// (bad syntax, a double out of range) stays an error.
bool JsonToBson::bigInteger(od::value v, JsonNumber& out) {
    std::string_view token = v.raw_json_token();
    while (!token.empty() && isJsonSpace(token.back())) token.remove_suffix(1);
    std::string_view digits = token.substr(!token.empty() && token[0] == '-' ? 1 : 0);
    bool plainInteger =
        digits.size() > 1 && digits[0] != '0' &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (plainInteger) {
        auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), out.real);
        plainInteger = ec == std::errc() && end == token.data() + token.size();
    }
    if (!plainInteger)
        return fail(ErrorCodes::FailedToParse, "invalid JSON: invalid or out-of-range number '" +
                                                   std::string(token.substr(0, 40)) + "'");
    out.isInteger = false;
    return true;
}

}  // namespace mongosd::json
