// Array operators, including the ones that bind variables: $filter, $map ($$this or `as`) and
// $reduce ($$value, $$this).
#include <algorithm>

#include "query/expression_internal.h"

namespace mongosd::query::expr {
namespace {

// An integral argument representable as int32 (MongoDB's positions and counts), with MongoDB's
// codes for "not a number" and "not a 32-bit integer".
StatusWith<int64_t> intArg(const Value& v, ErrorCodes::Error notNumber,
                           std::string_view notNumberMsg, ErrorCodes::Error notIntegral,
                           std::string_view notIntegralMsg) {
    auto n = toIntegral(v);
    if (!v.isNumber()) return exprTypeError(notNumber, notNumberMsg, v);
    if (!n || *n < INT32_MIN || *n > INT32_MAX)
        return exprError(notIntegral, std::string(notIntegralMsg) + v.toString());
    return *n;
}

StatusWith<Value> size(const std::vector<Value>& a) {
    if (!a[0].isArray())
        return exprTypeError(ErrorCodes::Location17124,
                             "The argument to $size must be an array, but was of type: ", a[0]);
    return Value::int32(static_cast<int32_t>(a[0].arrayElements().size()));
}

StatusWith<Value> arrayElemAt(const std::vector<Value>& a) {
    if (a[0].nullish() || a[1].nullish()) return Value::null();
    if (!a[0].isArray())
        return exprTypeError(ErrorCodes::Location28689,
                             "$arrayElemAt's first argument must be an array, but is ", a[0]);
    auto idx = intArg(a[1], ErrorCodes::Location28690,
                      "$arrayElemAt's second argument must be a numeric value, but is ",
                      ErrorCodes::Location28691,
                      "$arrayElemAt's second argument must be representable as a 32-bit "
                      "integer: ");
    if (!idx.isOK()) return idx.getStatus();
    auto elems = a[0].arrayElements();
    int64_t i =
        idx.getValue() < 0 ? idx.getValue() + static_cast<int64_t>(elems.size()) : idx.getValue();
    if (i < 0 || i >= static_cast<int64_t>(elems.size())) return Value();
    return elems[static_cast<size_t>(i)];
}

NaryFn firstOrLast(bool first) {
    return [first](const std::vector<Value>& a) -> StatusWith<Value> {
        const char* op = first ? "$first" : "$last";
        if (a[0].nullish()) return Value::null();
        if (!a[0].isArray()) return typeError(op, "'s argument must be an array", a[0]);
        auto elems = a[0].arrayElements();
        if (elems.empty()) return Value();
        return first ? elems.front() : elems.back();
    };
}

StatusWith<Value> in(const std::vector<Value>& a) {
    if (!a[1].isArray())
        return exprTypeError(ErrorCodes::Location40081,
                             "$in requires an array as a second argument, found: ", a[1]);
    for (const auto& e : a[1].arrayElements())
        if (compareValue(a[0], e) == 0) return Value::boolean(true);
    return Value::boolean(false);
}

StatusWith<Value> slice(const std::vector<Value>& a) {
    for (const auto& v : a)
        if (v.nullish()) return Value::null();
    if (!a[0].isArray())
        return exprTypeError(ErrorCodes::Location28724,
                             "First argument to $slice must be an array, but is of type: ", a[0]);
    auto elems = a[0].arrayElements();
    int64_t n = static_cast<int64_t>(elems.size());
    auto first = intArg(a[1], ErrorCodes::Location28725,
                        "Second argument to $slice must be a numeric value, but is of type: ",
                        ErrorCodes::Location28726,
                        "Second argument to $slice can't be represented as a 32-bit integer: ");
    if (!first.isOK()) return first.getStatus();
    int64_t from, count;
    if (a.size() == 2) {
        int64_t k = first.getValue();
        from = k >= 0 ? 0 : std::max<int64_t>(0, n + k);
        count = k >= 0 ? k : n - from;
    } else {
        auto c = intArg(
            a[2], ErrorCodes::Location28727,
            "Third argument to $slice must be numeric, but is of type: ", ErrorCodes::Location28728,
            "Third argument to $slice can't be represented as a 32-bit integer: ");
        if (!c.isOK()) return c.getStatus();
        if (c.getValue() <= 0)
            return exprError(
                ErrorCodes::Location28729,
                "Third argument to $slice must be positive: " + std::to_string(c.getValue()));
        int64_t p = first.getValue();
        from = p >= 0 ? std::min(p, n) : std::max<int64_t>(0, n + p);
        count = c.getValue();
    }
    int64_t to = std::min(n, from + count);
    return Value::array(
        std::vector<Value>(elems.begin() + from, elems.begin() + std::max(from, to)));
}

StatusWith<Value> concatArrays(const std::vector<Value>& a) {
    std::vector<Value> out;
    for (const auto& v : a) {
        if (v.nullish()) return Value::null();
        if (!v.isArray())
            return exprTypeError(ErrorCodes::Location28664,
                                 "$concatArrays only supports arrays, not ", v);
        for (auto& e : v.arrayElements()) out.push_back(std::move(e));
    }
    return Value::array(out);
}

StatusWith<Value> range(const std::vector<Value>& a) {
    auto start = intArg(a[0], ErrorCodes::Location34443,
                        "$range requires a numeric starting value, found value of type: ",
                        ErrorCodes::Location34444,
                        "$range requires a starting value that can be represented as a 32-bit "
                        "integer, found value: ");
    if (!start.isOK()) return start.getStatus();
    auto end = intArg(
        a[1], ErrorCodes::Location34445,
        "$range requires a numeric ending value, found value of type: ", ErrorCodes::Location34446,
        "$range requires an ending value that can be represented as a 32-bit "
        "integer, found value: ");
    if (!end.isOK()) return end.getStatus();
    int64_t step = 1;
    if (a.size() > 2) {
        auto s = intArg(
            a[2], ErrorCodes::Location34447,
            "$range requires a numeric step value, found value of type:", ErrorCodes::Location34448,
            "$range requires a step value that can be represented as a 32-bit "
            "integer, found value: ");
        if (!s.isOK()) return s.getStatus();
        step = s.getValue();
        if (step == 0)
            return exprError(ErrorCodes::Location34449, "$range requires a non-zero step value");
    }
    // Built straight into BSON: one Value per element made large ranges slow (a fuzzer timeout).
    BsonBuilder holder;
    bool tooMany = false;
    holder.appendArray("", [&](BsonBuilder& arr) {
        char key[16];
        uint32_t n = 0;
        for (int64_t i = start.getValue(); step > 0 ? i < end.getValue() : i > end.getValue();
             i += step) {
            if (n >= 1000000) {
                tooMany = true;
                return;
            }
            arr.appendInt32(arrayIndexKey(n, key), static_cast<int32_t>(i));
            ++n;
        }
    });
    if (tooMany) return badValue("$range would produce too many elements");
    return Value::fromHolder(holder.obj());
}

StatusWith<Value> reverseArray(const std::vector<Value>& a) {
    if (a[0].nullish()) return Value::null();
    if (!a[0].isArray())
        return exprTypeError(
            ErrorCodes::Location34435,
            "The argument to $reverseArray must be an array, but was of type: ", a[0]);
    auto elems = a[0].arrayElements();
    std::reverse(elems.begin(), elems.end());
    return Value::array(elems);
}

StatusWith<Value> indexOfArray(const std::vector<Value>& a) {
    if (a[0].nullish()) return Value::null();
    if (!a[0].isArray())
        return exprTypeError(ErrorCodes::Location40090,
                             "$indexOfArray requires an array as a first argument, found: ", a[0]);
    auto elems = a[0].arrayElements();
    int64_t start = 0, end = static_cast<int64_t>(elems.size());
    for (size_t i = 2; i < a.size(); ++i) {
        auto n = indexOfBound("$indexOfArray", a[i], i == 2 ? "starting index" : "ending index");
        if (!n.isOK()) return n.getStatus();
        (i == 2 ? start : end) = n.getValue();
    }
    end = std::min<int64_t>(end, static_cast<int64_t>(elems.size()));
    for (int64_t i = start; i < end; ++i)
        if (compareValue(elems[static_cast<size_t>(i)], a[1]) == 0)
            return Value::int32(static_cast<int32_t>(i));
    return Value::int32(-1);
}

// $filter and $map: evaluate `body` for each element with the element bound to `as`.
class IterateExpr final : public Expression {
public:
    IterateExpr(bool isFilter, std::string as, ExprPtr input, ExprPtr body, ExprPtr limit)
        : _isFilter(isFilter),
          _as(std::move(as)),
          _input(std::move(input)),
          _body(std::move(body)),
          _limit(std::move(limit)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        const char* op = _isFilter ? "$filter" : "$map";
        auto in = _input->evaluate(vars);
        if (!in.isOK()) return in;
        if (in.getValue().nullish()) return Value::null();
        if (!in.getValue().isArray())
            return exprTypeError(_isFilter ? ErrorCodes::Location28651 : ErrorCodes::Location16883,
                                 "input to " + std::string(op) + " must be an array not ",
                                 in.getValue());
        int64_t limit = INT64_MAX;
        if (_limit) {
            auto l = _limit->evaluate(vars);
            if (!l.isOK()) return l;
            if (!l.getValue().nullish()) {
                auto n =
                    intArg(l.getValue(), ErrorCodes::BadValue,
                           "$filter: limit must be a numeric value, found: ", ErrorCodes::BadValue,
                           "$filter: limit must be representable as a 32-bit integer: ");
                if (!n.isOK()) return n.getStatus();
                if (n.getValue() <= 0) return badValue("$filter: limit must be greater than 0");
                limit = n.getValue();
            }
        }
        std::vector<Value> out;
        for (const auto& elem : in.getValue().arrayElements()) {
            if (static_cast<int64_t>(out.size()) >= limit) break;
            Variables scope(&vars, {{_as, elem}});
            auto r = _body->evaluate(scope);
            if (!r.isOK()) return r;
            if (!_isFilter)
                out.push_back(std::move(r.getValue()));
            else if (r.getValue().truthy())
                out.push_back(elem);
        }
        return Value::array(out);
    }

private:
    bool _isFilter;
    std::string _as;
    ExprPtr _input, _body, _limit;
};

StatusWith<ExprPtr> parseIterate(bool isFilter, const bson_iter_t& arg, const ParseContext& ctx) {
    const char* op = isFilter ? "$filter" : "$map";
    const char* bodyName = isFilter ? "cond" : "in";
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return exprError(isFilter ? ErrorCodes::Location28646 : ErrorCodes::Location16878,
                         std::string(op) + " only supports an object as its argument");
    std::string as = "this";
    MaybeIter input, body, limit;
    bson_iter_t it;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) {
        std::string_view k = iterKey(it);
        if (k == "input")
            input = it;
        else if (k == bodyName)
            body = it;
        else if (k == "limit" && isFilter)
            limit = it;
        else if (k == "as") {
            if (!BSON_ITER_HOLDS_UTF8(&it))
                return badValue(std::string(op) + ": 'as' must be a string");
            as = bson_iter_utf8(&it, nullptr);
            MONGOSD_RETURN_IF_ERROR(checkVariableName(as));
        } else {
            return exprError(
                isFilter ? ErrorCodes::Location28647 : ErrorCodes::Location16879,
                "Unrecognized parameter to " + std::string(op) + ": " + std::string(k));
        }
    }
    if (!input)
        return exprError(isFilter ? ErrorCodes::Location28648 : ErrorCodes::Location16880,
                         "Missing 'input' parameter to " + std::string(op));
    if (!body)
        return exprError(isFilter ? ErrorCodes::Location28650 : ErrorCodes::Location16882,
                         "Missing '" + std::string(bodyName) + "' parameter to " + std::string(op));
    auto inExpr = parseExpression(*input, ctx);
    if (!inExpr.isOK()) return inExpr.getStatus();
    auto inner = nested(ctx, {as});
    if (!inner.isOK()) return inner.getStatus();
    auto bodyExpr = parseExpression(*body, inner.getValue());
    if (!bodyExpr.isOK()) return bodyExpr.getStatus();
    ExprPtr limitExpr;
    if (limit) {
        auto l = parseExpression(*limit, ctx);
        if (!l.isOK()) return l.getStatus();
        limitExpr = std::move(l.getValue());
    }
    return ExprPtr(std::make_unique<IterateExpr>(isFilter, as, std::move(inExpr.getValue()),
                                                 std::move(bodyExpr.getValue()),
                                                 std::move(limitExpr)));
}

class ReduceExpr final : public Expression {
public:
    ReduceExpr(ExprPtr input, ExprPtr init, ExprPtr in)
        : _input(std::move(input)), _init(std::move(init)), _in(std::move(in)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        auto in = _input->evaluate(vars);
        if (!in.isOK()) return in;
        if (in.getValue().nullish()) return Value::null();
        if (!in.getValue().isArray())
            return exprError(
                ErrorCodes::Location40080,
                "$reduce requires that 'input' be an array, found: " + in.getValue().toString());
        auto acc = _init->evaluate(vars);
        if (!acc.isOK()) return acc;
        Value value = acc.getValue();
        for (const auto& elem : in.getValue().arrayElements()) {
            Variables scope(&vars, {{"value", value}, {"this", elem}});
            auto r = _in->evaluate(scope);
            if (!r.isOK()) return r;
            value = std::move(r.getValue());
            // Feeding $$value back into a literal nests one level per element: stop at
            // MongoDB's depth limit instead of building a document no client can take.
            auto t = value.type();
            if ((t == BSON_TYPE_DOCUMENT || t == BSON_TYPE_ARRAY) &&
                !checkDepth(value.nested(), kMaxBsonDepth - 1).isOK())
                return Status(ErrorCodes::Overflow,
                              "$reduce: the accumulated value nests deeper than " +
                                  std::to_string(kMaxBsonDepth) + " levels");
        }
        return value;
    }

private:
    ExprPtr _input, _init, _in;
};

StatusWith<ExprPtr> parseReduce(const bson_iter_t& arg, const ParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return exprError(ErrorCodes::Location40075,
                         "$reduce requires an object as an argument, found: " +
                             std::string(typeName(Value::fromIter(arg))));
    MaybeIter parts[3];
    const char* names[3] = {"input", "initialValue", "in"};
    bson_iter_t it;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) {
        size_t i = 0;
        while (i < 3 && iterKey(it) != names[i]) ++i;
        if (i == 3)
            return exprError(ErrorCodes::Location40076,
                             "$reduce found an unknown argument: " + std::string(iterKey(it)));
        parts[i] = it;
    }
    ExprPtr exprs[3];
    const ErrorCodes::Error missing[3] = {ErrorCodes::Location40077, ErrorCodes::Location40078,
                                          ErrorCodes::Location40079};
    for (size_t i = 0; i < 3; ++i) {
        if (!parts[i])
            return exprError(missing[i],
                             std::string("$reduce requires '") + names[i] + "' to be specified");
        auto inner = i == 2 ? nested(ctx, {"value", "this"}) : StatusWith<ParseContext>(ctx);
        if (!inner.isOK()) return inner.getStatus();
        auto e = parseExpression(*parts[i], inner.getValue());
        if (!e.isOK()) return e.getStatus();
        exprs[i] = std::move(e.getValue());
    }
    return ExprPtr(std::make_unique<ReduceExpr>(std::move(exprs[0]), std::move(exprs[1]),
                                                std::move(exprs[2])));
}

}  // namespace

void registerArrayOperators() {
    registerNary("$size", 1, 1, size);
    registerNary("$arrayElemAt", 2, 2, arrayElemAt);
    registerNary("$first", 1, 1, firstOrLast(true));
    registerNary("$last", 1, 1, firstOrLast(false));
    registerNary("$in", 2, 2, in);
    registerNary("$slice", 2, 3, slice);
    registerNary("$concatArrays", 0, -1, concatArrays);
    registerNary("$isArray", 1, 1, [](const std::vector<Value>& a) -> StatusWith<Value> {
        return Value::boolean(a[0].isArray());
    });
    registerNary("$range", 2, 3, range);
    registerNary("$reverseArray", 1, 1, reverseArray);
    registerNary("$indexOfArray", 2, 4, indexOfArray);
    registerOperator("$filter", [](const bson_iter_t& arg, const ParseContext& ctx) {
        return parseIterate(true, arg, ctx);
    });
    registerOperator("$map", [](const bson_iter_t& arg, const ParseContext& ctx) {
        return parseIterate(false, arg, ctx);
    });
    registerOperator("$reduce", parseReduce);
}

}  // namespace mongosd::query::expr
