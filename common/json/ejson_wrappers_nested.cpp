// JsonToBson for the Extended JSON wrappers whose value is an object or that take two keys:
// $binary (and its legacy form with $type), $regularExpression, $timestamp, $code with $scope and
// $dbPointer. Fields of the nested objects may come in any order; each must appear exactly once.
#include <algorithm>

#include "common/json/json_to_bson.h"
#include "common/json/text_codecs.h"

namespace mongosd::json {
namespace {

// Regex options: each from "imsxlu", stored sorted without repeats (so equal regexes have
// equal bytes). False when an option is not allowed.
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

}  // namespace

bool JsonToBson::binaryBody(std::string_view b64, std::string_view subType, std::string_view what,
                            std::string_view key) {
    int hi = subType.size() == 2 ? hexDigitValue(subType[0]) : 0;
    int lo = subType.empty() ? -1 : hexDigitValue(subType.back());
    if (subType.size() > 2 || hi < 0 || lo < 0)
        return badValue(std::string(what) + " subType must be one or two hex digits, got " +
                        quoted(subType));
    auto type = static_cast<uint8_t>(hi << 4 | lo);
    ptrdiff_t size = base64DecodedSize(b64);
    if (size < 0 || static_cast<size_t>(size) > _maxSize)
        return badValue(std::string(what) + " base64 payload is not valid padded base64");
    bool old =
        type == BSON_SUBTYPE_BINARY_DEPRECATED;  // subtype 2 repeats the length inside the payload
    _out.elementHeader(BSON_TYPE_BINARY, key);
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
    _out.elementHeader(BSON_TYPE_REGEX, key);
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
    _out.elementHeader(BSON_TYPE_TIMESTAMP, key);
    _out.putLE(uint64_t{t} << 32 | i);
    return true;
}

bool JsonToBson::code(od::value v, od::object_iterator& outer, std::string_view key, size_t depth) {
    std::string_view s;
    if (!stringOf(v, "$code", s)) return false;
    ++outer;
    if (!hasMore(outer)) {
        _out.elementHeader(BSON_TYPE_CODE, key);
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
    _out.elementHeader(BSON_TYPE_CODEWSCOPE, key);
    size_t at = _out.beginDocument();  // total length of code_w_s
    _out.stringBody(s);
    if (!documentBody(it, hasFirst, firstKey, firstValue, depth + 1)) return false;
    _out.patchInt32(at, static_cast<int32_t>(_out.size() - at));
    return expectEnd(outer, "$code");
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
    _out.elementHeader(BSON_TYPE_DBPOINTER, key);
    _out.stringBody(ref);
    _out.put(id, sizeof(id));
    return true;
}

}  // namespace mongosd::json
