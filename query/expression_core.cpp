// Core operators: $literal, $let, $cond, $ifNull, $switch, $and, $or, $not and comparisons.
#include "query/expression_internal.h"

namespace mongosd::query::expr {
namespace {

class LetExpr final : public Expression {
public:
    LetExpr(std::vector<std::pair<std::string, ExprPtr>> vars, ExprPtr in)
        : _vars(std::move(vars)), _in(std::move(in)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        std::vector<std::pair<std::string, Value>> bound;
        for (const auto& [name, e] : _vars) {
            auto v = e->evaluate(vars);  // each sees the outer scope only, as MongoDB's $let
            if (!v.isOK()) return v.getStatus();
            bound.emplace_back(name, std::move(v.getValue()));
        }
        Variables scope(&vars, std::move(bound));
        return _in->evaluate(scope);
    }

private:
    std::vector<std::pair<std::string, ExprPtr>> _vars;
    ExprPtr _in;
};

StatusWith<ExprPtr> parseLet(const bson_iter_t& arg, const ParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return exprError(ErrorCodes::Location16874, "$let only supports an object as its argument");
    bson_iter_t it, varsIt, inIt;
    bool haveVars = false, haveIn = false;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) {
        std::string_view k = iterKey(it);
        if (k == "vars") {
            varsIt = it;
            haveVars = true;
        } else if (k == "in") {
            inIt = it;
            haveIn = true;
        } else {
            return exprError(ErrorCodes::Location16875,
                             "Unrecognized parameter to $let: " + std::string(k));
        }
    }
    if (!haveVars) return exprError(ErrorCodes::Location16876, "Missing 'vars' parameter to $let");
    if (!haveIn) return exprError(ErrorCodes::Location16877, "Missing 'in' parameter to $let");
    if (!BSON_ITER_HOLDS_DOCUMENT(&varsIt))
        return badValue("invalid parameter: expected an object (vars)");
    std::vector<std::pair<std::string, ExprPtr>> vars;
    std::vector<std::string> names;
    bson_iter_t v;
    bson_iter_recurse(&varsIt, &v);
    while (bson_iter_next(&v)) {
        std::string name(iterKey(v));
        // Rebinding CURRENT is allowed (it changes what "$a" means inside `in`).
        if (name != "CURRENT") MONGOSD_RETURN_IF_ERROR(checkVariableName(name));
        auto e = parseExpression(v, ctx);
        if (!e.isOK()) return e.getStatus();
        vars.emplace_back(name, std::move(e.getValue()));
        names.push_back(name);
    }
    auto inner = nested(ctx, names);
    if (!inner.isOK()) return inner.getStatus();
    auto in = parseExpression(inIt, inner.getValue());
    if (!in.isOK()) return in.getStatus();
    return ExprPtr(std::make_unique<LetExpr>(std::move(vars), std::move(in.getValue())));
}

// $cond, $ifNull, $switch, $and, $or evaluate lazily: a list of conditions and results.
class CondExpr final : public Expression {
public:
    CondExpr(ExprList cases, ExprList thens, ExprPtr otherwise)
        : _cases(std::move(cases)), _thens(std::move(thens)), _else(std::move(otherwise)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        for (size_t i = 0; i < _cases.size(); ++i) {
            auto c = _cases[i]->evaluate(vars);
            if (!c.isOK()) return c.getStatus();
            if (c.getValue().truthy()) return _thens[i]->evaluate(vars);
        }
        if (!_else)
            return exprError(ErrorCodes::Location40066,
                             "$switch could not find a matching branch for an input, and no "
                             "default was specified.");
        return _else->evaluate(vars);
    }

private:
    ExprList _cases, _thens;
    ExprPtr _else;
};

StatusWith<ExprPtr> parseCond(const bson_iter_t& arg, const ParseContext& ctx) {
    std::vector<ExprPtr> parts;
    if (BSON_ITER_HOLDS_DOCUMENT(&arg)) {
        NamedArgCodes codes{
            ErrorCodes::BadValue,
            ErrorCodes::Location17083,
            {ErrorCodes::Location17080, ErrorCodes::Location17081, ErrorCodes::Location17082}};
        MONGOSD_RETURN_IF_ERROR(parseNamedArgs("$cond", arg, ctx, {"if", "then", "else"},
                                               {"if", "then", "else"}, parts, codes));
    } else {
        auto args = parseArgs(arg, ctx);
        if (!args.isOK()) return args.getStatus();
        if (args.getValue().size() != 3)
            return exprError(ErrorCodes::Location16020,
                             "Expression $cond takes exactly 3 arguments. " +
                                 std::to_string(args.getValue().size()) + " were passed in.");
        parts = std::move(args.getValue());
    }
    ExprList cases, thens;
    cases.push_back(std::move(parts[0]));
    thens.push_back(std::move(parts[1]));
    return ExprPtr(
        std::make_unique<CondExpr>(std::move(cases), std::move(thens), std::move(parts[2])));
}

StatusWith<ExprPtr> parseSwitch(const bson_iter_t& arg, const ParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return exprError(ErrorCodes::Location40060,
                         "$switch requires an object as an argument, found: " +
                             std::string(typeName(Value::fromIter(arg))));
    ExprList cases, thens;
    ExprPtr otherwise;
    bool haveBranches = false;
    bson_iter_t it;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) {
        std::string_view k = iterKey(it);
        if (k == "default") {
            auto e = parseExpression(it, ctx);
            if (!e.isOK()) return e.getStatus();
            otherwise = std::move(e.getValue());
        } else if (k == "branches") {
            if (!BSON_ITER_HOLDS_ARRAY(&it))
                return exprError(ErrorCodes::Location40061,
                                 "$switch expected an array for 'branches', found: " +
                                     std::string(typeName(Value::fromIter(it))));
            haveBranches = true;
            bson_iter_t b;
            bson_iter_recurse(&it, &b);
            while (bson_iter_next(&b)) {
                if (!BSON_ITER_HOLDS_DOCUMENT(&b))
                    return exprError(ErrorCodes::Location40062,
                                     "$switch expected each branch to be an object, found: " +
                                         std::string(typeName(Value::fromIter(b))));
                std::vector<ExprPtr> parts;
                NamedArgCodes codes{ErrorCodes::Location40062,
                                    ErrorCodes::Location40063,
                                    {ErrorCodes::Location40064, ErrorCodes::Location40065}};
                MONGOSD_RETURN_IF_ERROR(parseNamedArgs("$switch", b, ctx, {"case", "then"},
                                                       {"case", "then"}, parts, codes));
                cases.push_back(std::move(parts[0]));
                thens.push_back(std::move(parts[1]));
            }
        } else {
            return exprError(ErrorCodes::Location40067,
                             "$switch found an unknown argument: " + std::string(k));
        }
    }
    if (!haveBranches || cases.empty())
        return exprError(ErrorCodes::Location40068, "$switch requires at least one branch.");
    return ExprPtr(
        std::make_unique<CondExpr>(std::move(cases), std::move(thens), std::move(otherwise)));
}

class IfNullExpr final : public Expression {
public:
    explicit IfNullExpr(ExprList args) : _args(std::move(args)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        for (size_t i = 0; i + 1 < _args.size(); ++i) {
            auto v = _args[i]->evaluate(vars);
            if (!v.isOK() || !v.getValue().nullish()) return v;
        }
        return _args.back()->evaluate(vars);
    }

private:
    ExprList _args;
};

class AndOrExpr final : public Expression {
public:
    AndOrExpr(ExprList args, bool isAnd) : _args(std::move(args)), _isAnd(isAnd) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        for (const auto& a : _args) {
            auto v = a->evaluate(vars);
            if (!v.isOK()) return v.getStatus();
            if (v.getValue().truthy() != _isAnd) return Value::boolean(!_isAnd);
        }
        return Value::boolean(_isAnd);
    }

private:
    ExprList _args;
    bool _isAnd;
};

void registerComparison(const std::string& name, bool (*test)(int)) {
    registerNary(name, 2, 2, [test](const std::vector<Value>& a) -> StatusWith<Value> {
        return Value::boolean(test(compareValue(a[0], a[1])));
    });
}

}  // namespace

void registerCoreOperators() {
    registerOperator("$literal",
                     [](const bson_iter_t& arg, const ParseContext&) -> StatusWith<ExprPtr> {
                         return makeConstant(Value::fromIter(arg));
                     });
    registerOperator("$let", parseLet);
    registerOperator("$cond", parseCond);
    registerOperator("$switch", parseSwitch);
    registerOperator("$ifNull",
                     [](const bson_iter_t& arg, const ParseContext& ctx) -> StatusWith<ExprPtr> {
                         auto args = parseArgs(arg, ctx);
                         if (!args.isOK()) return args.getStatus();
                         if (args.getValue().size() < 2)
                             return badValue("$ifNull needs at least two arguments");
                         return ExprPtr(std::make_unique<IfNullExpr>(std::move(args.getValue())));
                     });
    for (bool isAnd : {true, false}) {
        registerOperator(
            isAnd ? "$and" : "$or",
            [isAnd](const bson_iter_t& arg, const ParseContext& ctx) -> StatusWith<ExprPtr> {
                auto args = parseArgs(arg, ctx);
                if (!args.isOK()) return args.getStatus();
                return ExprPtr(std::make_unique<AndOrExpr>(std::move(args.getValue()), isAnd));
            });
    }
    registerNary("$not", 1, 1, [](const std::vector<Value>& a) -> StatusWith<Value> {
        return Value::boolean(!a[0].truthy());
    });
    registerComparison("$eq", [](int c) { return c == 0; });
    registerComparison("$ne", [](int c) { return c != 0; });
    registerComparison("$gt", [](int c) { return c > 0; });
    registerComparison("$gte", [](int c) { return c >= 0; });
    registerComparison("$lt", [](int c) { return c < 0; });
    registerComparison("$lte", [](int c) { return c <= 0; });
    registerNary("$cmp", 2, 2, [](const std::vector<Value>& a) -> StatusWith<Value> {
        return Value::int32(compareValue(a[0], a[1]));
    });
}

}  // namespace mongosd::query::expr
