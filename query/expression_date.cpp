// Date operators over BSON dates (milliseconds since the epoch, proleptic Gregorian calendar).
// Time zones: UTC and fixed offsets ("+05:30", "-0800", "+03"); Olson names are not supported.
#include <cstdio>

#include "common/json/iso_date.h"
#include "query/expression_internal.h"

namespace mongosd::query::expr {
namespace {

constexpr int64_t kMsPerDay = 86400000;

struct Civil {
    int64_t year;
    int month, day, hour, minute, second, millis;
    int dayOfWeek;  // 1 = Sunday ... 7 = Saturday
    int dayOfYear;  // 1 ... 366
};

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
int64_t daysFromCivil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = floorDiv(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Civil toCivil(int64_t ms) {
    int64_t days = floorDiv(ms, kMsPerDay);
    int64_t rem = ms - days * kMsPerDay;
    Civil c{};
    int64_t z = days + 719468;
    int64_t era = floorDiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2);
    c.hour = static_cast<int>(rem / 3600000);
    c.minute = static_cast<int>(rem / 60000 % 60);
    c.second = static_cast<int>(rem / 1000 % 60);
    c.millis = static_cast<int>(rem % 1000);
    c.dayOfWeek = static_cast<int>(floorDiv(days + 4, 7) * -7 + days + 4) + 1;  // 1970-01-01: Thu
    c.dayOfYear = static_cast<int>(days - daysFromCivil(c.year, 1, 1) + 1);
    return c;
}

// A fixed offset in minutes from a timezone string; nullopt when unsupported.
std::optional<int64_t> parseTimezone(std::string_view tz) {
    if (tz == "UTC" || tz == "GMT" || tz == "Z" || tz == "Etc/UTC" || tz == "Etc/GMT") return 0;
    if (tz.size() < 3 || (tz[0] != '+' && tz[0] != '-')) return std::nullopt;
    std::string digits;
    for (size_t i = 1; i < tz.size(); ++i) {
        if (tz[i] == ':' && i == 3) continue;
        if (tz[i] < '0' || tz[i] > '9') return std::nullopt;
        digits += tz[i];
    }
    if (digits.size() != 2 && digits.size() != 4) return std::nullopt;
    int64_t h = std::stoi(digits.substr(0, 2)),
            m = digits.size() == 4 ? std::stoi(digits.substr(2)) : 0;
    if (h > 23 || m > 59) return std::nullopt;
    return (tz[0] == '-' ? -1 : 1) * (h * 60 + m);
}

StatusWith<int64_t> timezoneOffsetMs(std::string_view op, const ExprPtr& tz, const Variables& vars,
                                     bool* isNull) {
    *isNull = false;
    if (!tz) return int64_t{0};
    auto v = tz->evaluate(vars);
    if (!v.isOK()) return v.getStatus();
    if (v.getValue().nullish()) {
        *isNull = true;
        return int64_t{0};
    }
    if (v.getValue().type() != BSON_TYPE_UTF8)
        return exprTypeError(ErrorCodes::Location40517,
                             "timezone must evaluate to a string, found ", v.getValue());
    auto minutes = parseTimezone(v.getValue().str());
    if (!minutes)
        return badValue(std::string(op) +
                        ": unrecognized time zone identifier: " + std::string(v.getValue().str()));
    return *minutes * 60000;
}

// The milliseconds of a date-like value (date, timestamp, ObjectId).
StatusWith<int64_t> dateMs(const Value& v) {
    bson_iter_t it;
    switch (v.type()) {
        case BSON_TYPE_DATE_TIME:
            return v.dateMs();
        case BSON_TYPE_TIMESTAMP: {
            it = v.iter();
            uint32_t t, i;
            bson_iter_timestamp(&it, &t, &i);
            return static_cast<int64_t>(t) * 1000;
        }
        case BSON_TYPE_OID:
            it = v.iter();
            return static_cast<int64_t>(bson_oid_get_time_t(bson_iter_oid(&it))) * 1000;
        default:
            // MongoDB's Value::coerceToDate assertion, whichever operator asked.
            return exprError(ErrorCodes::Location16006, "can't convert from BSON type " +
                                                            std::string(typeName(v)) + " to Date");
    }
}

using Extract = int64_t (*)(const Civil&);

// $year, $month, ...: {$op: date}, {$op: [date]} or {$op: {date, timezone}}.
class DatePartExpr final : public Expression {
public:
    DatePartExpr(std::string op, Extract fn, ExprPtr date, ExprPtr tz)
        : _op(std::move(op)), _fn(fn), _date(std::move(date)), _tz(std::move(tz)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        auto d = _date->evaluate(vars);
        if (!d.isOK()) return d;
        bool tzNull = false;
        auto offset = timezoneOffsetMs(_op, _tz, vars, &tzNull);
        if (!offset.isOK()) return offset.getStatus();
        if (d.getValue().nullish() || tzNull) return Value::null();
        auto ms = dateMs(d.getValue());
        if (!ms.isOK()) return ms.getStatus();
        return Value::int32(static_cast<int32_t>(_fn(toCivil(ms.getValue() + offset.getValue()))));
    }

private:
    std::string _op;
    Extract _fn;
    ExprPtr _date, _tz;
};

void registerDatePart(const std::string& op, Extract fn) {
    registerOperator(
        op, [op, fn](const bson_iter_t& arg, const ParseContext& ctx) -> StatusWith<ExprPtr> {
            bson_iter_t first;
            bool named = false;
            if (BSON_ITER_HOLDS_DOCUMENT(&arg)) {
                bson_iter_t it;
                bson_iter_recurse(&arg, &it);
                named = bson_iter_next(&it) && iterKey(it).substr(0, 1) != "$";
                first = it;
            }
            if (named) {
                std::vector<ExprPtr> p;
                MONGOSD_RETURN_IF_ERROR(
                    parseNamedArgs(op, arg, ctx, {"date", "timezone"}, {"date"}, p));
                return ExprPtr(
                    std::make_unique<DatePartExpr>(op, fn, std::move(p[0]), std::move(p[1])));
            }
            auto args = parseArgs(arg, ctx);
            if (!args.isOK()) return args.getStatus();
            if (args.getValue().size() != 1) return badValue(op + " takes exactly 1 argument");
            return ExprPtr(
                std::make_unique<DatePartExpr>(op, fn, std::move(args.getValue()[0]), nullptr));
        });
}

void pad(std::string& out, int64_t v, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
    out += buf;
}

StatusWith<std::string> formatDate(std::string_view fmt, int64_t ms, int64_t offsetMs) {
    Civil c = toCivil(ms + offsetMs);
    std::string out;
    for (size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%') {
            out += fmt[i];
            continue;
        }
        if (++i == fmt.size())
            return badValue("$dateToString: unmatched '%' at end of format string");
        switch (fmt[i]) {
            case 'Y':
                pad(out, c.year, 4);
                break;
            case 'm':
                pad(out, c.month, 2);
                break;
            case 'd':
                pad(out, c.day, 2);
                break;
            case 'H':
                pad(out, c.hour, 2);
                break;
            case 'M':
                pad(out, c.minute, 2);
                break;
            case 'S':
                pad(out, c.second, 2);
                break;
            case 'L':
                pad(out, c.millis, 3);
                break;
            case 'j':
                pad(out, c.dayOfYear, 3);
                break;
            case 'w':
                pad(out, c.dayOfWeek, 1);
                break;
            case 'u':
                pad(out, c.dayOfWeek == 1 ? 7 : c.dayOfWeek - 1, 1);
                break;
            case '%':
                out += '%';
                break;
            case 'z':
            case 'Z': {
                int64_t minutes = offsetMs / 60000;
                if (fmt[i] == 'Z') {
                    out += std::to_string(minutes);
                    break;
                }
                out += minutes < 0 ? '-' : '+';
                pad(out, std::abs(minutes) / 60, 2);
                pad(out, std::abs(minutes) % 60, 2);
                break;
            }
            default:
                return badValue(std::string("$dateToString: invalid format character '%") + fmt[i] +
                                "'");
        }
    }
    return out;
}

class DateToStringExpr final : public Expression {
public:
    explicit DateToStringExpr(std::vector<ExprPtr> p)
        : _p(std::move(p)) {}  // date format timezone onNull
    StatusWith<Value> evaluate(const Variables& vars) const override {
        auto d = _p[0]->evaluate(vars);
        if (!d.isOK()) return d;
        auto fmt = evalOpt(_p[1], vars);
        if (!fmt.isOK()) return fmt;
        std::string format = "%Y-%m-%dT%H:%M:%S.%LZ";
        if (_p[1]) {
            if (fmt.getValue().nullish()) return Value::null();
            if (fmt.getValue().type() != BSON_TYPE_UTF8)
                return exprError(ErrorCodes::Location18533,
                                 "$dateToString requires that 'format' be a string, found: " +
                                     std::string(typeName(fmt.getValue())) + " with value " +
                                     fmt.getValue().toString());
            format = std::string(fmt.getValue().str());
        }
        bool tzNull = false;
        auto offset = timezoneOffsetMs("$dateToString", _p[2], vars, &tzNull);
        if (!offset.isOK()) return offset.getStatus();
        if (tzNull) return Value::null();
        if (d.getValue().nullish()) return _p[3] ? _p[3]->evaluate(vars) : Value::null();
        auto ms = dateMs(d.getValue());
        if (!ms.isOK()) return ms.getStatus();
        auto s = formatDate(format, ms.getValue(), offset.getValue());
        if (!s.isOK()) return s.getStatus();
        return Value::string(s.getValue());
    }

private:
    std::vector<ExprPtr> _p;
};

// Parses `s` against a format of %Y %m %d %H %M %S %L %% and literal characters.
std::optional<int64_t> parseWithFormat(std::string_view s, std::string_view fmt) {
    int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
    size_t pos = 0;
    auto digits = [&](int n, int64_t* out) {
        if (pos + n > s.size()) return false;
        int64_t v = 0;
        for (int k = 0; k < n; ++k) {
            char ch = s[pos + k];
            if (ch < '0' || ch > '9') return false;
            v = v * 10 + (ch - '0');
        }
        pos += n;
        *out = v;
        return true;
    };
    for (size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%' || i + 1 == fmt.size()) {
            if (pos >= s.size() || s[pos] != fmt[i]) return std::nullopt;
            ++pos;
            continue;
        }
        bool ok = true;
        switch (fmt[++i]) {
            case 'Y':
                ok = digits(4, &year);
                break;
            case 'm':
                ok = digits(2, &month);
                break;
            case 'd':
                ok = digits(2, &day);
                break;
            case 'H':
                ok = digits(2, &hour);
                break;
            case 'M':
                ok = digits(2, &minute);
                break;
            case 'S':
                ok = digits(2, &second);
                break;
            case 'L':
                ok = digits(3, &millis);
                break;
            case '%':
                ok = pos < s.size() && s[pos++] == '%';
                break;
            default:
                return std::nullopt;
        }
        if (!ok) return std::nullopt;
    }
    if (pos != s.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 59)
        return std::nullopt;
    int64_t days = daysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
    if (toCivil(days * kMsPerDay).day != day) return std::nullopt;  // e.g. February 30
    return days * kMsPerDay + hour * 3600000 + minute * 60000 + second * 1000 + millis;
}

// ISO-8601 without a format: a date alone, or a date-time with or without an offset (local
// times are in the `timezone` argument's zone).
std::optional<int64_t> parseIso(std::string_view s, bool* hadOffset) {
    *hadOffset = false;
    if (s.size() == 10) return parseWithFormat(s, "%Y-%m-%d");
    if (auto ms = json::parseIsoDate(s)) {
        *hadOffset = true;
        return ms;
    }
    std::string withZ = std::string(s) + "Z";
    std::string spaced = withZ;
    if (spaced.size() > 10 && spaced[10] == ' ') spaced[10] = 'T';
    if (auto ms = json::parseIsoDate(spaced)) return ms;
    return std::nullopt;
}

class DateFromStringExpr final : public Expression {
public:
    explicit DateFromStringExpr(std::vector<ExprPtr> p)
        : _p(std::move(p)) {}  // dateString format timezone onError onNull
    StatusWith<Value> evaluate(const Variables& vars) const override {
        auto s = _p[0]->evaluate(vars);
        if (!s.isOK()) return s;
        auto fmt = evalOpt(_p[1], vars);
        if (!fmt.isOK()) return fmt;
        bool tzNull = false;
        auto offset = timezoneOffsetMs("$dateFromString", _p[2], vars, &tzNull);
        if (!offset.isOK()) return offset.getStatus();
        if (s.getValue().nullish()) return _p[4] ? _p[4]->evaluate(vars) : Value::null();
        if (tzNull || (_p[1] && fmt.getValue().nullish())) return Value::null();
        auto fail = [&](Status st) -> StatusWith<Value> {
            if (_p[3]) return _p[3]->evaluate(vars);
            return st;
        };
        if (s.getValue().type() != BSON_TYPE_UTF8)
            return fail(Status(ErrorCodes::ConversionFailure,
                               "$dateFromString requires that 'dateString' be a string, found: " +
                                   std::string(typeName(s.getValue()))));
        std::optional<int64_t> ms;
        bool hadOffset = false;
        if (_p[1]) {
            if (fmt.getValue().type() != BSON_TYPE_UTF8)
                return exprError(ErrorCodes::Location40684,
                                 "$dateFromString requires that 'format' be a string, found: " +
                                     std::string(typeName(fmt.getValue())) + " with value " +
                                     fmt.getValue().toString());
            ms = parseWithFormat(s.getValue().str(), fmt.getValue().str());
        } else {
            ms = parseIso(s.getValue().str(), &hadOffset);
        }
        if (!ms)
            return fail(
                Status(ErrorCodes::ConversionFailure,
                       "Error parsing date string '" + std::string(s.getValue().str()) + "'"));
        return Value::date(hadOffset ? *ms : *ms - offset.getValue());
    }

private:
    std::vector<ExprPtr> _p;
};

}  // namespace

void registerDateOperators() {
    registerDatePart("$year", [](const Civil& c) { return c.year; });
    registerDatePart("$month", [](const Civil& c) -> int64_t { return c.month; });
    registerDatePart("$dayOfMonth", [](const Civil& c) -> int64_t { return c.day; });
    registerDatePart("$hour", [](const Civil& c) -> int64_t { return c.hour; });
    registerDatePart("$minute", [](const Civil& c) -> int64_t { return c.minute; });
    registerDatePart("$second", [](const Civil& c) -> int64_t { return c.second; });
    registerDatePart("$millisecond", [](const Civil& c) -> int64_t { return c.millis; });
    registerDatePart("$dayOfWeek", [](const Civil& c) -> int64_t { return c.dayOfWeek; });
    registerDatePart("$dayOfYear", [](const Civil& c) -> int64_t { return c.dayOfYear; });
    registerOperator(
        "$dateToString",
        [](const bson_iter_t& arg, const ParseContext& ctx) -> StatusWith<ExprPtr> {
            std::vector<ExprPtr> p;
            MONGOSD_RETURN_IF_ERROR(parseNamedArgs(
                "$dateToString", arg, ctx, {"date", "format", "timezone", "onNull"}, {"date"}, p,
                {ErrorCodes::Location18629,
                 ErrorCodes::Location18534,
                 {ErrorCodes::Location18628}}));
            return ExprPtr(std::make_unique<DateToStringExpr>(std::move(p)));
        });
    registerOperator(
        "$dateFromString",
        [](const bson_iter_t& arg, const ParseContext& ctx) -> StatusWith<ExprPtr> {
            std::vector<ExprPtr> p;
            MONGOSD_RETURN_IF_ERROR(parseNamedArgs(
                "$dateFromString", arg, ctx,
                {"dateString", "format", "timezone", "onError", "onNull"}, {"dateString"}, p,
                {ErrorCodes::Location40540,
                 ErrorCodes::Location40541,
                 {ErrorCodes::Location40542}}));
            return ExprPtr(std::make_unique<DateFromStringExpr>(std::move(p)));
        });
}

}  // namespace mongosd::query::expr
