// BSON -> Extended JSON v2 (Relaxed or Canonical). Compact output, no spaces.
//
// The tree walk is iterative (an explicit stack of bson_iter_t frames), so no input depth can
// overflow the C++ stack. Scalars are formatted straight into the output string.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

#include "common/json/ejson.h"
#include "common/json/iso_date.h"
#include "common/json/text_codecs.h"

namespace mongosd::json {
namespace {

struct Frame {
    bson_iter_t it;
    bool isArray;
    bool first;
    std::string_view closer;  // "}" or "]", or "}}" for a $scope inside {"$code":...}
};

// Reused by each thread so a write allocates nothing once warm. The writer never calls out,
// so it is never re-entered.
std::vector<Frame>& threadStack() {
    thread_local std::vector<Frame> stack;
    stack.clear();
    return stack;
}

inline void put(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }

constexpr char kHex[] = "0123456789abcdef";

void appendEscaped(char c, std::string& out) {
    switch (c) {
        case '"':
            put(out, "\\\"");
            return;
        case '\\':
            put(out, "\\\\");
            return;
        case '\b':
            put(out, "\\b");
            return;
        case '\f':
            put(out, "\\f");
            return;
        case '\n':
            put(out, "\\n");
            return;
        case '\r':
            put(out, "\\r");
            return;
        case '\t':
            put(out, "\\t");
            return;
        default: {
            auto u = static_cast<unsigned char>(c);
            char esc[6] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 0xF]};
            out.append(esc, sizeof(esc));
        }
    }
}

inline bool needsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// The offset of the first byte in p[0..16) that needs escaping, or 16.
inline int firstEscape16(const char* p) {
#if defined(__SSE2__)
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i ctrl = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
    const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    const __m128i slash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    int mask = _mm_movemask_epi8(_mm_or_si128(ctrl, _mm_or_si128(quote, slash)));
    return mask ? __builtin_ctz(static_cast<unsigned>(mask)) : 16;
#else
    for (int i = 0; i < 16; ++i)
        if (needsEscape(static_cast<unsigned char>(p[i]))) return i;
    return 16;
#endif
}

// A JSON string literal: quotes, backslashes and control characters escaped; other bytes
// (UTF-8) copied as they are. Runs without escapes are found 16 bytes at a time.
void appendQuoted(std::string_view s, std::string& out) {
    out.reserve(out.size() + s.size() + 2);
    out.push_back('"');
    const char* p = s.data();
    const char* end = p + s.size();
    const char* run = p;
    while (p < end) {
        if (end - p >= 16) {
            int at = firstEscape16(p);
            p += at;
            if (at == 16) continue;
        } else {
            while (p < end && !needsEscape(static_cast<unsigned char>(*p))) ++p;
            if (p == end) break;
        }
        out.append(run, static_cast<size_t>(p - run));
        appendEscaped(*p, out);
        run = ++p;
    }
    out.append(run, static_cast<size_t>(end - run));
    out.push_back('"');
}

template <typename Int>
void appendInt(Int v, std::string& out) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, static_cast<size_t>(end - buf));
}

template <typename Int>
void appendQuotedInt(std::string_view wrapper, Int v, std::string& out) {
    put(out, wrapper);  // e.g. {"$numberLong":"
    appendInt(v, out);
    put(out, "\"}");
}

// Shortest round-trip digits; integral values get ".0" so they read back as doubles.
void appendFiniteDouble(double d, std::string& out) {
    char buf[40];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf) - 2, d);
    auto n = static_cast<size_t>(end - buf);
    if (!std::memchr(buf, '.', n) && !std::memchr(buf, 'e', n)) {
        buf[n++] = '.';
        buf[n++] = '0';
    }
    out.append(buf, n);
}

void appendDouble(double d, JsonMode mode, std::string& out) {
    if (std::isfinite(d) && mode == JsonMode::kRelaxed) return appendFiniteDouble(d, out);
    put(out, R"({"$numberDouble":")");
    if (std::isnan(d))
        put(out, "NaN");
    else if (std::isinf(d))
        put(out, d > 0 ? "Infinity" : "-Infinity");
    else
        appendFiniteDouble(d, out);
    put(out, "\"}");
}

void appendDate(int64_t ms, JsonMode mode, std::string& out) {
    if (mode == JsonMode::kRelaxed && ms >= kMinIsoDateMs && ms <= kMaxIsoDateMs) {
        put(out, R"({"$date":")");
        appendIsoDate(ms, out);
        put(out, "\"}");
        return;
    }
    put(out, R"({"$date":{"$numberLong":")");
    appendInt(ms, out);
    put(out, "\"}}");
}

void appendOid(const bson_oid_t& oid, std::string& out) {
    put(out, R"({"$oid":")");
    appendHex(oid.bytes, sizeof(oid.bytes), out);
    put(out, "\"}");
}

void appendBinary(const bson_iter_t& it, std::string& out) {
    bson_subtype_t subtype;
    uint32_t len = 0;
    const uint8_t* data = nullptr;
    bson_iter_binary(&it, &subtype, &len, &data);
    put(out, R"({"$binary":{"base64":")");
    appendBase64(data, len, out);
    put(out, R"(","subType":")");
    auto st = static_cast<uint8_t>(subtype);
    appendHex(&st, 1, out);
    put(out, "\"}}");
}

void appendRegex(const bson_iter_t& it, std::string& out) {
    const char* options = nullptr;
    const char* pattern = bson_iter_regex(&it, &options);
    std::string sorted(options);
    std::sort(sorted.begin(), sorted.end());
    put(out, R"({"$regularExpression":{"pattern":)");
    appendQuoted(pattern, out);
    put(out, R"(,"options":)");
    appendQuoted(sorted, out);
    put(out, "}}");
}

void appendDecimal(const bson_iter_t& it, std::string& out) {
    bson_decimal128_t dec;
    bson_iter_decimal128(&it, &dec);
    char buf[BSON_DECIMAL128_STRING];
    bson_decimal128_to_string(&dec, buf);
    put(out, R"({"$numberDecimal":")");
    put(out, buf);
    put(out, "\"}");
}

void appendDbPointer(const bson_iter_t& it, std::string& out) {
    uint32_t len = 0;
    const char* collection = nullptr;
    const bson_oid_t* oid = nullptr;
    bson_iter_dbpointer(&it, &len, &collection, &oid);
    put(out, R"({"$dbPointer":{"$ref":)");
    appendQuoted(std::string_view(collection, len), out);
    put(out, R"(,"$id":)");
    appendOid(*oid, out);
    put(out, "}}");
}

void appendTimestamp(const bson_iter_t& it, std::string& out) {
    uint32_t t = 0, i = 0;
    bson_iter_timestamp(&it, &t, &i);
    put(out, R"({"$timestamp":{"t":)");
    appendInt(t, out);
    put(out, R"(,"i":)");
    appendInt(i, out);
    put(out, "}}");
}

void appendStringWrapper(std::string_view wrapper, std::string_view s, std::string& out) {
    put(out, wrapper);
    appendQuoted(s, out);
    out.push_back('}');
}

// Every type except document, array and code-with-scope (those open a frame).
void appendScalar(const bson_iter_t& it, JsonMode mode, std::string& out) {
    uint32_t len = 0;
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_DOUBLE:
            return appendDouble(bson_iter_double(&it), mode, out);
        case BSON_TYPE_UTF8: {
            const char* s = bson_iter_utf8(&it, &len);
            return appendQuoted(std::string_view(s, len), out);
        }
        case BSON_TYPE_INT32:
            if (mode == JsonMode::kRelaxed) return appendInt(bson_iter_int32(&it), out);
            return appendQuotedInt(R"({"$numberInt":")", bson_iter_int32(&it), out);
        case BSON_TYPE_INT64:
            if (mode == JsonMode::kRelaxed) return appendInt(bson_iter_int64(&it), out);
            return appendQuotedInt(R"({"$numberLong":")", bson_iter_int64(&it), out);
        case BSON_TYPE_BOOL:
            return put(out, bson_iter_bool(&it) ? "true" : "false");
        case BSON_TYPE_NULL:
            return put(out, "null");
        case BSON_TYPE_OID:
            return appendOid(*bson_iter_oid(&it), out);
        case BSON_TYPE_DATE_TIME:
            return appendDate(bson_iter_date_time(&it), mode, out);
        case BSON_TYPE_BINARY:
            return appendBinary(it, out);
        case BSON_TYPE_DECIMAL128:
            return appendDecimal(it, out);
        case BSON_TYPE_REGEX:
            return appendRegex(it, out);
        case BSON_TYPE_TIMESTAMP:
            return appendTimestamp(it, out);
        case BSON_TYPE_MINKEY:
            return put(out, R"({"$minKey":1})");
        case BSON_TYPE_MAXKEY:
            return put(out, R"({"$maxKey":1})");
        case BSON_TYPE_UNDEFINED:
            return put(out, R"({"$undefined":true})");
        case BSON_TYPE_DBPOINTER:
            return appendDbPointer(it, out);
        case BSON_TYPE_CODE: {
            const char* s = bson_iter_code(&it, &len);
            return appendStringWrapper(R"({"$code":)", std::string_view(s, len), out);
        }
        case BSON_TYPE_SYMBOL: {
            const char* s = bson_iter_symbol(&it, &len);
            return appendStringWrapper(R"({"$symbol":)", std::string_view(s, len), out);
        }
        default:
            // bson_iter_next() stops at unknown type bytes, so only containers reach here and
            // the tree walk never passes those in.
            invariantMsg(false, "appendScalar: container or unknown BSON type");
    }
}

// Writes the opening of a document, array or code-with-scope and pushes its frame.
void openContainer(const bson_iter_t& it, std::vector<Frame>& stack, std::string& out) {
    Frame child{};
    child.first = true;
    const uint8_t* data = nullptr;
    uint32_t len = 0;
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_DOCUMENT:
            bson_iter_document(&it, &len, &data);
            out.push_back('{');
            child.closer = "}";
            break;
        case BSON_TYPE_ARRAY:
            bson_iter_array(&it, &len, &data);
            out.push_back('[');
            child.isArray = true;
            child.closer = "]";
            break;
        default: {  // BSON_TYPE_CODEWSCOPE
            uint32_t codeLen = 0;
            const char* code = bson_iter_codewscope(&it, &codeLen, &len, &data);
            appendStringWrapper(R"({"$code":)", std::string_view(code, codeLen), out);
            out.back() = ',';  // reopen the wrapper for "$scope"
            put(out, R"("$scope":{)");
            child.closer = "}}";
            break;
        }
    }
    if (bson_iter_init_from_data(&child.it, data, len))
        stack.push_back(child);
    else
        put(out, child.closer);
}

bool isContainer(bson_type_t t) {
    return t == BSON_TYPE_DOCUMENT || t == BSON_TYPE_ARRAY || t == BSON_TYPE_CODEWSCOPE;
}

// Drains the stack: writes every element of every open frame, closing frames as they end.
void writeTree(std::vector<Frame>& stack, JsonMode mode, std::string& out) {
    while (!stack.empty()) {
        Frame& f = stack.back();
        if (!bson_iter_next(&f.it)) {
            put(out, f.closer);
            stack.pop_back();
            continue;
        }
        if (!f.first) out.push_back(',');
        f.first = false;
        if (!f.isArray) {
            appendQuoted(std::string_view(bson_iter_key(&f.it), bson_iter_key_len(&f.it)), out);
            out.push_back(':');
        }
        if (isContainer(bson_iter_type(&f.it)))
            openContainer(f.it, stack, out);  // may reallocate the stack: f is dead after this
        else
            appendScalar(f.it, mode, out);
    }
}

void writeRoot(BsonView doc, bool isArray, JsonMode mode, std::string& out) {
    std::vector<Frame>& stack = threadStack();
    Frame root{};
    root.isArray = isArray;
    root.first = true;
    root.closer = isArray ? "]" : "}";
    out.reserve(out.size() + doc.size() + doc.size() / 4 + 16);
    out.push_back(isArray ? '[' : '{');
    if (!doc.iterInit(&root.it)) return put(out, root.closer);
    stack.push_back(root);
    writeTree(stack, mode, out);
}

}  // namespace

void appendJson(BsonView doc, JsonMode mode, std::string& out) { writeRoot(doc, false, mode, out); }

void appendJsonArray(BsonView arr, JsonMode mode, std::string& out) {
    writeRoot(arr, true, mode, out);
}

void appendJsonElement(const bson_iter_t& it, JsonMode mode, std::string& out) {
    if (!isContainer(bson_iter_type(&it))) return appendScalar(it, mode, out);
    std::vector<Frame>& stack = threadStack();
    openContainer(it, stack, out);
    writeTree(stack, mode, out);
}

std::string toJson(BsonView doc, JsonMode mode) {
    std::string out;
    appendJson(doc, mode, out);
    return out;
}

}  // namespace mongosd::json
