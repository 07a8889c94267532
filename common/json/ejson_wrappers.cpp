// JsonToBson for the Extended JSON v2 wrappers ({"$oid": ...}, {"$date": ...}, ...). An object
// whose first key names a wrapper must have exactly the wrapper's shape; anything else is
// BadValue. Nested wrapper fields ({"base64", "subType"}, {"t", "i"}, ...) may come in any order.
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

constexpr uint8_t kBsonDouble = 0x01, kBsonBinary = 0x05, kBsonUndefined = 0x06,
                  kBsonOid = 0x07, kBsonDate = 0x09, kBsonRegex = 0x0B, kBsonDbPointer = 0x0C,
                  kBsonCode = 0x0D, kBsonSymbol = 0x0E, kBsonCodeWScope = 0x0F,
                  kBsonInt32 = 0x10, kBsonTimestamp = 0x11, kBsonInt64 = 0x12,
                  kBsonDecimal = 0x13, kBsonMinKey = 0xFF, kBsonMaxKey = 0x7F;
constexpr uint8_t kBinarySubtypeOld = 0x02, kBinarySubtypeUuid = 0x04;

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

// Regex options: each from "imsxlu", stored sorted without repeats (so equal regexes have
// equal bytes). Empty when an option is not allowed.
bool normalizeRegexOptions(std::string_view in, char (&out)[8], size_t& n) {
    static constexpr std::string_view kAllowed = "ilmsux";  // sorted
    bool seen[6] = {};
    for (char c : in) {
        size_t pos = kAllowed.find(c);
        if (pos == std::string_view::npos) return false;
        seen[pos] = true;
    }
    n = 0;
    for (size_t i = 0; i < kAllowed.size(); ++i)
        if (seen[i]) out[n++] = kAllowed[i];
    return true;
}

// 'text' for error messages, cut to 64 bytes. Built by appends: GCC 12 warns falsely
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

}  // namespace

Wrapper wrapperFor(std::string_view key) {
    for (const auto& w : kWrappers)
        if (w.name == key) return w.kind;
    return Wrapper::kNone;
}

bool JsonToBson::wrapper(Wrapper kind, std::string_view name, od::value v,
                         od::object_iterator& it, std::string_view key, size_t depth) {
    bool ok = false;
    switch (kind) {
        case Wrapper::kBinary:
            return binary(v, it, key);  // checks its own end: the legacy form has two keys
        case Wrapper::kCode:
            return code(v, it, key, depth);  // likewise ($scope)
        case Wrapper::kOid: ok = oid(v, key); break;
        case Wrapper::kDate: ok = date(v, key); break;
        case Wrapper::kNumberInt: ok = numberInt(v, key); break;
        case Wrapper::kNumberLong: ok = numberLong(v, key); break;
        case Wrapper::kNumberDouble: ok = numberDouble(v, key); break;
        case Wrapper::kNumberDecimal: ok = numberDecimal(v, key); break;
        case Wrapper::kUuid: ok = uuid(v, key); break;
        case Wrapper::kRegularExpression: ok = regularExpression(v, key); break;
        case Wrapper::kTimestamp: ok = timestamp(v, key); break;
        case Wrapper::kMinKey: ok = minMaxKey(v, name, kBsonMinKey, key); break;
        case Wrapper::kMaxKey: ok = minMaxKey(v, name, kBsonMaxKey, key); break;
        case Wrapper::kSymbol: ok = stringWrapper(v, name, kBsonSymbol, key); break;
        case Wrapper::kUndefined: ok = undefined(v, key); break;
        case Wrapper::kDbPointer: ok = dbPointer(v, key); break;
        case Wrapper::kNone: break;
    }
    return ok && expectEnd(it, name);
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
    _out.elementHeader(kBsonOid, key);
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
    _out.elementHeader(kBsonDate, key);
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
    if (inner != "$numberLong")
        return badValue("$date object must be {\"$numberLong\": \"<ms>\"}");
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
    _out.elementHeader(kBsonInt32, key);
    _out.putLE(i);
    return true;
}

bool JsonToBson::numberLong(od::value v, std::string_view key) {
    std::string_view s;
    int64_t i = 0;
    if (!stringOf(v, "$numberLong", s)) return false;
    if (!parseInteger(s, i))
        return badValue("$numberLong must be a 64-bit integer string, got " + quoted(s));
    _out.elementHeader(kBsonInt64, key);
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
    _out.elementHeader(kBsonDouble, key);
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
    _out.elementHeader(kBsonDecimal, key);
    _out.putLE(dec.low);
    _out.putLE(dec.high);
    return true;
}

bool JsonToBson::binaryBody(std::string_view b64, std::string_view subType,
                            std::string_view what, std::string_view key) {
    int hi = subType.size() == 2 ? hexDigitValue(subType[0]) : 0;
    int lo = subType.empty() ? -1 : hexDigitValue(subType.back());
    if (subType.size() > 2 || hi < 0 || lo < 0)
        return badValue(std::string(what) + " subType must be one or two hex digits, got " +
                        quoted(subType));
    auto type = static_cast<uint8_t>(hi << 4 | lo);
    ptrdiff_t size = base64DecodedSize(b64);
    if (size < 0 || static_cast<size_t>(size) > _maxSize)
        return badValue(std::string(what) + " base64 payload is not valid padded base64");
    bool old = type == kBinarySubtypeOld;  // subtype 2 repeats the length inside the payload
    _out.elementHeader(kBsonBinary, key);
    _out.putLE(static_cast<int32_t>(size + (old ? 4 : 0)));
    _out.put(type);
    if (old) _out.putLE(static_cast<int32_t>(size));
    if (!decodeBase64(b64, _out.extend(static_cast<size_t>(size))))
        return badValue(std::string(what) + " base64 payload is not valid padded base64");
    return true;
}

bool JsonToBson::binary(od::value v, od::object_iterator& outer, std::string_view key) {
    od::json_type type;
    if (auto e = v.type().get(type)) return syntaxError(e);
    std::string_view b64, subType;
    if (type == od::json_type::string) {  // legacy {"$binary": "<b64>", "$type": "<hex>"}
        std::string_view next;
        od::value nv;
        if (auto e = v.get_string().get(b64)) return syntaxError(e);
        ++outer;
        if (!hasMore(outer)) return badValue("legacy $binary needs a \"$type\" field");
        if (!readField(outer, next, nv)) return false;
        if (next != "$type") return badValue("unexpected field " + quoted(next) + " in $binary");
        if (!stringOf(nv, "$type", subType)) return false;
        return binaryBody(b64, subType, "$binary", key) && expectEnd(outer, "$binary");
    }
    od::object_iterator it;
    if (!objectOf(v, "$binary", it)) return false;
    bool haveB64 = false, haveType = false;
    while (hasMore(it)) {
        std::string_view k;
        od::value fv;
        if (!readField(it, k, fv)) return false;
        if (k == "base64" && !haveB64) {
            if (!stringOf(fv, "$binary.base64", b64)) return false;
            haveB64 = true;
        } else if (k == "subType" && !haveType) {
            if (!stringOf(fv, "$binary.subType", subType)) return false;
            haveType = true;
        } else {
            return badValue("unexpected or repeated field " + quoted(k) + " in $binary");
        }
        ++it;
    }
    if (!haveB64 || !haveType) return badValue("$binary needs \"base64\" and \"subType\"");
    return binaryBody(b64, subType, "$binary", key) && expectEnd(outer, "$binary");
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
    _out.elementHeader(kBsonBinary, key);
    _out.putLE<int32_t>(16);
    _out.put(kBinarySubtypeUuid);
    _out.put(bytes, sizeof(bytes));
    return true;
}

bool JsonToBson::regularExpression(od::value v, std::string_view key) {
    od::object_iterator it;
    if (!objectOf(v, "$regularExpression", it)) return false;
    std::string_view pattern, options;
    bool havePattern = false, haveOptions = false;
    while (hasMore(it)) {
        std::string_view k;
        od::value fv;
        if (!readField(it, k, fv)) return false;
        if (k == "pattern" && !havePattern) {
            if (!stringOf(fv, "$regularExpression.pattern", pattern)) return false;
            havePattern = true;
        } else if (k == "options" && !haveOptions) {
            if (!stringOf(fv, "$regularExpression.options", options)) return false;
            haveOptions = true;
        } else {
            return badValue("unexpected or repeated field " + quoted(k) + " in $regularExpression");
        }
        ++it;
    }
    if (!havePattern || !haveOptions)
        return badValue("$regularExpression needs \"pattern\" and \"options\"");
    if (pattern.find('\0') != std::string_view::npos)
        return badValue("$regularExpression pattern must not contain NUL characters");
    char sorted[8];
    size_t n = 0;
    if (!normalizeRegexOptions(options, sorted, n))
        return badValue("$regularExpression options must be from \"imsxlu\", got " +
                        quoted(options));
    _out.elementHeader(kBsonRegex, key);
    _out.cstring(pattern);
    _out.cstring(std::string_view(sorted, n));
    return true;
}

bool JsonToBson::timestamp(od::value v, std::string_view key) {
    od::object_iterator it;
    if (!objectOf(v, "$timestamp", it)) return false;
    uint32_t t = 0, i = 0;
    bool haveT = false, haveI = false;
    while (hasMore(it)) {
        std::string_view k;
        od::value fv;
        if (!readField(it, k, fv)) return false;
        if (k == "t" && !haveT) {
            if (!uint32Of(fv, "$timestamp.t", t)) return false;
            haveT = true;
        } else if (k == "i" && !haveI) {
            if (!uint32Of(fv, "$timestamp.i", i)) return false;
            haveI = true;
        } else {
            return badValue("unexpected or repeated field " + quoted(k) + " in $timestamp");
        }
        ++it;
    }
    if (!haveT || !haveI) return badValue("$timestamp needs \"t\" and \"i\"");
    _out.elementHeader(kBsonTimestamp, key);
    _out.putLE(uint64_t{t} << 32 | i);
    return true;
}

bool JsonToBson::minMaxKey(od::value v, std::string_view name, uint8_t type,
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

bool JsonToBson::stringWrapper(od::value v, std::string_view name, uint8_t type,
                               std::string_view key) {
    std::string_view s;
    if (!stringOf(v, name, s)) return false;
    _out.elementHeader(type, key);
    _out.stringBody(s);
    return true;
}

bool JsonToBson::code(od::value v, od::object_iterator& outer, std::string_view key,
                      size_t depth) {
    std::string_view s;
    if (!stringOf(v, "$code", s)) return false;
    ++outer;
    if (!hasMore(outer)) {
        _out.elementHeader(kBsonCode, key);
        _out.stringBody(s);
        return true;
    }
    std::string_view next;
    od::value scope;
    if (!readField(outer, next, scope)) return false;
    if (next != "$scope") return badValue("unexpected field " + quoted(next) + " in $code");
    od::object_iterator it;
    if (!objectOf(scope, "$code.$scope", it)) return false;
    // The scope is not a nesting level of the BSON tree, but it counts as one here so that
    // scopes nested in scopes cannot recurse without bound.
    if (depth + 1 > _maxDepth) return tooDeep();
    std::string_view firstKey;
    od::value firstValue;
    bool hasFirst = hasMore(it);
    if (hasFirst && !readField(it, firstKey, firstValue)) return false;
    _out.elementHeader(kBsonCodeWScope, key);
    size_t at = _out.beginDocument();  // total length of code_w_s
    _out.stringBody(s);
    if (!documentBody(it, hasFirst, firstKey, firstValue, depth + 1)) return false;
    _out.patchInt32(at, static_cast<int32_t>(_out.size() - at));
    return expectEnd(outer, "$code");
}

bool JsonToBson::undefined(od::value v, std::string_view key) {
    od::json_type type;
    if (auto e = v.type().get(type)) return syntaxError(e);
    bool b = false;
    if (type == od::json_type::boolean) {
        if (auto e = v.get_bool().get(b)) return syntaxError(e);
    }
    if (!b) return badValue("$undefined must be true");
    _out.elementHeader(kBsonUndefined, key);
    return true;
}

bool JsonToBson::dbPointer(od::value v, std::string_view key) {
    od::object_iterator it;
    if (!objectOf(v, "$dbPointer", it)) return false;
    std::string_view ref;
    uint8_t id[12];
    bool haveRef = false, haveId = false;
    while (hasMore(it)) {
        std::string_view k;
        od::value fv;
        if (!readField(it, k, fv)) return false;
        if (k == "$ref" && !haveRef) {
            if (!stringOf(fv, "$dbPointer.$ref", ref)) return false;
            haveRef = true;
        } else if (k == "$id" && !haveId) {
            od::object_iterator idIt;
            std::string_view idKey;
            od::value idValue;
            if (!objectOf(fv, "$dbPointer.$id", idIt)) return false;
            if (!hasMore(idIt)) return badValue("$dbPointer.$id must be {\"$oid\": ...}");
            if (!readField(idIt, idKey, idValue)) return false;
            if (idKey != "$oid") return badValue("$dbPointer.$id must be {\"$oid\": ...}");
            if (!oidBytes(idValue, "$dbPointer.$id.$oid", id)) return false;
            if (!expectEnd(idIt, "$dbPointer.$id")) return false;
            haveId = true;
        } else {
            return badValue("unexpected or repeated field " + quoted(k) + " in $dbPointer");
        }
        ++it;
    }
    if (!haveRef || !haveId) return badValue("$dbPointer needs \"$ref\" and \"$id\"");
    _out.elementHeader(kBsonDbPointer, key);
    _out.stringBody(ref);
    _out.put(id, sizeof(id));
    return true;
}

}  // namespace mongosd::json
