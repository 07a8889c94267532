#include "shell/shell_format.h"

#include <bson/bson.h>

#include <cmath>
#include <cstdio>

#include "common/json/iso_date.h"

namespace mongosd::shell {
namespace {

constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kCyan = "\x1b[36m";
constexpr const char* kReset = "\x1b[0m";

bool isIdentifier(std::string_view s) {
    if (s.empty()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

std::string quoted(std::string_view s, char quote) {
    std::string out(1, quote);
    for (char c : s) {
        if (c == quote || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            out += c;
        }
    }
    out += quote;
    return out;
}

std::string number(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", d);
    // The shortest form that reads back the same, as JavaScript prints numbers.
    for (int precision = 1; precision <= 17; ++precision) {
        char shorter[32];
        std::snprintf(shorter, sizeof(shorter), "%.*g", precision, d);
        if (std::strtod(shorter, nullptr) == d) return shorter;
    }
    return buf;
}

class Formatter {
public:
    explicit Formatter(const FormatOptions& o) : _o(o) {}

    std::string container(const bson_iter_t& start, bool isArray, size_t indent) {
        std::vector<std::pair<std::string, std::string>> items;  // key, value text
        bson_iter_t it = start;
        while (bson_iter_next(&it)) {
            std::string_view key(bson_iter_key(&it), bson_iter_key_len(&it));
            std::string k =
                isArray ? "" : (isIdentifier(key) ? std::string(key) : quoted(key, '\''));
            items.emplace_back(std::move(k), value(it, indent + 2));
        }
        const char open = isArray ? '[' : '{';
        const char close = isArray ? ']' : '}';
        if (items.empty()) return std::string(1, open) + close;
        std::string inline_(1, open);
        for (size_t i = 0; i < items.size(); ++i) {
            inline_ += i ? ", " : " ";
            if (!isArray) inline_ += items[i].first + ": ";
            inline_ += items[i].second;
        }
        inline_ += ' ';
        inline_ += close;
        if (visibleWidth(inline_) + indent <= _o.lineWidth &&
            inline_.find('\n') == std::string::npos)
            return inline_;
        std::string out(1, open);
        out += '\n';
        for (size_t i = 0; i < items.size(); ++i) {
            out += std::string(indent + 2, ' ');
            if (!isArray) out += items[i].first + ": ";
            out += items[i].second;
            if (i + 1 < items.size()) out += ',';
            out += '\n';
        }
        out += std::string(indent, ' ');
        out += close;
        return out;
    }

private:
    std::string paint(const char* color, const std::string& text) const {
        return _o.color ? std::string(color) + text + kReset : text;
    }
    static size_t visibleWidth(const std::string& s) {
        size_t n = 0;
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '\x1b') {
                while (i < s.size() && s[i] != 'm') ++i;
                continue;
            }
            if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
        }
        return n;
    }

public:
    std::string value(const bson_iter_t& it, size_t indent) {
        switch (bson_iter_type(&it)) {
            case BSON_TYPE_DOCUMENT:
            case BSON_TYPE_ARRAY: {
                bson_iter_t child;
                bson_iter_recurse(&it, &child);
                return container(child, BSON_ITER_HOLDS_ARRAY(&it), indent);
            }
            case BSON_TYPE_UTF8: {
                uint32_t len = 0;
                const char* s = bson_iter_utf8(&it, &len);
                return paint(kGreen, quoted(std::string_view(s, len), '\''));
            }
            case BSON_TYPE_INT32:
                return paint(kYellow, std::to_string(bson_iter_int32(&it)));
            case BSON_TYPE_INT64:
                return paint(kCyan, "Long(\"" + std::to_string(bson_iter_int64(&it)) + "\")");
            case BSON_TYPE_DOUBLE:
                return paint(kYellow, number(bson_iter_double(&it)));
            case BSON_TYPE_DECIMAL128: {
                bson_decimal128_t d;
                bson_iter_decimal128(&it, &d);
                char buf[BSON_DECIMAL128_STRING];
                bson_decimal128_to_string(&d, buf);
                return paint(kCyan, std::string("Decimal128(\"") + buf + "\")");
            }
            case BSON_TYPE_BOOL:
                return paint(kYellow, bson_iter_bool(&it) ? "true" : "false");
            case BSON_TYPE_NULL:
                return "null";
            case BSON_TYPE_UNDEFINED:
                return "undefined";
            case BSON_TYPE_OID: {
                char hex[25];
                bson_oid_to_string(bson_iter_oid(&it), hex);
                return paint(kCyan, std::string("ObjectId(\"") + hex + "\")");
            }
            case BSON_TYPE_DATE_TIME: {
                std::string iso;
                json::appendIsoDate(bson_iter_date_time(&it), iso);
                return paint(kCyan, "ISODate(\"" + iso + "\")");
            }
            case BSON_TYPE_REGEX: {
                const char* options = nullptr;
                const char* pattern = bson_iter_regex(&it, &options);
                return paint(kCyan, std::string("/") + pattern + "/" + (options ? options : ""));
            }
            case BSON_TYPE_TIMESTAMP: {
                uint32_t t = 0, i = 0;
                bson_iter_timestamp(&it, &t, &i);
                return paint(kCyan, "Timestamp({ t: " + std::to_string(t) +
                                        ", i: " + std::to_string(i) + " })");
            }
            case BSON_TYPE_MINKEY:
                return paint(kCyan, "MinKey()");
            case BSON_TYPE_MAXKEY:
                return paint(kCyan, "MaxKey()");
            case BSON_TYPE_BINARY: {
                bson_subtype_t subtype;
                uint32_t len = 0;
                const uint8_t* data = nullptr;
                bson_iter_binary(&it, &subtype, &len, &data);
                static constexpr char kB64[] =
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                std::string b64;
                for (uint32_t i = 0; i < len; i += 3) {
                    uint32_t n = uint32_t(data[i]) << 16;
                    if (i + 1 < len) n |= uint32_t(data[i + 1]) << 8;
                    if (i + 2 < len) n |= data[i + 2];
                    b64 += kB64[(n >> 18) & 63];
                    b64 += kB64[(n >> 12) & 63];
                    b64 += i + 1 < len ? kB64[(n >> 6) & 63] : '=';
                    b64 += i + 2 < len ? kB64[n & 63] : '=';
                }
                return paint(kCyan, "Binary.createFromBase64(\"" + b64 + "\", " +
                                        std::to_string(int(subtype)) + ")");
            }
            default: {
                // Code, symbol, dbPointer: their JSON form.
                bson_t one = BSON_INITIALIZER;
                bson_append_iter(&one, "v", 1, &it);
                char* json = bson_as_relaxed_extended_json(&one, nullptr);
                std::string out = json ? json : "?";
                bson_free(json);
                bson_destroy(&one);
                return out;
            }
        }
    }

private:
    const FormatOptions& _o;
};

}  // namespace

std::string formatDocument(BsonView doc, const FormatOptions& options) {
    bson_iter_t it;
    if (!doc.iterInit(&it)) return "{}";
    return Formatter(options).container(it, /*isArray=*/false, 0);
}

std::string formatArray(BsonView array, const FormatOptions& options) {
    bson_iter_t it;
    if (!array.iterInit(&it)) return "[]";
    return Formatter(options).container(it, /*isArray=*/true, 0);
}

std::string formatValue(const bson_iter_t& value, const FormatOptions& options) {
    return Formatter(options).value(value, 0);
}

}  // namespace mongosd::shell
