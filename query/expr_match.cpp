// {$expr: expression}: the match node that evaluates an aggregation expression against the
// whole document and tests the result's truthiness (MongoDB's ExprMatchExpression).
#include "query/expression.h"
#include "query/filter_parser.h"

namespace mongosd::query {
namespace {

class ExprMatch final : public MatchExpression {
public:
    ExprMatch(std::unique_ptr<Expression> expr, const Variables* outer)
        : _expr(std::move(expr)), _outer(outer) {}

    // A run-time error counts as "no match" here; matchesChecked() reports it instead.
    bool matches(BsonView doc) const override {
        auto v = evaluate(doc);
        return v.isOK() && v.getValue().truthy();
    }
    bool matchesReportingError(BsonView doc, std::optional<size_t>*, Status* error) const override {
        auto v = evaluate(doc);
        if (v.isOK()) return v.getValue().truthy();
        if (error->isOK()) *error = v.getStatus();
        return false;
    }
    // $expr is rejected inside $elemMatch and field operators, the only callers of this.
    bool matchesElement(const bson_iter_t&) const override { return false; }

private:
    StatusWith<Value> evaluate(BsonView doc) const {
        Variables vars(doc);
        vars.parent = _outer;
        return _expr->evaluate(vars);
    }

    std::unique_ptr<Expression> _expr;
    const Variables* _outer;  // FilterLimits::variables; owned by the caller
};

}  // namespace

StatusWith<std::unique_ptr<MatchExpression>> parseExprMatch(const bson_iter_t& arg,
                                                            const FilterParseContext& ctx) {
    if (ctx.inElemMatch)
        return Status(ErrorCodes::BadValue, "$expr can only be applied to the top-level document");
    ParseContext exprCtx;
    exprCtx.depth = ctx.depth;
    for (const Variables* s = ctx.limits.variables; s; s = s->parent)
        for (const auto& [name, value] : s->bound) exprCtx.scope.push_back(name);
    auto expr = parseExpression(arg, exprCtx);
    if (!expr.isOK()) return expr.getStatus();
    return std::unique_ptr<MatchExpression>(
        std::make_unique<ExprMatch>(std::move(expr.getValue()), ctx.limits.variables));
}

}  // namespace mongosd::query
