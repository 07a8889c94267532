// Arithmetic operators with MongoDB's numeric promotion: int32 -> int64 (on overflow or when an
// int64 is involved) -> double. null/missing arguments give null. Decimal128 arithmetic is not
// implemented (NotImplemented).
#include <cmath>
#include <limits>

#include "query/expression_internal.h"

namespace mongosd::query::expr {
namespace {

enum class Kind { kInt32, kInt64, kDouble };

Kind kindOf(const Value& v) {
    switch (v.type()) {
        case BSON_TYPE_INT32:
            return Kind::kInt32;
        case BSON_TYPE_INT64:
            return Kind::kInt64;
        default:
            return Kind::kDouble;
    }
}

// An integer result in the narrowest type `k` allows.
Value integral(int64_t v, Kind k) {
    if (k == Kind::kInt32 && v >= INT32_MIN && v <= INT32_MAX)
        return Value::int32(static_cast<int32_t>(v));
    return Value::int64(v);
}

Status notDecimal(std::string_view op) {
    return Status(ErrorCodes::NotImplemented,
                  std::string(op) + " does not support decimal128 arguments yet");
}

// MongoDB's one-numeric-argument operators ($abs, $ceil, ...) share code 28765.
Status checkNumber(std::string_view op, const Value& v,
                   ErrorCodes::Error code = ErrorCodes::Location28765) {
    if (v.type() == BSON_TYPE_DECIMAL128) return notDecimal(op);
    if (!v.isNumber())
        return exprTypeError(code, std::string(op) + " only supports numeric types, not ", v);
    return Status::OK();
}

// $divide and $mod name both operand types: "$mod only supports numeric types, not string and
// int".
Status checkNumbers(std::string_view op, const std::vector<Value>& a, ErrorCodes::Error code) {
    if (a[0].type() == BSON_TYPE_DECIMAL128 || a[1].type() == BSON_TYPE_DECIMAL128)
        return notDecimal(op);
    if (a[0].isNumber() && a[1].isNumber()) return Status::OK();
    return exprError(code, std::string(op) + " only supports numeric types, not " +
                               std::string(typeName(a[0])) + " and " + std::string(typeName(a[1])));
}

// Folds $add / $multiply over numbers (dates for $add handled by the caller).
struct Accumulator {
    Kind kind = Kind::kInt32;
    int64_t i;
    double d;
    bool multiply;
    explicit Accumulator(bool mul) : i(mul ? 1 : 0), d(mul ? 1 : 0), multiply(mul) {}

    void add(const Value& v) {
        Kind k = kindOf(v);
        if (k == Kind::kDouble || kind == Kind::kDouble) {
            double x = v.asDouble();
            if (kind != Kind::kDouble) d = static_cast<double>(i);
            kind = Kind::kDouble;
            d = multiply ? d * x : d + x;
            return;
        }
        if (k == Kind::kInt64) kind = Kind::kInt64;
        int64_t x = v.asInt64(), r;
        bool overflow =
            multiply ? __builtin_mul_overflow(i, x, &r) : __builtin_add_overflow(i, x, &r);
        if (overflow) {
            kind = Kind::kDouble;
            d = multiply ? static_cast<double>(i) * static_cast<double>(x)
                         : static_cast<double>(i) + static_cast<double>(x);
            return;
        }
        i = r;
        if (kind == Kind::kInt32 && (i < INT32_MIN || i > INT32_MAX)) kind = Kind::kInt64;
    }
    Value result() const { return kind == Kind::kDouble ? Value::dbl(d) : integral(i, kind); }
};

int64_t roundToMs(double d) {
    if (!(d > -9.2e18 && d < 9.2e18)) return d < 0 ? INT64_MIN : INT64_MAX;
    return std::llround(d);
}

StatusWith<Value> add(const std::vector<Value>& a) {
    Accumulator acc(false);
    bool haveDate = false;
    for (const auto& v : a) {
        if (v.nullish()) return Value::null();
        if (v.type() == BSON_TYPE_DATE_TIME) {
            if (haveDate)
                return exprError(ErrorCodes::Location16612,
                                 "only one date allowed in an $add expression");
            haveDate = true;
            acc.add(Value::int64(v.dateMs()));
            continue;
        }
        if (v.type() == BSON_TYPE_DECIMAL128) return notDecimal("$add");
        if (!v.isNumber())
            return exprTypeError(ErrorCodes::Location16554,
                                 "$add only supports numeric or date types, not ", v);
        acc.add(v);
    }
    if (!haveDate) return acc.result();
    Value r = acc.result();
    return Value::date(r.type() == BSON_TYPE_DOUBLE ? roundToMs(r.asDouble()) : r.asInt64());
}

StatusWith<Value> multiply(const std::vector<Value>& a) {
    Accumulator acc(true);
    for (const auto& v : a) {
        if (v.nullish()) return Value::null();
        MONGOSD_RETURN_IF_ERROR(checkNumber("$multiply", v, ErrorCodes::Location16555));
        acc.add(v);
    }
    return acc.result();
}

StatusWith<Value> subtract(const std::vector<Value>& a) {
    if (a[0].nullish() || a[1].nullish()) return Value::null();
    bool d0 = a[0].type() == BSON_TYPE_DATE_TIME, d1 = a[1].type() == BSON_TYPE_DATE_TIME;
    if (d0 && d1) return Value::int64(a[0].dateMs() - a[1].dateMs());
    // MongoDB's messages, typos included ("cant", no space after "a").
    std::string rhsType(typeName(a[1]));
    if (a[0].type() == BSON_TYPE_DECIMAL128 || a[1].type() == BSON_TYPE_DECIMAL128)
        return notDecimal("$subtract");
    if (d0 && !a[1].isNumber())
        return exprError(ErrorCodes::Location16613, "cant $subtract a " + rhsType + " from a Date");
    if (!d0 && (d1 || !a[0].isNumber() || !a[1].isNumber()))
        return exprError(ErrorCodes::Location16556,
                         "cant $subtract a" + rhsType + " from a " + std::string(typeName(a[0])));
    if (d0) {
        int64_t delta =
            a[1].type() == BSON_TYPE_DOUBLE ? roundToMs(a[1].asDouble()) : a[1].asInt64();
        return Value::date(a[0].dateMs() - delta);
    }
    Kind k = std::max(kindOf(a[0]), kindOf(a[1]));
    if (k != Kind::kDouble) {
        int64_t r;
        if (!__builtin_sub_overflow(a[0].asInt64(), a[1].asInt64(), &r)) return integral(r, k);
    }
    return Value::dbl(a[0].asDouble() - a[1].asDouble());
}

StatusWith<Value> divide(const std::vector<Value>& a) {
    if (a[0].nullish() || a[1].nullish()) return Value::null();
    MONGOSD_RETURN_IF_ERROR(checkNumbers("$divide", a, ErrorCodes::Location16609));
    if (a[1].asDouble() == 0) return exprError(ErrorCodes::Location16608, "can't $divide by zero");
    return Value::dbl(a[0].asDouble() / a[1].asDouble());
}

StatusWith<Value> mod(const std::vector<Value>& a) {
    if (a[0].nullish() || a[1].nullish()) return Value::null();
    MONGOSD_RETURN_IF_ERROR(checkNumbers("$mod", a, ErrorCodes::Location16611));
    if (a[1].asDouble() == 0) return exprError(ErrorCodes::Location16610, "can't $mod by zero");
    Kind k = std::max(kindOf(a[0]), kindOf(a[1]));
    if (k == Kind::kDouble) return Value::dbl(std::fmod(a[0].asDouble(), a[1].asDouble()));
    int64_t x = a[0].asInt64(), y = a[1].asInt64();
    return integral(y == -1 ? 0 : x % y, k);
}

// A one-argument numeric function: ints map through `onInt` (nullopt: use the double path).
using IntFn = std::optional<Value> (*)(int64_t, Kind);
using DblFn = StatusWith<Value> (*)(double);

void registerUnary(const std::string& name, IntFn onInt, DblFn onDouble) {
    registerNary(name, 1, 1,
                 [name, onInt, onDouble](const std::vector<Value>& a) -> StatusWith<Value> {
                     if (a[0].nullish()) return Value::null();
                     MONGOSD_RETURN_IF_ERROR(checkNumber(name, a[0]));
                     Kind k = kindOf(a[0]);
                     if (k != Kind::kDouble && onInt) {
                         if (auto r = onInt(a[0].asInt64(), k)) return *r;
                     }
                     return onDouble(a[0].asDouble());
                 });
}

std::optional<Value> sameInt(int64_t v, Kind k) { return integral(v, k); }

// $round (half to even) and $trunc with an optional place in [-20, 100].
StatusWith<Value> roundOrTrunc(const std::vector<Value>& a, bool round) {
    const char* op = round ? "$round" : "$trunc";
    if (a[0].nullish()) return Value::null();
    // MongoDB's code here is 51081 (not yet in error_codes.def); TypeMismatch until then.
    MONGOSD_RETURN_IF_ERROR(checkNumber(op, a[0], ErrorCodes::TypeMismatch));
    int64_t place = 0;
    if (a.size() > 1) {
        if (a[1].nullish()) return Value::null();
        auto p = toIntegral(a[1]);
        if (!p || *p < -20 || *p > 100)
            return badValue(std::string(op) +
                            " requires \"place\" to be an integer between -20 "
                            "and 100, found " +
                            a[1].toString());
        place = *p;
    }
    auto apply = [round](double x) { return round ? std::nearbyint(x) : std::trunc(x); };
    Kind k = kindOf(a[0]);
    if (k != Kind::kDouble) {
        if (place >= 0) return a[0];
        double scale = std::pow(10.0, static_cast<double>(-place));
        double r = apply(static_cast<double>(a[0].asInt64()) / scale) * scale;
        if (r >= -9.2e18 && r <= 9.2e18) return integral(static_cast<int64_t>(r), k);
        return Value::dbl(r);
    }
    double x = a[0].asDouble();
    if (!std::isfinite(x)) return Value::dbl(x);
    double scale = std::pow(10.0, static_cast<double>(std::abs(place)));
    double r = place >= 0 ? apply(x * scale) / scale : apply(x / scale) * scale;
    return Value::dbl(std::isfinite(r) ? r : x);
}

StatusWith<Value> power(const std::vector<Value>& a) {
    if (a[0].nullish() || a[1].nullish()) return Value::null();
    if (a[0].type() == BSON_TYPE_DECIMAL128 || a[1].type() == BSON_TYPE_DECIMAL128)
        return notDecimal("$pow");
    if (!a[0].isNumber())
        return exprTypeError(ErrorCodes::Location28762, "$pow's base must be numeric, not ", a[0]);
    if (!a[1].isNumber())
        return exprTypeError(ErrorCodes::Location28763, "$pow's exponent must be numeric, not ",
                             a[1]);
    if (a[0].asDouble() == 0 && a[1].asDouble() < 0)
        return exprError(ErrorCodes::Location28764,
                         "$pow cannot take a base of 0 and a negative exponent");
    Kind k = std::max(kindOf(a[0]), kindOf(a[1]));
    if (k != Kind::kDouble) {
        int64_t base = a[0].asInt64(), exp = a[1].asInt64();
        if (exp >= 0) {
            int64_t r = 1;
            bool overflow = false;
            for (int64_t e = 0; e < exp && !overflow; ++e) {
                overflow = __builtin_mul_overflow(r, base, &r);
                if (r == 0 || r == 1) break;  // further factors change nothing (base 0 or 1)
            }
            if (base == -1) r = exp % 2 == 0 ? 1 : -1;
            if (!overflow) return integral(r, k);
        } else if (base == 1 || base == -1) {
            return integral(base == 1 || exp % 2 == 0 ? 1 : -1, k);
        }
    }
    return Value::dbl(std::pow(a[0].asDouble(), a[1].asDouble()));
}

StatusWith<Value> logBase(const std::vector<Value>& a) {
    if (a[0].nullish() || a[1].nullish()) return Value::null();
    if (a[0].type() == BSON_TYPE_DECIMAL128 || a[1].type() == BSON_TYPE_DECIMAL128)
        return notDecimal("$log");
    if (!a[0].isNumber())
        return exprTypeError(ErrorCodes::Location28756, "$log's argument must be numeric, not ",
                             a[0]);
    if (!a[1].isNumber())
        return exprTypeError(ErrorCodes::Location28757, "$log's base must be numeric, not ", a[1]);
    double x = a[0].asDouble(), b = a[1].asDouble();
    // NaN passes through as MongoDB does.
    if (!(x > 0) && !std::isnan(x))
        return exprError(ErrorCodes::Location28758,
                         "$log's argument must be a positive number, but is " + formatDouble(x));
    if ((!(b > 0) || b == 1) && !std::isnan(b))
        return exprError(
            ErrorCodes::Location28759,
            "$log's base must be a positive number not equal to 1, but is " + formatDouble(b));
    return Value::dbl(std::log(x) / std::log(b));
}

}  // namespace

void registerArithOperators() {
    registerNary("$add", 0, -1, add);
    registerNary("$multiply", 0, -1, multiply);
    registerNary("$subtract", 2, 2, subtract);
    registerNary("$divide", 2, 2, divide);
    registerNary("$mod", 2, 2, mod);
    registerNary("$pow", 2, 2, power);
    registerNary("$log", 2, 2, logBase);
    registerNary("$round", 1, 2, [](const std::vector<Value>& a) { return roundOrTrunc(a, true); });
    registerNary("$trunc", 1, 2,
                 [](const std::vector<Value>& a) { return roundOrTrunc(a, false); });
    registerUnary(
        "$abs",
        [](int64_t v, Kind k) -> std::optional<Value> {
            if (v == INT64_MIN) return std::nullopt;
            return integral(v < 0 ? -v : v, k);
        },
        [](double d) -> StatusWith<Value> { return Value::dbl(std::fabs(d)); });
    registerUnary("$ceil", sameInt,
                  [](double d) -> StatusWith<Value> { return Value::dbl(std::ceil(d)); });
    registerUnary("$floor", sameInt,
                  [](double d) -> StatusWith<Value> { return Value::dbl(std::floor(d)); });
    registerUnary("$sqrt", nullptr, [](double d) -> StatusWith<Value> {
        if (d < 0)
            return exprError(ErrorCodes::Location28714,
                             "$sqrt's argument must be greater than or equal to 0");
        return Value::dbl(std::sqrt(d));
    });
    registerUnary("$exp", nullptr,
                  [](double d) -> StatusWith<Value> { return Value::dbl(std::exp(d)); });
    registerUnary("$ln", nullptr, [](double d) -> StatusWith<Value> {
        if (!(d > 0) && !std::isnan(d))
            return exprError(ErrorCodes::Location28766,
                             "$ln's argument must be a positive number, but is " + formatDouble(d));
        return Value::dbl(std::log(d));
    });
    registerUnary("$log10", nullptr, [](double d) -> StatusWith<Value> {
        if (!(d > 0) && !std::isnan(d))
            return exprError(
                ErrorCodes::Location28761,
                "$log10's argument must be a positive number, but is " + formatDouble(d));
        return Value::dbl(std::log10(d));
    });
}

}  // namespace mongosd::query::expr
