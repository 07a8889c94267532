// MongoDB's text for index bounds in explain (its BSONElement::toString forms).
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/json/ejson.h"
#include "query/index_bounds.h"

namespace mongosd::query {
namespace {

std::string formatDouble(double d) {
    if (std::isnan(d)) return "nan.0";
    if (std::isinf(d)) return d > 0 ? "inf.0" : "-inf.0";
    char buf[40];
    if (d == std::trunc(d) && std::fabs(d) < 1e15) {
        std::snprintf(buf, sizeof buf, "%.1f", d);
        return buf;
    }
    // The shortest form that reads back as the same double.
    auto end = std::to_chars(buf, buf + sizeof buf, d).ptr;
    return std::string(buf, end);
}

std::string formatChildren(const bson_iter_t& container, bool withNames) {
    bson_iter_t child;
    if (!bson_iter_recurse(&container, &child)) return withNames ? "{}" : "[]";
    std::string out;
    while (bson_iter_next(&child)) {
        out += out.empty() ? " " : ", ";
        if (withNames) out += std::string(iterKey(child)) + ": ";
        out += explainValue(child);
    }
    if (out.empty()) return withNames ? "{}" : "[]";
    return (withNames ? "{" : "[") + out + (withNames ? " }" : " ]");
}

std::string hex(const uint8_t* bytes, size_t n) {
    static const char kDigits[] = "0123456789ABCDEF";
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += kDigits[bytes[i] >> 4];
        out += kDigits[bytes[i] & 0xF];
    }
    return out;
}

std::string formatOther(const bson_iter_t& v) {
    BsonBuilder b;
    b.appendIter("v", v);
    std::string json = json::toJson(b.obj());
    // {"v": <value>} -> <value>
    const std::string head = "{\"v\": ";
    if (json.size() > head.size() + 1 && json.compare(0, head.size(), head) == 0) {
        return json.substr(head.size(), json.size() - head.size() - 1);
    }
    return json;
}

}  // namespace

std::string explainValue(const bson_iter_t& v) {
    switch (bson_iter_type(&v)) {
        case BSON_TYPE_INT32:
            return std::to_string(bson_iter_int32(&v));
        case BSON_TYPE_INT64:
            return std::to_string(bson_iter_int64(&v));
        case BSON_TYPE_DOUBLE:
            return formatDouble(bson_iter_double(&v));
        case BSON_TYPE_DECIMAL128: {
            bson_decimal128_t d;
            bson_iter_decimal128(&v, &d);
            char buf[BSON_DECIMAL128_STRING];
            bson_decimal128_to_string(&d, buf);
            return std::string("NumberDecimal(\"") + buf + "\")";
        }
        case BSON_TYPE_UTF8:
        case BSON_TYPE_SYMBOL: {
            uint32_t len = 0;
            const char* s =
                BSON_ITER_HOLDS_UTF8(&v) ? bson_iter_utf8(&v, &len) : bson_iter_symbol(&v, &len);
            return "\"" + std::string(s, len) + "\"";
        }
        case BSON_TYPE_NULL:
            return "null";
        case BSON_TYPE_UNDEFINED:
            return "undefined";
        case BSON_TYPE_MINKEY:
            return "MinKey";
        case BSON_TYPE_MAXKEY:
            return "MaxKey";
        case BSON_TYPE_BOOL:
            return bson_iter_bool(&v) ? "true" : "false";
        case BSON_TYPE_DATE_TIME:
            return "new Date(" + std::to_string(bson_iter_date_time(&v)) + ")";
        case BSON_TYPE_OID:
            return "ObjectId('" + hex(bson_iter_oid(&v)->bytes, 12) + "')";
        case BSON_TYPE_TIMESTAMP: {
            uint32_t t = 0, i = 0;
            bson_iter_timestamp(&v, &t, &i);
            return "Timestamp(" + std::to_string(t) + ", " + std::to_string(i) + ")";
        }
        case BSON_TYPE_REGEX: {
            const char* options = nullptr;
            const char* pattern = bson_iter_regex(&v, &options);
            return "/" + std::string(pattern) + "/" + (options ? options : "");
        }
        case BSON_TYPE_DOCUMENT:
            return formatChildren(v, true);
        case BSON_TYPE_ARRAY:
            return formatChildren(v, false);
        case BSON_TYPE_BINARY: {
            bson_subtype_t subtype;
            uint32_t len = 0;
            const uint8_t* data = nullptr;
            bson_iter_binary(&v, &subtype, &len, &data);
            return "BinData(" + std::to_string(static_cast<int>(subtype)) + ", " + hex(data, len) +
                   ")";
        }
        default:
            return formatOther(v);
    }
}

std::string explainInterval(const Interval& interval, bool forward) {
    const BoundValue& first = forward ? interval.low : interval.high;
    const BoundValue& second = forward ? interval.high : interval.low;
    bool firstInclusive = forward ? interval.lowInclusive : interval.highInclusive;
    bool secondInclusive = forward ? interval.highInclusive : interval.lowInclusive;
    return std::string(firstInclusive ? "[" : "(") + explainValue(first.value()) + ", " +
           explainValue(second.value()) + (secondInclusive ? "]" : ")");
}

}  // namespace mongosd::query
