#include "common/key_string.h"

#include <cstring>

#include "common/bson_compare.h"
#include "common/invariant.h"
#include "common/key_string_format.h"
#include "common/key_string_number.h"

namespace mongosd::keystring {
namespace {

using namespace detail;

void appendValueTo(std::string& out, const bson_iter_t& it, int depth);

void appendByte(std::string& out, uint8_t b) { out.push_back(static_cast<char>(b)); }

void appendBigEndian(std::string& out, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) appendByte(out, static_cast<uint8_t>(v >> (8 * i)));
}

// Bytes with each NUL written as 0x00 0xFF, then 0x00 0x00: "a" < "a\0" < "a\1" < "ab" holds
// bytewise, and the terminator cannot occur inside, so the encoding is prefix-free.
void appendEscapedString(std::string& out, const char* s, size_t len) {
    while (len > 0) {
        const void* nul = std::memchr(s, 0, len);
        size_t run = nul ? static_cast<size_t>(static_cast<const char*>(nul) - s) : len;
        out.append(s, run);
        if (!nul) break;
        appendByte(out, kEnd);
        appendByte(out, kStringEscape);
        s += run + 1;
        len -= run + 1;
    }
    appendByte(out, kEnd);
    appendByte(out, kEnd);
}

// A BSON cstring (field name, regex part) cannot contain NUL: bytes then one 0x00.
void appendCString(std::string& out, const char* s, size_t len) {
    out.append(s, len);
    appendByte(out, kEnd);
}

// Elements as (rank byte, field name, value), then kEnd.
void appendObjectBody(std::string& out, bson_iter_t* child, int depth) {
    while (bson_iter_next(child)) {
        appendByte(
            out, static_cast<uint8_t>(canonicalTypeRank(bson_iter_type(child)) + kFieldRankOffset));
        appendCString(out, bson_iter_key(child), bson_iter_key_len(child));
        appendValueTo(out, *child, depth);
    }
    invariantMsg(child->err_off == 0, "KeyString: malformed nested BSON");
    appendByte(out, kEnd);
}

void appendNested(std::string& out, const bson_iter_t& it, int depth, bool isArray) {
    invariantMsg(depth < kMaxNestingDepth, "KeyString: nesting deeper than 100");
    bson_iter_t child;
    invariantMsg(bson_iter_recurse(&it, &child), "KeyString: malformed nested BSON");
    appendByte(out, isArray ? kArray : kObject);
    if (!isArray) return appendObjectBody(out, &child, depth + 1);
    while (bson_iter_next(&child)) appendValueTo(out, child, depth + 1);
    invariantMsg(child.err_off == 0, "KeyString: malformed nested BSON");
    appendByte(out, kEnd);
}

// Length (MongoDB counts the old subtype 2's inner length word as data), subtype, bytes.
void appendBinData(std::string& out, const bson_iter_t& it) {
    bson_subtype_t subtype;
    uint32_t len = 0;
    const uint8_t* data = nullptr;
    bson_iter_binary(&it, &subtype, &len, &data);
    bool deprecated = subtype == BSON_SUBTYPE_BINARY_DEPRECATED;
    appendBigEndian(out, deprecated ? len + 4 : len, 4);
    appendByte(out, static_cast<uint8_t>(subtype));
    if (deprecated) {
        for (int i = 0; i < 4; ++i) appendByte(out, static_cast<uint8_t>(len >> (8 * i)));
    }
    out.append(reinterpret_cast<const char*>(data), len);
}

void appendCodeWithScope(std::string& out, const bson_iter_t& it, int depth) {
    invariantMsg(depth < kMaxNestingDepth, "KeyString: nesting deeper than 100");
    uint32_t codeLen = 0, scopeLen = 0;
    const uint8_t* scope = nullptr;
    const char* code = bson_iter_codewscope(&it, &codeLen, &scopeLen, &scope);
    appendEscapedString(out, code, codeLen);
    bson_iter_t child;
    invariantMsg(bson_iter_init_from_data(&child, scope, scopeLen), "KeyString: malformed scope");
    appendObjectBody(out, &child, depth + 1);
}

void appendNumber(std::string& out, const bson_iter_t& it) {
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_INT32:
            return appendNumberKey(out, numberKeyFromInt64(bson_iter_int32(&it)));
        case BSON_TYPE_INT64:
            return appendNumberKey(out, numberKeyFromInt64(bson_iter_int64(&it)));
        case BSON_TYPE_DOUBLE:
            return appendNumberKey(out, numberKeyFromDouble(bson_iter_double(&it)));
        default: {
            bson_decimal128_t d;
            bson_iter_decimal128(&it, &d);
            return appendNumberKey(out, numberKeyFromDecimal(d));
        }
    }
}

void appendValueTo(std::string& out, const bson_iter_t& it, int depth) {
    uint32_t len = 0;
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_MINKEY:
            return appendByte(out, kMinKey);
        case BSON_TYPE_MAXKEY:
            return appendByte(out, kMaxKey);
        case BSON_TYPE_UNDEFINED:
            return appendByte(out, kUndefined);
        case BSON_TYPE_NULL:
            return appendByte(out, kNull);
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_DECIMAL128:
            return appendNumber(out, it);
        case BSON_TYPE_UTF8: {
            const char* s = bson_iter_utf8(&it, &len);
            appendByte(out, kString);
            return appendEscapedString(out, s, len);
        }
        case BSON_TYPE_SYMBOL: {
            const char* s = bson_iter_symbol(&it, &len);
            appendByte(out, kString);
            return appendEscapedString(out, s, len);
        }
        case BSON_TYPE_DOCUMENT:
            return appendNested(out, it, depth, false);
        case BSON_TYPE_ARRAY:
            return appendNested(out, it, depth, true);
        case BSON_TYPE_BINARY:
            appendByte(out, kBinData);
            return appendBinData(out, it);
        case BSON_TYPE_OID:
            appendByte(out, kObjectId);
            out.append(reinterpret_cast<const char*>(bson_iter_oid(&it)->bytes), 12);
            return;
        case BSON_TYPE_BOOL:
            return appendByte(out, bson_iter_bool(&it) ? kTrue : kFalse);
        case BSON_TYPE_DATE_TIME:
            appendByte(out, kDate);
            // Flipping the sign bit makes signed order unsigned.
            return appendBigEndian(
                out, static_cast<uint64_t>(bson_iter_date_time(&it)) ^ (uint64_t{1} << 63), 8);
        case BSON_TYPE_TIMESTAMP: {
            uint32_t t = 0, i = 0;
            bson_iter_timestamp(&it, &t, &i);
            appendByte(out, kTimestamp);
            return appendBigEndian(out, (uint64_t{t} << 32) | i, 8);
        }
        case BSON_TYPE_REGEX: {
            const char* options = nullptr;
            const char* pattern = bson_iter_regex(&it, &options);
            appendByte(out, kRegex);
            appendCString(out, pattern, std::strlen(pattern));
            return appendCString(out, options, std::strlen(options));
        }
        case BSON_TYPE_DBPOINTER: {
            const char* ns = nullptr;
            const bson_oid_t* oid = nullptr;
            bson_iter_dbpointer(&it, &len, &ns, &oid);
            appendByte(out, kDbPointer);
            appendBigEndian(out, len, 4);
            out.append(ns, len);
            out.append(reinterpret_cast<const char*>(oid->bytes), 12);
            return;
        }
        case BSON_TYPE_CODE: {
            const char* code = bson_iter_code(&it, &len);
            appendByte(out, kCode);
            return appendEscapedString(out, code, len);
        }
        case BSON_TYPE_CODEWSCOPE:
            appendByte(out, kCodeWithScope);
            return appendCodeWithScope(out, it, depth);
        case BSON_TYPE_EOD:
            break;
    }
    invariantMsg(false, "KeyString: unknown BSON type");
}

}  // namespace

void Builder::appendValue(const bson_iter_t& value, Direction dir) {
    size_t start = _buf.size();
    appendValueTo(_buf, value, 0);
    if (dir == Direction::kDescending) invertFrom(start);
}

void Builder::appendMinKey(Direction dir) {
    appendByte(_buf, kMinKey);
    if (dir == Direction::kDescending) invertFrom(_buf.size() - 1);
}

void Builder::appendMaxKey(Direction dir) {
    appendByte(_buf, kMaxKey);
    if (dir == Direction::kDescending) invertFrom(_buf.size() - 1);
}

std::string Builder::release() {
    std::string out = std::move(_buf);
    _buf.clear();
    return out;
}

void Builder::invertFrom(size_t start) {
    for (size_t i = start; i < _buf.size(); ++i) _buf[i] = static_cast<char>(~_buf[i]);
}

std::string encodeValue(const bson_iter_t& value) {
    Builder b;
    b.appendValue(value);
    return b.release();
}

std::string encodeDocumentValues(BsonView doc, const std::vector<Direction>& dirs) {
    Builder b;
    bson_iter_t it;
    invariantMsg(doc.iterInit(&it), "KeyString: malformed BSON");
    for (size_t i = 0; bson_iter_next(&it); ++i) {
        b.appendValue(it, i < dirs.size() ? dirs[i] : Direction::kAscending);
    }
    return b.release();
}

}  // namespace mongosd::keystring
