// JsonToBson for the Extended JSON v2 wrappers: dispatch, shared readers, and the wrappers whose
// value is a single string, number or literal ($oid, $date, $number*, $uuid, $symbol, $minKey,
// $maxKey, $undefined). An object whose first key names a wrapper must have exactly the
// wrapper's shape; anything else is BadValue. The object-valued wrappers are in
// ejson_wrappers_nested.cpp.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/json/iso_date.h"
#include "common/json/json_to_bson.h"
#include "common/json/text_codecs.h"

namespace mongosd::json {
namespace {

struct WrapperName {
    std::string_view name;
    Wrapper kind;
};
constexpr WrapperName kWrappers[] = {
    {"$oid", Wrapper::kOid},
    {"$date", Wrapper::kDate},
    {"$numberInt", Wrapper::kNumberInt},
    {"$numberLong", Wrapper::kNumberLong},
    {"$numberDouble", Wrapper::kNumberDouble},
    {"$numberDecimal", Wrapper::kNumberDecimal},
    {"$binary", Wrapper::kBinary},
    {"$uuid", Wrapper::kUuid},
    {"$regularExpression", Wrapper::kRegularExpression},
    {"$timestamp", Wrapper::kTimestamp},
    {"$minKey", Wrapper::kMinKey},
    {"$maxKey", Wrapper::kMaxKey},
    {"$symbol", Wrapper::kSymbol},
    {"$code", Wrapper::kCode},
    {"$undefined", Wrapper::kUndefined},
    {"$dbPointer", Wrapper::kDbPointer},
};

// A whole-string integer in base 10: optional '-', digits; no '+', spaces or junk.
template <typename Int>
bool parseInteger(std::string_view s, Int& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

// JSON number syntax, leading zeros allowed: -?D+(.D+)?([eE][+-]?D+)?
bool looksLikeNumber(std::string_view s) {
    size_t i = 0, n = s.size();
    auto digits = [&] {
        size_t from = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
        return i > from;
    };
    if (i < n && s[i] == '-') ++i;
    if (!digits()) return false;
    if (i < n && s[i] == '.') {
        ++i;
        if (!digits()) return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
        if (!digits()) return false;
    }
    return i == n;
}

bool parseDouble(std::string_view s, double& out) {
    if (s == "Infinity") {
        out = std::numeric_limits<double>::infinity();
    } else if (s == "-Infinity") {
        out = -std::numeric_limits<double>::infinity();
    } else if (s == "NaN") {
        out = std::numeric_limits<double>::quiet_NaN();
    } else {
        if (!looksLikeNumber(s)) return false;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc() && end == s.data() + s.size();
    }
    return true;
}

}  // namespace

Wrapper wrapperFor(std::string_view key) {
    for (const auto& w : kWrappers)
        if (w.name == key) return w.kind;
    return Wrapper::kNone;
}

bool JsonToBson::wrapper(Wrapper kind, std::string_view name, od::value v, od::object_iterator& it,
                         std::string_view key, size_t depth) {
    // $binary and $code check their own end: the legacy $binary and $code+$scope have two keys.
    if (kind == Wrapper::kBinary) return binary(v, it, key);
    if (kind == Wrapper::kCode) return code(v, it, key, depth);
    return singleKeyWrapper(kind, name, v, key) && expectEnd(it, name);
}

bool JsonToBson::singleKeyWrapper(Wrapper kind, std::string_view name, od::value v,
                                  std::string_view key) {
    switch (kind) {
        case Wrapper::kOid:
            return oid(v, key);
        case Wrapper::kDate:
            return date(v, key);
        case Wrapper::kNumberInt:
            return numberInt(v, key);
        case Wrapper::kNumberLong:
            return numberLong(v, key);
        case Wrapper::kNumberDouble:
            return numberDouble(v, key);
        case Wrapper::kNumberDecimal:
            return numberDecimal(v, key);
        case Wrapper::kUuid:
            return uuid(v, key);
        case Wrapper::kRegularExpression:
            return regularExpression(v, key);
        case Wrapper::kTimestamp:
            return timestamp(v, key);
        case Wrapper::kMinKey:
            return minMaxKey(v, name, BSON_TYPE_MINKEY, key);
        case Wrapper::kMaxKey:
            return minMaxKey(v, name, BSON_TYPE_MAXKEY, key);
        case Wrapper::kSymbol:
            return stringWrapper(v, name, BSON_TYPE_SYMBOL, key);
        case Wrapper::kUndefined:
            return undefined(v, key);
        case Wrapper::kDbPointer:
            return dbPointer(v, key);
        case Wrapper::kBinary:
        case Wrapper::kCode:
        case Wrapper::kNone:
            break;
    }
    invariantMsg(false, "singleKeyWrapper: not a single-key wrapper");
    return false;
}

bool JsonToBson::expectEnd(od::object_iterator& it, std::string_view what) {
    ++it;
    if (!hasMore(it)) return true;
    std::string_view extra;
    od::value ignored;
    if (!readField(it, extra, ignored)) return false;
    return badValue("unexpected field " + quoted(extra) + " in " + std::string(what) + " wrapper");
}

bool JsonToBson::stringOf(od::value v, std::string_view what, std::string_view& out) {
    od::json_type type;
    if (auto e = v.type().get(type)) return syntaxError(e);
    if (type != od::json_type::string) return badValue(std::string(what) + " must be a string");
    if (auto e = v.get_string().get(out)) return syntaxError(e);
    return true;
}

bool JsonToBson::objectOf(od::value& v, std::string_view what, od::object_iterator& it) {
    od::json_type type;
    if (auto e = v.type().get(type)) return syntaxError(e);
    if (type != od::json_type::object) return badValue(std::string(what) + " must be an object");
    return openObject(v, it);
}

bool JsonToBson::uint32Of(od::value v, std::string_view what, uint32_t& out) {
    od::json_type type;
    if (auto e = v.type().get(type)) return syntaxError(e);
    if (type != od::json_type::number)
        return badValue(std::string(what) + " must be an unsigned 32-bit integer");
    JsonNumber n;
    if (!readNumber(v, n)) return false;
    if (!n.isInteger || n.integer < 0 || n.integer > std::numeric_limits<uint32_t>::max())
        return badValue(std::string(what) + " must be an unsigned 32-bit integer");
    out = static_cast<uint32_t>(n.integer);
    return true;
}

bool JsonToBson::oidBytes(od::value v, std::string_view what, uint8_t* out) {
    std::string_view hex;
    if (!stringOf(v, what, hex)) return false;
    if (!decodeHex(hex, out, 12))
        return badValue(std::string(what) + " must be 24 hex digits, got " + quoted(hex));
    return true;
}

bool JsonToBson::oid(od::value v, std::string_view key) {
    uint8_t bytes[12];
    if (!oidBytes(v, "$oid", bytes)) return false;
    _out.elementHeader(BSON_TYPE_OID, key);
    _out.put(bytes, sizeof(bytes));
    return true;
}

bool JsonToBson::date(od::value v, std::string_view key) {
    od::json_type type;
    if (auto e = v.type().get(type)) return syntaxError(e);
    int64_t ms = 0;
    if (type == od::json_type::string) {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return syntaxError(e);
        auto parsed = parseIsoDate(s);
        if (!parsed) return badValue("$date string must be an ISO-8601 date, got " + quoted(s));
        ms = *parsed;
    } else if (type == od::json_type::object) {
        if (!dateNumberLong(v, ms)) return false;
    } else if (type == od::json_type::number) {
        JsonNumber n;
        if (!readNumber(v, n)) return false;
        // 2^63 is exactly representable, so the range test is exact.
        constexpr double kTwo63 = 9223372036854775808.0;
        if (n.isInteger) {
            ms = n.integer;
        } else if (std::trunc(n.real) == n.real && n.real >= -kTwo63 && n.real < kTwo63) {
            ms = static_cast<int64_t>(n.real);
        } else {
            return badValue("$date number must be an integral count of milliseconds");
        }
    } else {
        return badValue("$date must be an ISO-8601 string, {\"$numberLong\": ...} or a number");
    }
    _out.elementHeader(BSON_TYPE_DATE_TIME, key);
    _out.putLE(ms);
    return true;
}

// {"$numberLong": "<ms>"} inside $date.
bool JsonToBson::dateNumberLong(od::value v, int64_t& ms) {
    od::object_iterator it;
    std::string_view inner, digits;
    od::value iv;
    if (!openObject(v, it)) return false;
    if (!hasMore(it)) return badValue("$date object must be {\"$numberLong\": \"<ms>\"}");
    if (!readField(it, inner, iv)) return false;
    if (inner != "$numberLong") return badValue("$date object must be {\"$numberLong\": \"<ms>\"}");
    if (!stringOf(iv, "$date.$numberLong", digits)) return false;
    if (!parseInteger(digits, ms))
        return badValue("$date.$numberLong must be a 64-bit integer string");
    return expectEnd(it, "$date");
}

bool JsonToBson::numberInt(od::value v, std::string_view key) {
    std::string_view s;
    int32_t i = 0;
    if (!stringOf(v, "$numberInt", s)) return false;
    if (!parseInteger(s, i))
        return badValue("$numberInt must be a 32-bit integer string, got " + quoted(s));
    _out.elementHeader(BSON_TYPE_INT32, key);
    _out.putLE(i);
    return true;
}

bool JsonToBson::numberLong(od::value v, std::string_view key) {
    std::string_view s;
    int64_t i = 0;
    if (!stringOf(v, "$numberLong", s)) return false;
    if (!parseInteger(s, i))
        return badValue("$numberLong must be a 64-bit integer string, got " + quoted(s));
    _out.elementHeader(BSON_TYPE_INT64, key);
    _out.putLE(i);
    return true;
}

bool JsonToBson::numberDouble(od::value v, std::string_view key) {
    std::string_view s;
    double d = 0;
    if (!stringOf(v, "$numberDouble", s)) return false;
    if (!parseDouble(s, d))
        return badValue("$numberDouble must be a number string, Infinity, -Infinity or NaN, got " +
                        quoted(s));
    _out.elementHeader(BSON_TYPE_DOUBLE, key);
    _out.putLE(d);
    return true;
}

bool JsonToBson::numberDecimal(od::value v, std::string_view key) {
    std::string_view s;
    bson_decimal128_t dec;
    if (!stringOf(v, "$numberDecimal", s)) return false;
    // libbson compares "NaN"/"Infinity" up to a NUL even in the _w_len variant, so the text is
    // copied out NUL-terminated. No valid decimal string comes near kMaxText characters.
    constexpr size_t kMaxText = 512;
    char text[kMaxText + 1];
    bool ok = !s.empty() && s.size() <= kMaxText;
    if (ok) {
        std::memcpy(text, s.data(), s.size());
        text[s.size()] = 0;
        ok = bson_decimal128_from_string_w_len(text, static_cast<int>(s.size()), &dec);
    }
    if (!ok) return badValue("$numberDecimal is not a valid decimal: " + quoted(s));
    _out.elementHeader(BSON_TYPE_DECIMAL128, key);
    _out.putLE(dec.low);
    _out.putLE(dec.high);
    return true;
}

bool JsonToBson::uuid(od::value v, std::string_view key) {
    std::string_view s;
    if (!stringOf(v, "$uuid", s)) return false;
    uint8_t bytes[16];
    bool ok = s.size() == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' &&
              decodeHex(s.substr(0, 8), bytes, 4) && decodeHex(s.substr(9, 4), bytes + 4, 2) &&
              decodeHex(s.substr(14, 4), bytes + 6, 2) &&
              decodeHex(s.substr(19, 4), bytes + 8, 2) && decodeHex(s.substr(24), bytes + 10, 6);
    if (!ok) return badValue("$uuid must look like 01234567-89ab-cdef-0123-456789abcdef");
    _out.elementHeader(BSON_TYPE_BINARY, key);
    _out.putLE<int32_t>(16);
    _out.put(BSON_SUBTYPE_UUID);
    _out.put(bytes, sizeof(bytes));
    return true;
}

bool JsonToBson::minMaxKey(od::value v, std::string_view name, bson_type_t type,
                           std::string_view key) {
    od::json_type jt;
    if (auto e = v.type().get(jt)) return syntaxError(e);
    JsonNumber n;
    if (jt == od::json_type::number && !readNumber(v, n)) return false;
    if (jt != od::json_type::number || !n.isInteger || n.integer != 1)
        return badValue(std::string(name) + " must be 1");
    _out.elementHeader(type, key);
    return true;
}

bool JsonToBson::stringWrapper(od::value v, std::string_view name, bson_type_t type,
                               std::string_view key) {
    std::string_view s;
    if (!stringOf(v, name, s)) return false;
    _out.elementHeader(type, key);
    _out.stringBody(s);
    return true;
}

bool JsonToBson::undefined(od::value v, std::string_view key) {
    od::json_type type;
    if (auto e = v.type().get(type)) return syntaxError(e);
    bool b = false;
    if (type == od::json_type::boolean) {
        if (auto e = v.get_bool().get(b)) return syntaxError(e);
    }
    if (!b) return badValue("$undefined must be true");
    _out.elementHeader(BSON_TYPE_UNDEFINED, key);
    return true;
}

}  // namespace mongosd::json
