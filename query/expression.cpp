// Parsing of expressions: literals, field paths, variables, object/array literals and the
// operator registry; the shared helpers of expression_internal.h.
#include "query/expression.h"

#include <cctype>
#include <cmath>
#include <map>
#include <mutex>

#include "query/expression_internal.h"

namespace mongosd::query {

Expression::~Expression() = default;

namespace expr {
namespace {

std::map<std::string, OperatorParser, std::less<>>& registry() {
    static std::map<std::string, OperatorParser, std::less<>> r;
    return r;
}

void ensureRegistered() {
    static std::once_flag once;
    std::call_once(once, [] {
        registerCoreOperators();
        registerArithOperators();
        registerStringOperators();
        registerArrayOperators();
        registerTypeOperators();
        registerDateOperators();
        registerAccumulatorOperators();
    });
}

class ConstantExpr final : public Expression {
public:
    explicit ConstantExpr(Value v) : _v(std::move(v)) {}
    StatusWith<Value> evaluate(const Variables&) const override { return _v; }

private:
    Value _v;
};

// Walks one path component through a value (MongoDB's ExpressionFieldPath::evaluatePath):
// documents are looked into; arrays map the rest of the path over their elements, keeping
// documents' results (nested arrays recurse) and dropping other elements.
Value walkPath(const Value& v, const std::vector<std::string>& parts, size_t i);

Value walkArray(const Value& arr, const std::vector<std::string>& parts, size_t i) {
    std::vector<Value> out;
    for (const Value& elem : arr.arrayElements()) {
        if (elem.type() == BSON_TYPE_DOCUMENT) {
            Value r = walkPath(elem, parts, i);
            if (!r.missing()) out.push_back(std::move(r));
        } else if (elem.isArray()) {
            out.push_back(walkArray(elem, parts, i));
        }
    }
    return Value::array(out);
}

Value walkPath(const Value& v, const std::vector<std::string>& parts, size_t i) {
    if (i == parts.size()) return v;
    if (v.isArray()) return walkArray(v, parts, i);
    if (v.type() != BSON_TYPE_DOCUMENT) return Value();
    bson_iter_t field;
    if (!v.nested().find(parts[i], &field)) return Value();
    Value child = Value::fromIter(field);
    if (i + 1 == parts.size()) return child;
    if (child.isArray()) return walkArray(child, parts, i + 1);
    return walkPath(child, parts, i + 1);
}

// "$a.b" or "$$var.a.b".
class PathExpr final : public Expression {
public:
    PathExpr(std::string var, std::vector<std::string> parts)
        : _var(std::move(var)), _parts(std::move(parts)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        if (_var == "REMOVE") return Value();
        Value base = vars.lookup(_var);
        if (_parts.empty()) return base;
        return walkPath(base, _parts, 0);  // an array-valued variable maps the path over it
    }

private:
    std::string _var;
    std::vector<std::string> _parts;
};

class ObjectExpr final : public Expression {
public:
    explicit ObjectExpr(std::vector<std::pair<std::string, ExprPtr>> fields)
        : _fields(std::move(fields)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        BsonBuilder doc;
        for (const auto& [name, e] : _fields) {
            auto v = e->evaluate(vars);
            if (!v.isOK()) return v.getStatus();
            v.getValue().appendTo(doc, name);  // missing fields are left out
        }
        return Value::document(doc.obj());
    }

private:
    std::vector<std::pair<std::string, ExprPtr>> _fields;
};

class ArrayExpr final : public Expression {
public:
    explicit ArrayExpr(ExprList elems) : _elems(std::move(elems)) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        std::vector<Value> out;
        out.reserve(_elems.size());
        for (const auto& e : _elems) {
            auto v = e->evaluate(vars);
            if (!v.isOK()) return v.getStatus();
            out.push_back(std::move(v.getValue()));
        }
        return Value::array(out);
    }

private:
    ExprList _elems;
};

class NaryExpr final : public Expression {
public:
    NaryExpr(ExprList args, const NaryFn* fn) : _args(std::move(args)), _fn(fn) {}
    StatusWith<Value> evaluate(const Variables& vars) const override {
        std::vector<Value> values;
        values.reserve(_args.size());
        for (const auto& e : _args) {
            auto v = e->evaluate(vars);
            if (!v.isOK()) return v.getStatus();
            values.push_back(std::move(v.getValue()));
        }
        return (*_fn)(values);
    }

private:
    ExprList _args;
    const NaryFn* _fn;  // owned by the registry, which lives for the process
};

StatusWith<ExprPtr> parsePath(std::string_view s, const ParseContext& ctx) {
    std::string var = "CURRENT";
    std::string_view rest;
    if (s.substr(0, 2) == "$$") {
        std::string_view body = s.substr(2);
        size_t dot = body.find('.');
        var = std::string(body.substr(0, dot));
        if (dot != std::string_view::npos) rest = body.substr(dot + 1);
        if (var.empty()) return badValue("empty variable name");
        bool builtin = var == "ROOT" || var == "CURRENT" || var == "REMOVE";
        bool inScope = false;
        for (const auto& name : ctx.scope) inScope = inScope || name == var;
        if (!builtin && !inScope) return badValue("Use of undefined variable: " + var);
        if (dot != std::string_view::npos && rest.empty())
            return badValue("FieldPath must not end with a '.'.");
    } else {
        rest = s.substr(1);
        if (rest.empty()) return badValue("'$' by itself is not a valid FieldPath");
    }
    std::vector<std::string> parts;
    size_t start = 0;
    while (!rest.empty() && start <= rest.size()) {
        size_t dot = rest.find('.', start);
        std::string_view part =
            rest.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (part.empty()) return badValue("FieldPath field names may not be empty strings.");
        if (part[0] == '$')
            return badValue("FieldPath field names may not start with '$': " + std::string(s));
        parts.emplace_back(part);
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return ExprPtr(std::make_unique<PathExpr>(std::move(var), std::move(parts)));
}

StatusWith<ExprPtr> parseObject(const bson_iter_t& spec, const ParseContext& ctx) {
    auto inner = nested(ctx);
    if (!inner.isOK()) return inner.getStatus();
    bson_iter_t it;
    bson_iter_recurse(&spec, &it);
    bson_iter_t first = it;
    if (bson_iter_next(&first) && iterKey(first).substr(0, 1) == "$") {
        std::string_view op = iterKey(first);
        bson_iter_t more = first;
        if (bson_iter_next(&more))
            return exprError(ErrorCodes::Location15983,
                             "An object representing an expression must have exactly one "
                             "field");
        auto found = registry().find(op);
        if (found == registry().end())
            return Status(ErrorCodes::InvalidPipelineOperator,
                          "Unrecognized expression '" + std::string(op) + "'");
        return found->second(first, inner.getValue());
    }
    std::vector<std::pair<std::string, ExprPtr>> fields;
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (key.empty()) return badValue("field names may not be empty in an object expression");
        if (key[0] == '$')
            return badValue("field names may not start with '$' in an object expression: " +
                            std::string(key));
        if (key.find('.') != std::string_view::npos)
            return badValue("field names may not contain '.' in an object expression: " +
                            std::string(key));
        auto e = parseExpression(it, inner.getValue());
        if (!e.isOK()) return e.getStatus();
        fields.emplace_back(std::string(key), std::move(e.getValue()));
    }
    return ExprPtr(std::make_unique<ObjectExpr>(std::move(fields)));
}

}  // namespace

ExprPtr makeConstant(Value v) { return std::make_unique<ConstantExpr>(std::move(v)); }

void registerOperator(const std::string& name, OperatorParser parser) {
    registry()[name] = std::move(parser);
}

namespace {

// MongoDB's ExpressionFixedArity (16020) and ExpressionRangedArity (28667) messages. Operators
// with only a lower bound have their own codes in MongoDB; BadValue stands in for them.
Status arityError(const std::string& name, int minArgs, int maxArgs, int n) {
    std::string passed = std::to_string(n) + " were passed in.";
    if (minArgs == maxArgs)
        return exprError(ErrorCodes::Location16020, "Expression " + name + " takes exactly " +
                                                        std::to_string(minArgs) + " arguments. " +
                                                        passed);
    if (maxArgs >= 0)
        return exprError(ErrorCodes::Location28667,
                         "Expression " + name + " takes at least " + std::to_string(minArgs) +
                             " arguments, and at most " + std::to_string(maxArgs) + ", but " +
                             passed);
    return badValue("Expression " + name + " takes at least " + std::to_string(minArgs) +
                    " arguments. " + passed);
}

}  // namespace

void registerNary(const std::string& name, int minArgs, int maxArgs, NaryFn fn) {
    // The function lives in the registry's closure for the whole process.
    auto shared = std::make_shared<const NaryFn>(std::move(fn));
    registerOperator(
        name,
        [name, minArgs, maxArgs, shared](const bson_iter_t& arg,
                                         const ParseContext& ctx) -> StatusWith<ExprPtr> {
            auto args = parseArgs(arg, ctx);
            if (!args.isOK()) return args.getStatus();
            int n = static_cast<int>(args.getValue().size());
            if (n < minArgs || (maxArgs >= 0 && n > maxArgs))
                return arityError(name, minArgs, maxArgs, n);
            return ExprPtr(std::make_unique<NaryExpr>(std::move(args.getValue()), shared.get()));
        });
}

StatusWith<ExprList> parseArgs(const bson_iter_t& arg, const ParseContext& ctx) {
    ExprList out;
    if (BSON_ITER_HOLDS_ARRAY(&arg)) {
        auto inner = nested(ctx);
        if (!inner.isOK()) return inner.getStatus();
        bson_iter_t it;
        bson_iter_recurse(&arg, &it);
        while (bson_iter_next(&it)) {
            auto e = parseExpression(it, inner.getValue());
            if (!e.isOK()) return e.getStatus();
            out.push_back(std::move(e.getValue()));
        }
        return out;
    }
    auto e = parseExpression(arg, ctx);
    if (!e.isOK()) return e.getStatus();
    out.push_back(std::move(e.getValue()));
    return out;
}

Status parseNamedArgs(std::string_view op, const bson_iter_t& arg, const ParseContext& ctx,
                      const std::vector<std::string>& names,
                      const std::vector<std::string>& required, std::vector<ExprPtr>& out,
                      const NamedArgCodes& codes) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return exprError(codes.notObject, std::string(op) + " expects an object as its argument");
    out.clear();
    out.resize(names.size());
    bson_iter_t it;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        size_t i = 0;
        while (i < names.size() && names[i] != key) ++i;
        if (i == names.size())
            return exprError(codes.unknown,
                             std::string(op) + " found an unknown argument: " + std::string(key));
        auto e = parseExpression(it, ctx);
        if (!e.isOK()) return e.getStatus();
        out[i] = std::move(e.getValue());
    }
    for (size_t r = 0; r < required.size(); ++r) {
        ErrorCodes::Error code = r < codes.missing.size() ? codes.missing[r] : ErrorCodes::BadValue;
        for (size_t i = 0; i < names.size(); ++i)
            if (names[i] == required[r] && !out[i])
                return exprError(
                    code, std::string(op) + " requires '" + required[r] + "' to be specified");
    }
    return Status::OK();
}

StatusWith<ParseContext> nested(const ParseContext& ctx, const std::vector<std::string>& vars) {
    if (ctx.depth + 1 > kMaxBsonDepth)
        return Status(ErrorCodes::Overflow, "expression nests deeper than 100 levels");
    ParseContext inner = ctx;
    inner.depth++;
    inner.scope.insert(inner.scope.end(), vars.begin(), vars.end());
    return inner;
}

Status checkVariableName(std::string_view name) {
    if (name.empty()) return badValue("empty variable names are not allowed");
    unsigned char c0 = static_cast<unsigned char>(name[0]);
    if (!(c0 >= 'a' && c0 <= 'z') && c0 < 0x80)
        return badValue("'" + std::string(name) +
                        "' starts with an invalid character for a "
                        "user variable name");
    for (char c : name) {
        unsigned char u = static_cast<unsigned char>(c);
        if (!(std::isalnum(u) || c == '_' || u >= 0x80))
            return badValue("'" + std::string(name) +
                            "' contains an invalid character for a "
                            "variable name");
    }
    return Status::OK();
}

StatusWith<Value> evalOpt(const ExprPtr& e, const Variables& vars) {
    if (!e) return Value();
    return e->evaluate(vars);
}

Status typeError(std::string_view op, std::string_view what, const Value& got) {
    return Status(ErrorCodes::TypeMismatch, std::string(op) + " " + std::string(what) + ", found " +
                                                std::string(typeName(got)));
}

Status exprError(ErrorCodes::Error code, std::string message) {
    return Status(code, std::move(message));
}

Status exprTypeError(ErrorCodes::Error code, std::string_view what, const Value& got) {
    return Status(code, std::string(what) + std::string(typeName(got)));
}

StatusWith<int64_t> indexOfBound(std::string_view op, const Value& v, std::string_view what) {
    auto n = toIntegral(v);
    if (!n || *n < INT32_MIN || *n > INT32_MAX)
        return exprError(ErrorCodes::Location40096,
                         std::string(op) + "requires an integral " + std::string(what) +
                             ", found a value of type: " + std::string(typeName(v)) +
                             ", with value: " + v.toString());
    if (*n < 0)
        return exprError(ErrorCodes::Location40097, std::string(op) + " requires a nonnegative " +
                                                        std::string(what) +
                                                        ", found: " + v.toString());
    return *n;
}

Status badValue(std::string reason) { return Status(ErrorCodes::BadValue, std::move(reason)); }

std::optional<int64_t> toIntegral(const Value& v) {
    switch (v.type()) {
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
            return v.asInt64();
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_DECIMAL128: {
            double d = v.asDouble();
            if (std::trunc(d) != d || !(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
                return std::nullopt;
            return static_cast<int64_t>(d);
        }
        default:
            return std::nullopt;
    }
}

}  // namespace expr

StatusWith<std::unique_ptr<Expression>> parseExpression(const bson_iter_t& spec,
                                                        const ParseContext& ctx) {
    using namespace expr;
    ensureRegistered();
    if (ctx.depth > kMaxBsonDepth)
        return Status(ErrorCodes::Overflow, "expression nests deeper than 100 levels");
    if (BSON_ITER_HOLDS_UTF8(&spec)) {
        uint32_t len = 0;
        const char* s = bson_iter_utf8(&spec, &len);
        std::string_view sv(s, len);
        if (!sv.empty() && sv[0] == '$') return parsePath(sv, ctx);
    }
    if (BSON_ITER_HOLDS_DOCUMENT(&spec)) return parseObject(spec, ctx);
    if (BSON_ITER_HOLDS_ARRAY(&spec)) {
        auto args = parseArgs(spec, ctx);
        if (!args.isOK()) return args.getStatus();
        return ExprPtr(std::make_unique<ArrayExpr>(std::move(args.getValue())));
    }
    return ExprPtr(std::make_unique<ConstantExpr>(Value::fromIter(spec)));
}

StatusWith<Value> evaluateExpression(const Expression& e, BsonView doc) {
    Variables vars(doc);
    return e.evaluate(vars);
}

}  // namespace mongosd::query
