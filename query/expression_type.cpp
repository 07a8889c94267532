// Type operators: $type, $isNumber, $convert and its shorthands ($toInt, $toLong, $toDouble,
// $toString, $toBool, $toDate, $toObjectId, $toDecimal).
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/json/iso_date.h"
#include "query/expression_internal.h"

namespace mongosd::query::expr {

std::string_view typeName(const Value& v) {
    switch (v.type()) {
        case BSON_TYPE_EOD:
            return "missing";
        case BSON_TYPE_DOUBLE:
            return "double";
        case BSON_TYPE_UTF8:
            return "string";
        case BSON_TYPE_DOCUMENT:
            return "object";
        case BSON_TYPE_ARRAY:
            return "array";
        case BSON_TYPE_BINARY:
            return "binData";
        case BSON_TYPE_UNDEFINED:
            return "undefined";
        case BSON_TYPE_OID:
            return "objectId";
        case BSON_TYPE_BOOL:
            return "bool";
        case BSON_TYPE_DATE_TIME:
            return "date";
        case BSON_TYPE_NULL:
            return "null";
        case BSON_TYPE_REGEX:
            return "regex";
        case BSON_TYPE_DBPOINTER:
            return "dbPointer";
        case BSON_TYPE_CODE:
            return "javascript";
        case BSON_TYPE_SYMBOL:
            return "symbol";
        case BSON_TYPE_CODEWSCOPE:
            return "javascriptWithScope";
        case BSON_TYPE_INT32:
            return "int";
        case BSON_TYPE_TIMESTAMP:
            return "timestamp";
        case BSON_TYPE_INT64:
            return "long";
        case BSON_TYPE_DECIMAL128:
            return "decimal";
        case BSON_TYPE_MINKEY:
            return "minKey";
        case BSON_TYPE_MAXKEY:
            return "maxKey";
    }
    return "unknown";
}

// The shortest decimal form that reads back as the same double ("1.5", "2", "1e+20").
std::string formatDouble(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    char buf[64];
    for (int prec = 15; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (std::strtod(buf, nullptr) == d) break;
    }
    return buf;
}

namespace {

enum class Target { kDouble, kString, kObjectId, kBool, kDate, kInt, kLong, kDecimal };

std::optional<Target> targetFrom(const Value& to) {
    static const std::pair<const char*, Target> names[] = {
        {"double", Target::kDouble}, {"string", Target::kString},  {"objectId", Target::kObjectId},
        {"bool", Target::kBool},     {"date", Target::kDate},      {"int", Target::kInt},
        {"long", Target::kLong},     {"decimal", Target::kDecimal}};
    static const std::pair<int, Target> codes[] = {
        {1, Target::kDouble}, {2, Target::kString}, {7, Target::kObjectId}, {8, Target::kBool},
        {9, Target::kDate},   {16, Target::kInt},   {18, Target::kLong},    {19, Target::kDecimal}};
    if (to.type() == BSON_TYPE_UTF8) {
        for (const auto& [n, t] : names)
            if (to.str() == n) return t;
    } else if (auto n = toIntegral(to)) {
        for (const auto& [c, t] : codes)
            if (*n == c) return t;
    }
    return std::nullopt;
}

Status conversionFailure(const Value& in, std::string_view to) {
    return Status(ErrorCodes::ConversionFailure, "Unsupported conversion from " +
                                                     std::string(typeName(in)) + " to " +
                                                     std::string(to) + " in $convert");
}

Status failedParse(std::string_view s, std::string_view to) {
    return Status(ErrorCodes::ConversionFailure, "Failed to parse " + std::string(to) +
                                                     " from string: \"" + std::string(s) + "\"");
}

StatusWith<Value> toIntegerType(const Value& in, bool wantLong) {
    const char* to = wantLong ? "long" : "int";
    int64_t lo = wantLong ? INT64_MIN : INT32_MIN, hi = wantLong ? INT64_MAX : INT32_MAX;
    auto make = [&](int64_t v) -> StatusWith<Value> {
        if (v < lo || v > hi)
            return Status(ErrorCodes::ConversionFailure, "Conversion would overflow target type");
        return wantLong ? Value::int64(v) : Value::int32(static_cast<int32_t>(v));
    };
    switch (in.type()) {
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
            return make(in.asInt64());
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_DECIMAL128: {
            double d = std::trunc(in.asDouble());
            if (std::isnan(d))
                return Status(ErrorCodes::ConversionFailure,
                              "Attempt to convert NaN value to integer");
            if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
                return Status(ErrorCodes::ConversionFailure,
                              "Conversion would overflow target type");
            return make(static_cast<int64_t>(d));
        }
        case BSON_TYPE_BOOL:
            return make(in.truthy() ? 1 : 0);
        case BSON_TYPE_DATE_TIME:
            if (wantLong) return make(in.dateMs());
            break;
        case BSON_TYPE_UTF8: {
            std::string_view s = in.str();
            int64_t v = 0;
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            if (s.empty() || ec != std::errc() || p != s.data() + s.size())
                return failedParse(s, to);
            return make(v);
        }
        default:
            break;
    }
    return conversionFailure(in, to);
}

StatusWith<Value> toDoubleType(const Value& in) {
    switch (in.type()) {
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_DECIMAL128:
            return Value::dbl(in.asDouble());
        case BSON_TYPE_BOOL:
            return Value::dbl(in.truthy() ? 1 : 0);
        case BSON_TYPE_DATE_TIME:
            return Value::dbl(static_cast<double>(in.dateMs()));
        case BSON_TYPE_UTF8: {
            std::string s(in.str());
            if (s.empty() || std::isspace(static_cast<unsigned char>(s[0])))
                return failedParse(s, "double");
            char* end = nullptr;
            errno = 0;
            double d = std::strtod(s.c_str(), &end);
            if (end != s.c_str() + s.size() || s.find_first_of("xX") != std::string::npos)
                return failedParse(s, "double");
            return Value::dbl(d);
        }
        default:
            return conversionFailure(in, "double");
    }
}

StatusWith<Value> toStringType(const Value& in) {
    bson_iter_t it = in.iter();
    switch (in.type()) {
        case BSON_TYPE_UTF8:
            return in;
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
            return Value::string(std::to_string(in.asInt64()));
        case BSON_TYPE_DOUBLE:
            return Value::string(formatDouble(in.asDouble()));
        case BSON_TYPE_DECIMAL128: {
            bson_decimal128_t d;
            bson_iter_decimal128(&it, &d);
            char buf[BSON_DECIMAL128_STRING];
            bson_decimal128_to_string(&d, buf);
            return Value::string(buf);
        }
        case BSON_TYPE_BOOL:
            return Value::string(in.truthy() ? "true" : "false");
        case BSON_TYPE_OID: {
            char buf[25];
            bson_oid_to_string(bson_iter_oid(&it), buf);
            return Value::string(buf);
        }
        case BSON_TYPE_DATE_TIME: {
            std::string out;
            json::appendIsoDate(in.dateMs(), out);
            return Value::string(out);
        }
        default:
            return conversionFailure(in, "string");
    }
}

StatusWith<Value> toDateType(const Value& in) {
    bson_iter_t it = in.iter();
    switch (in.type()) {
        case BSON_TYPE_DATE_TIME:
            return in;
        case BSON_TYPE_INT64:
            return Value::date(in.asInt64());
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_DECIMAL128: {
            double d = in.asDouble();
            if (!(d >= -9.2e18 && d <= 9.2e18))
                return Status(ErrorCodes::ConversionFailure,
                              "Conversion would overflow target type");
            return Value::date(static_cast<int64_t>(d));
        }
        case BSON_TYPE_OID:
            return Value::date(static_cast<int64_t>(bson_oid_get_time_t(bson_iter_oid(&it))) *
                               1000);
        case BSON_TYPE_TIMESTAMP: {
            uint32_t t, i;
            bson_iter_timestamp(&it, &t, &i);
            return Value::date(static_cast<int64_t>(t) * 1000);
        }
        case BSON_TYPE_UTF8: {
            auto ms = json::parseIsoDate(in.str());
            if (!ms) return failedParse(in.str(), "date");
            return Value::date(*ms);
        }
        default:
            return conversionFailure(in, "date");
    }
}

StatusWith<Value> convertTo(const Value& in, Target t) {
    switch (t) {
        case Target::kDouble:
            return toDoubleType(in);
        case Target::kInt:
            return toIntegerType(in, false);
        case Target::kLong:
            return toIntegerType(in, true);
        case Target::kString:
            return toStringType(in);
        case Target::kDate:
            return toDateType(in);
        case Target::kBool:
            return Value::boolean(in.truthy());
        case Target::kObjectId: {
            if (in.type() == BSON_TYPE_OID) return in;
            if (in.type() != BSON_TYPE_UTF8) return conversionFailure(in, "objectId");
            std::string s(in.str());
            if (s.size() != 24 || !bson_oid_is_valid(s.c_str(), s.size()))
                return failedParse(s, "objectId");
            bson_oid_t oid;
            bson_oid_init_from_string(&oid, s.c_str());
            BsonBuilder b;
            b.appendOid("", oid);
            return Value::fromHolder(b.obj());
        }
        case Target::kDecimal: {
            if (in.type() == BSON_TYPE_DECIMAL128) return in;
            std::string text;
            if (in.type() == BSON_TYPE_BOOL)
                text = in.truthy() ? "1" : "0";
            else if (in.type() == BSON_TYPE_UTF8)
                text = std::string(in.str());
            else if (in.isNumber())
                text = toStringType(in).getValue().str();
            else
                return conversionFailure(in, "decimal");
            bson_decimal128_t d;
            if (!bson_decimal128_from_string(text.c_str(), &d)) return failedParse(text, "decimal");
            BsonBuilder b;
            bson_append_decimal128(b.get(), "", 0, &d);
            return Value::fromHolder(b.obj());
        }
    }
    return badValue("unknown conversion target");
}

class ConvertExpr final : public Expression {
public:
    ConvertExpr(ExprPtr input, ExprPtr to, ExprPtr onError, ExprPtr onNull)
        : _input(std::move(input)),
          _to(std::move(to)),
          _onError(std::move(onError)),
          _onNull(std::move(onNull)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        auto in = _input->evaluate(vars);
        if (!in.isOK()) return in;
        auto to = _to->evaluate(vars);
        if (!to.isOK()) return to;
        if (to.getValue().nullish()) return Value::null();
        auto target = targetFrom(to.getValue());
        if (!target) return badValue("Unknown type name in $convert: " + to.getValue().toString());
        if (in.getValue().nullish()) return _onNull ? _onNull->evaluate(vars) : Value::null();
        auto r = convertTo(in.getValue(), *target);
        if (!r.isOK() && _onError && r.getStatus().code() == ErrorCodes::ConversionFailure)
            return _onError->evaluate(vars);
        return r;
    }

private:
    ExprPtr _input, _to, _onError, _onNull;
};

}  // namespace

void registerTypeOperators() {
    registerNary("$type", 1, 1, [](const std::vector<Value>& a) -> StatusWith<Value> {
        return Value::string(typeName(a[0]));
    });
    registerNary("$isNumber", 1, 1, [](const std::vector<Value>& a) -> StatusWith<Value> {
        return Value::boolean(a[0].isNumber());
    });
    registerOperator(
        "$convert", [](const bson_iter_t& arg, const ParseContext& ctx) -> StatusWith<ExprPtr> {
            std::vector<ExprPtr> p;
            MONGOSD_RETURN_IF_ERROR(parseNamedArgs(
                "$convert", arg, ctx, {"input", "to", "onError", "onNull"}, {"input", "to"}, p));
            return ExprPtr(std::make_unique<ConvertExpr>(std::move(p[0]), std::move(p[1]),
                                                         std::move(p[2]), std::move(p[3])));
        });
    static const std::pair<const char*, Target> shorthands[] = {
        {"$toDouble", Target::kDouble},     {"$toString", Target::kString},
        {"$toObjectId", Target::kObjectId}, {"$toBool", Target::kBool},
        {"$toDate", Target::kDate},         {"$toInt", Target::kInt},
        {"$toLong", Target::kLong},         {"$toDecimal", Target::kDecimal}};
    for (const auto& [name, target] : shorthands) {
        Target t = target;
        registerNary(name, 1, 1, [t](const std::vector<Value>& a) -> StatusWith<Value> {
            if (a[0].nullish()) return Value::null();
            return convertTo(a[0], t);
        });
    }
}

}  // namespace mongosd::query::expr
