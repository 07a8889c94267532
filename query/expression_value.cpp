// Value, compareValue and Variables (query/expression.h).
#include <cmath>
#include <cstring>

#include "common/bson_compare.h"
#include "common/decimal128.h"
#include "common/json/ejson.h"
#include "query/expression.h"

namespace mongosd::query {
namespace {

template <typename Fill>
Value build(Fill fill) {
    BsonBuilder b;
    fill(b);
    return Value::fromHolder(b.obj());
}

double decimalToDouble(const bson_decimal128_t& d) {
    char buf[BSON_DECIMAL128_STRING];
    bson_decimal128_to_string(&d, buf);
    return std::strtod(buf, nullptr);
}

}  // namespace

Value Value::fromIter(const bson_iter_t& it) {
    return build([&](BsonBuilder& b) { b.appendIter("", it); });
}

Value Value::fromHolder(BsonObj holder) {
    Value v;
    v._holder = std::move(holder);
    return v;
}

Value Value::null() {
    return build([](BsonBuilder& b) { b.appendNull(""); });
}
Value Value::int32(int32_t v) {
    return build([&](BsonBuilder& b) { b.appendInt32("", v); });
}
Value Value::int64(int64_t v) {
    return build([&](BsonBuilder& b) { b.appendInt64("", v); });
}
Value Value::dbl(double v) {
    return build([&](BsonBuilder& b) { b.appendDouble("", v); });
}
Value Value::boolean(bool v) {
    return build([&](BsonBuilder& b) { b.appendBool("", v); });
}
Value Value::string(std::string_view v) {
    return build([&](BsonBuilder& b) { b.appendString("", v); });
}
Value Value::date(int64_t ms) {
    return build([&](BsonBuilder& b) { b.appendDateMs("", ms); });
}
Value Value::document(BsonView doc) {
    return build([&](BsonBuilder& b) { b.appendDocument("", doc); });
}

Value Value::array(const std::vector<Value>& elems) {
    return build([&](BsonBuilder& b) {
        b.appendArray("", [&](BsonBuilder& arr) {
            char buf[16];
            for (size_t i = 0; i < elems.size(); ++i) {
                std::string_view key = arrayIndexKey(static_cast<uint32_t>(i), buf);
                if (elems[i].missing())
                    arr.appendNull(key);
                else
                    elems[i].appendTo(arr, key);
            }
        });
    });
}

bson_iter_t Value::iter() const {
    invariant(!missing());
    bson_iter_t it;
    bool ok = _holder->view().iterInit(&it) && bson_iter_next(&it);
    invariant(ok);
    return it;
}

bson_type_t Value::type() const {
    if (missing()) return BSON_TYPE_EOD;
    bson_iter_t it = iter();
    return bson_iter_type(&it);
}

bool Value::nullish() const {
    bson_type_t t = type();
    return t == BSON_TYPE_EOD || t == BSON_TYPE_NULL || t == BSON_TYPE_UNDEFINED;
}

bool Value::isNumber() const {
    bson_type_t t = type();
    return t == BSON_TYPE_INT32 || t == BSON_TYPE_INT64 || t == BSON_TYPE_DOUBLE ||
           t == BSON_TYPE_DECIMAL128;
}

bool Value::truthy() const {
    if (nullish()) return false;
    bson_iter_t it = iter();
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_BOOL:
            return bson_iter_bool(&it);
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_DECIMAL128:
            return asDouble() != 0 || std::isnan(asDouble());
        default:
            return true;
    }
}

double Value::asDouble() const {
    bson_iter_t it = iter();
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_INT32:
            return bson_iter_int32(&it);
        case BSON_TYPE_INT64:
            return static_cast<double>(bson_iter_int64(&it));
        case BSON_TYPE_DOUBLE:
            return bson_iter_double(&it);
        case BSON_TYPE_DECIMAL128: {
            bson_decimal128_t d;
            bson_iter_decimal128(&it, &d);
            return decimalToDouble(d);
        }
        default:
            invariant(false);
            return 0;
    }
}

int64_t Value::asInt64() const {
    bson_iter_t it = iter();
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_INT32:
            return bson_iter_int32(&it);
        case BSON_TYPE_INT64:
            return bson_iter_int64(&it);
        default: {
            double d = asDouble();
            // Callers range-check first; clamp so an out-of-range double is never UB.
            if (!(d > -9.3e18)) return INT64_MIN;
            if (!(d < 9.3e18)) return INT64_MAX;
            return static_cast<int64_t>(d);
        }
    }
}

std::string_view Value::str() const {
    bson_iter_t it = iter();
    invariant(bson_iter_type(&it) == BSON_TYPE_UTF8);
    uint32_t len = 0;
    const char* s = bson_iter_utf8(&it, &len);
    return std::string_view(s, len);
}

BsonView Value::nested() const { return subDocument(iter()); }

std::vector<Value> Value::arrayElements() const {
    invariant(isArray());
    std::vector<Value> out;
    bson_iter_t it = iter(), child;
    if (bson_iter_recurse(&it, &child))
        while (bson_iter_next(&child)) out.push_back(fromIter(child));
    return out;
}

int64_t Value::dateMs() const {
    bson_iter_t it = iter();
    return bson_iter_date_time(&it);
}

void Value::appendTo(BsonBuilder& b, std::string_view key) const {
    if (!missing()) b.appendIter(key, iter());
}

std::string Value::toString() const {
    if (missing()) return "MISSING";
    std::string out;
    json::appendJsonElement(iter(), json::JsonMode::kRelaxed, out);
    return out;
}

int compareValue(const Value& a, const Value& b) {
    if (a.missing() || b.missing()) {
        int ra = a.missing() ? 0 : canonicalTypeRank(a.type());
        int rb = b.missing() ? 0 : canonicalTypeRank(b.type());
        return ra < rb ? -1 : (ra > rb ? 1 : 0);
    }
    return compareValues(a.iter(), b.iter());
}

Value Variables::lookup(std::string_view name) const {
    for (const Variables* s = this; s; s = s->parent) {
        for (auto it = s->bound.rbegin(); it != s->bound.rend(); ++it)
            if (it->first == name) return it->second;
    }
    if (name == "ROOT") return root;
    if (name == "CURRENT") return current;
    return Value();
}

}  // namespace mongosd::query
