// String operators. Positions in the *CP operators count UTF-8 code points, in the *Bytes ones
// bytes. Case mapping ($toUpper, $toLower, $strcasecmp) is ASCII only, as MongoDB's.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>

#include "common/json/iso_date.h"
#include "query/expression_internal.h"

namespace mongosd::query::expr {
namespace {

bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Byte offsets of each code point start, plus the end.
std::vector<size_t> codePointOffsets(std::string_view s) {
    std::vector<size_t> out;
    for (size_t i = 0; i < s.size(); ++i)
        if (!isContinuation(static_cast<unsigned char>(s[i]))) out.push_back(i);
    out.push_back(s.size());
    return out;
}

// MongoDB's coerceToString: strings, numbers, dates and timestamps as text; null/missing "".
StatusWith<std::string> coerceToString(const Value& v) {
    switch (v.type()) {
        case BSON_TYPE_EOD:
        case BSON_TYPE_NULL:
        case BSON_TYPE_UNDEFINED:
            return std::string();
        case BSON_TYPE_UTF8:
            return std::string(v.str());
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
            return std::to_string(v.asInt64());
        case BSON_TYPE_DOUBLE:
            return formatDouble(v.asDouble());
        case BSON_TYPE_DATE_TIME: {
            std::string out;
            json::appendIsoDate(v.dateMs(), out);
            return out;
        }
        default:
            // MongoDB's Value::coerceToString assertion, whichever operator asked.
            return exprError(
                ErrorCodes::Location16007,
                "can't convert from BSON type " + std::string(typeName(v)) + " to String");
    }
}

// An integral argument (an index or a length); MongoDB's codes for "not a number" and "not
// integral" differ per operator and argument. $substrCP wants an int32 (`int32`); $substrBytes
// takes any integral int64.
StatusWith<int64_t> indexArg(std::string_view op, const Value& v, std::string_view what,
                             ErrorCodes::Error notNumber, ErrorCodes::Error notIntegral,
                             bool int32 = true) {
    auto n = toIntegral(v);
    if (!v.isNumber())
        return exprError(notNumber, std::string(op) + ": " + std::string(what) +
                                        " must be a numeric type (is BSON type " +
                                        std::string(typeName(v)) + ")");
    if (!n || (int32 && (*n < INT32_MIN || *n > INT32_MAX)))
        return exprError(notIntegral,
                         std::string(op) + ": " + std::string(what) +
                             " cannot be represented as a 32-bit integral value: " + v.toString());
    return *n;
}

StatusWith<Value> concat(const std::vector<Value>& a) {
    std::string out;
    for (const auto& v : a) {
        if (v.nullish()) return Value::null();
        if (v.type() != BSON_TYPE_UTF8)
            return exprTypeError(ErrorCodes::Location16702, "$concat only supports strings, not ",
                                 v);
        out += v.str();
    }
    return Value::string(out);
}

StatusWith<Value> substrCP(const std::vector<Value>& a) {
    auto s = coerceToString(a[0]);
    if (!s.isOK()) return s.getStatus();
    auto start = indexArg("$substrCP", a[1], "starting index", ErrorCodes::Location34450,
                          ErrorCodes::Location34451);
    if (!start.isOK()) return start.getStatus();
    auto len =
        indexArg("$substrCP", a[2], "length", ErrorCodes::Location34452, ErrorCodes::Location34453);
    if (!len.isOK()) return len.getStatus();
    if (len.getValue() < 0)
        return exprError(ErrorCodes::Location34454,
                         "$substrCP: length must be a nonnegative integer.");
    if (start.getValue() < 0)
        return exprError(ErrorCodes::Location34455,
                         "$substrCP: the starting index must be nonnegative integer.");
    auto offs = codePointOffsets(s.getValue());
    size_t cps = offs.size() - 1;
    size_t from = std::min<size_t>(static_cast<size_t>(start.getValue()), cps);
    size_t to =
        std::min<size_t>(from + std::min<size_t>(static_cast<size_t>(len.getValue()), cps), cps);
    return Value::string(std::string_view(s.getValue()).substr(offs[from], offs[to] - offs[from]));
}

StatusWith<Value> substrBytes(const std::vector<Value>& a) {
    auto s = coerceToString(a[0]);
    if (!s.isOK()) return s.getStatus();
    auto start = indexArg("$substrBytes", a[1], "starting index", ErrorCodes::Location16034,
                          ErrorCodes::BadValue, false);
    if (!start.isOK()) return start.getStatus();
    auto len = indexArg("$substrBytes", a[2], "length", ErrorCodes::Location16035,
                        ErrorCodes::BadValue, false);
    if (!len.isOK()) return len.getStatus();
    const std::string& str = s.getValue();
    if (start.getValue() < 0)
        return exprError(ErrorCodes::Location50752,
                         "$substrBytes: starting index must be non-negative (got: " +
                             std::to_string(start.getValue()) + ")");
    size_t from = std::min<size_t>(static_cast<size_t>(start.getValue()), str.size());
    size_t n = len.getValue() < 0
                   ? str.size() - from
                   : std::min<size_t>(static_cast<size_t>(len.getValue()), str.size() - from);
    auto splits = [&](size_t pos) {
        return pos < str.size() && isContinuation(static_cast<unsigned char>(str[pos]));
    };
    if (splits(from))
        return exprError(ErrorCodes::Location28656,
                         "$substrBytes: Invalid range, starting index is a UTF-8 continuation "
                         "byte.");
    if (splits(from + n))
        return exprError(ErrorCodes::Location28657,
                         "$substrBytes: Invalid range, ending index is in the middle of a UTF-8 "
                         "character.");
    return Value::string(std::string_view(str).substr(from, n));
}

NaryFn caseMap(bool upper) {
    return [upper](const std::vector<Value>& a) -> StatusWith<Value> {
        auto s = coerceToString(a[0]);
        if (!s.isOK()) return s.getStatus();
        std::string out = s.getValue();
        for (char& c : out)
            if (static_cast<unsigned char>(c) < 0x80)
                c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                            : std::tolower(static_cast<unsigned char>(c)));
        return Value::string(out);
    };
}

StatusWith<Value> strcasecmp(const std::vector<Value>& a) {
    auto x = coerceToString(a[0]);
    if (!x.isOK()) return x.getStatus();
    auto y = coerceToString(a[1]);
    if (!y.isOK()) return y.getStatus();
    auto lower = [](std::string s) {
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    int c = lower(x.getValue()).compare(lower(y.getValue()));
    return Value::int32(c < 0 ? -1 : (c > 0 ? 1 : 0));
}

StatusWith<Value> split(const std::vector<Value>& a) {
    if (a[0].nullish()) return Value::null();
    if (a[0].type() != BSON_TYPE_UTF8)
        return exprTypeError(ErrorCodes::Location40085,
                             "$split requires an expression that evaluates to a string as a first "
                             "argument, found: ",
                             a[0]);
    if (a[1].type() != BSON_TYPE_UTF8)
        return exprTypeError(ErrorCodes::Location40086,
                             "$split requires an expression that evaluates to a string as a "
                             "second argument, found: ",
                             a[1]);
    std::string_view s = a[0].str(), d = a[1].str();
    if (d.empty())
        return exprError(ErrorCodes::Location40087, "$split requires a non-empty separator");
    std::vector<Value> parts;
    size_t start = 0;
    for (size_t pos; (pos = s.find(d, start)) != std::string_view::npos; start = pos + d.size())
        parts.push_back(Value::string(s.substr(start, pos - start)));
    parts.push_back(Value::string(s.substr(start)));
    return Value::array(parts);
}

StatusWith<Value> strLen(const std::vector<Value>& a, bool codePoints) {
    const char* op = codePoints ? "$strLenCP" : "$strLenBytes";
    if (a[0].type() != BSON_TYPE_UTF8)
        return exprTypeError(codePoints ? ErrorCodes::Location34471 : ErrorCodes::Location34473,
                             std::string(op) + " requires a string argument, found: ", a[0]);
    size_t n = codePoints ? codePointOffsets(a[0].str()).size() - 1 : a[0].str().size();
    return Value::int32(static_cast<int32_t>(n));
}

StatusWith<Value> indexOf(const std::vector<Value>& a, bool codePoints) {
    const char* op = codePoints ? "$indexOfCP" : "$indexOfBytes";
    if (a[0].nullish()) return Value::null();
    if (a[0].type() != BSON_TYPE_UTF8)
        return exprTypeError(
            codePoints ? ErrorCodes::Location40093 : ErrorCodes::Location40091,
            std::string(op) + " requires a string as the first argument, found: ", a[0]);
    if (a[1].type() != BSON_TYPE_UTF8)
        return exprTypeError(
            codePoints ? ErrorCodes::Location40094 : ErrorCodes::Location40092,
            std::string(op) + " requires a string as the second argument, found: ", a[1]);
    std::string_view s = a[0].str(), sub = a[1].str();
    auto offs = codePointOffsets(s);
    int64_t units =
        codePoints ? static_cast<int64_t>(offs.size() - 1) : static_cast<int64_t>(s.size());
    int64_t start = 0, end = units;
    for (size_t i = 2; i < a.size(); ++i) {
        auto n = indexOfBound(op, a[i], i == 2 ? "starting index" : "ending index");
        if (!n.isOK()) return n.getStatus();
        (i == 2 ? start : end) = n.getValue();
    }
    end = std::min(end, units);
    for (int64_t i = start; i <= end; ++i) {
        size_t at =
            codePoints ? offs[static_cast<size_t>(std::min(i, units))] : static_cast<size_t>(i);
        size_t limit = codePoints ? offs[static_cast<size_t>(end)] : static_cast<size_t>(end);
        if (at + sub.size() <= limit && s.substr(at, sub.size()) == sub)
            return Value::int32(static_cast<int32_t>(i));
    }
    return Value::int32(-1);
}

// Splits a string into its code points (as byte strings).
std::vector<std::string_view> codePoints(std::string_view s) {
    auto offs = codePointOffsets(s);
    std::vector<std::string_view> out;
    for (size_t i = 0; i + 1 < offs.size(); ++i)
        out.push_back(s.substr(offs[i], offs[i + 1] - offs[i]));
    return out;
}

class TrimExpr final : public Expression {
public:
    TrimExpr(const char* op, bool left, bool right, ExprPtr input, ExprPtr chars)
        : _op(op), _left(left), _right(right), _input(std::move(input)), _chars(std::move(chars)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        auto in = _input->evaluate(vars);
        if (!in.isOK() || in.getValue().nullish()) return in.isOK() ? Value::null() : in;
        if (in.getValue().type() != BSON_TYPE_UTF8)
            return typeError(_op, "requires its input to be a string", in.getValue());
        std::vector<std::string_view> set = {
            " ", std::string_view("\0", 1), "\t", "\n", "\v", "\f", "\r", "\xC2\xA0"};
        auto chars = evalOpt(_chars, vars);
        if (!chars.isOK()) return chars;
        if (_chars) {
            if (chars.getValue().nullish()) return Value::null();
            if (chars.getValue().type() != BSON_TYPE_UTF8)
                return typeError(_op, "requires 'chars' to be a string", chars.getValue());
            set = codePoints(chars.getValue().str());
        }
        auto cps = codePoints(in.getValue().str());
        auto inSet = [&](std::string_view cp) {
            return std::find(set.begin(), set.end(), cp) != set.end();
        };
        size_t b = 0, e = cps.size();
        while (_left && b < e && inSet(cps[b])) ++b;
        while (_right && e > b && inSet(cps[e - 1])) --e;
        std::string out;
        for (size_t i = b; i < e; ++i) out += cps[i];
        return Value::string(out);
    }

private:
    const char* _op;
    bool _left, _right;
    ExprPtr _input, _chars;
};

void registerTrim(const char* op, bool left, bool right) {
    registerOperator(
        op,
        [op, left, right](const bson_iter_t& arg, const ParseContext& ctx) -> StatusWith<ExprPtr> {
            std::vector<ExprPtr> p;
            MONGOSD_RETURN_IF_ERROR(parseNamedArgs(op, arg, ctx, {"input", "chars"}, {"input"}, p));
            return ExprPtr(
                std::make_unique<TrimExpr>(op, left, right, std::move(p[0]), std::move(p[1])));
        });
}

// PCRE2 options from MongoDB's regex flags (i m s x u); BadValue for others.
StatusWith<uint32_t> regexOptions(std::string_view flags) {
    uint32_t o = PCRE2_UTF;
    for (char c : flags) {
        switch (c) {
            case 'i':
                o |= PCRE2_CASELESS;
                break;
            case 'm':
                o |= PCRE2_MULTILINE;
                break;
            case 's':
                o |= PCRE2_DOTALL;
                break;
            case 'x':
                o |= PCRE2_EXTENDED;
                break;
            case 'u':
                break;
            default:
                return badValue(std::string("$regexMatch: invalid flag in regex options: ") + c);
        }
    }
    return o;
}

class RegexMatchExpr final : public Expression {
public:
    RegexMatchExpr(ExprPtr input, ExprPtr regex, ExprPtr options)
        : _input(std::move(input)), _regex(std::move(regex)), _options(std::move(options)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        auto in = _input->evaluate(vars);
        if (!in.isOK()) return in;
        auto re = _regex->evaluate(vars);
        if (!re.isOK()) return re;
        auto opts = evalOpt(_options, vars);
        if (!opts.isOK()) return opts;
        std::string pattern, flags;
        const Value& r = re.getValue();
        if (r.type() == BSON_TYPE_REGEX) {
            bson_iter_t it = r.iter();
            const char* o = nullptr;
            pattern = bson_iter_regex(&it, &o);
            flags = o ? o : "";
            if (!flags.empty() && !opts.getValue().nullish())
                return badValue("$regexMatch: options set in both 'regex' and 'options'");
        } else if (r.type() == BSON_TYPE_UTF8) {
            pattern = std::string(r.str());
        } else if (!r.nullish()) {
            return typeError("$regexMatch", "needs 'regex' to be of type string or regex", r);
        }
        if (!opts.getValue().nullish()) {
            if (opts.getValue().type() != BSON_TYPE_UTF8)
                return typeError("$regexMatch", "needs 'options' to be of type string",
                                 opts.getValue());
            flags = std::string(opts.getValue().str());
        }
        const Value& input = in.getValue();
        if (!input.nullish() && input.type() != BSON_TYPE_UTF8)
            return typeError("$regexMatch", "needs 'input' to be of type string", input);
        if (pattern.find('\0') != std::string::npos)
            return badValue("$regexMatch: regular expression cannot contain an embedded null byte");
        auto options = regexOptions(flags);
        if (!options.isOK()) return options.getStatus();
        int err = 0;
        PCRE2_SIZE errOffset = 0;
        pcre2_code* code =
            pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                          options.getValue(), &err, &errOffset, nullptr);
        if (!code) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(err, msg, sizeof msg);
            return badValue("$regexMatch: invalid regular expression: " +
                            std::string(reinterpret_cast<char*>(msg)));
        }
        if (r.nullish() || input.nullish()) {
            pcre2_code_free(code);
            return Value::boolean(false);
        }
        pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
        std::string_view s = input.str();
        int rc =
            pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, 0, md, nullptr);
        pcre2_match_data_free(md);
        pcre2_code_free(code);
        if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
            return badValue("$regexMatch: error while matching (" + std::to_string(rc) + ")");
        return Value::boolean(rc >= 0);
    }

private:
    ExprPtr _input, _regex, _options;
};

}  // namespace

void registerStringOperators() {
    registerNary("$concat", 0, -1, concat);
    registerNary("$substrCP", 3, 3, substrCP);
    registerNary("$substrBytes", 3, 3, substrBytes);
    registerNary("$substr", 3, 3, substrBytes);
    registerNary("$toUpper", 1, 1, caseMap(true));
    registerNary("$toLower", 1, 1, caseMap(false));
    registerNary("$strcasecmp", 2, 2, strcasecmp);
    registerNary("$split", 2, 2, split);
    registerNary("$strLenCP", 1, 1, [](const std::vector<Value>& a) { return strLen(a, true); });
    registerNary("$strLenBytes", 1, 1,
                 [](const std::vector<Value>& a) { return strLen(a, false); });
    registerNary("$indexOfCP", 2, 4, [](const std::vector<Value>& a) { return indexOf(a, true); });
    registerNary("$indexOfBytes", 2, 4,
                 [](const std::vector<Value>& a) { return indexOf(a, false); });
    registerTrim("$trim", true, true);
    registerTrim("$ltrim", true, false);
    registerTrim("$rtrim", false, true);
    registerOperator(
        "$regexMatch", [](const bson_iter_t& arg, const ParseContext& ctx) -> StatusWith<ExprPtr> {
            std::vector<ExprPtr> p;
            MONGOSD_RETURN_IF_ERROR(parseNamedArgs(
                "$regexMatch", arg, ctx, {"input", "regex", "options"}, {"input", "regex"}, p));
            return ExprPtr(std::make_unique<RegexMatchExpr>(std::move(p[0]), std::move(p[1]),
                                                            std::move(p[2])));
        });
}

}  // namespace mongosd::query::expr
