#pragma once
// Shared by the expression family files (expression_*.cpp): the operator registry and the
// node shapes most operators use. Not part of query/'s public API.

#include <functional>
#include <string>
#include <string_view>

#include "query/expression.h"

namespace mongosd::query::expr {

using ExprPtr = std::unique_ptr<Expression>;
using ExprList = std::vector<ExprPtr>;
// Parses the operator's argument (the value of {$op: arg}).
using OperatorParser =
    std::function<StatusWith<ExprPtr>(const bson_iter_t& arg, const ParseContext& ctx)>;
// Computes an operator from its evaluated arguments.
using NaryFn = std::function<StatusWith<Value>(const std::vector<Value>& args)>;

void registerOperator(const std::string& name, OperatorParser parser);
// An operator whose arguments are all evaluated first: {$op: [a, b]} or {$op: a} (one argument).
// maxArgs < 0: no upper bound.
void registerNary(const std::string& name, int minArgs, int maxArgs, NaryFn fn);

// Called once before the first parse (each family file defines one).
void registerCoreOperators();
void registerArithOperators();
void registerStringOperators();
void registerArrayOperators();
void registerTypeOperators();
void registerDateOperators();
// $sum $avg $min $max $stdDevPop $stdDevSamp as expressions (expression_accumulators.cpp).
void registerAccumulatorOperators();

// Parses the arguments of an operator given as an array or as one value.
StatusWith<ExprList> parseArgs(const bson_iter_t& arg, const ParseContext& ctx);
// Parses an operator taking named arguments ({input: ..., as: ...}): fills `out[i]` for each
// name in `names` (nullptr when absent). Unknown names and missing required ones are BadValue.
// MongoDB's codes for an operator's named-argument errors (BadValue where it has none).
struct NamedArgCodes {
    ErrorCodes::Error notObject = ErrorCodes::BadValue;
    ErrorCodes::Error unknown = ErrorCodes::BadValue;
    // Parallel to `required`; empty: BadValue for each.
    std::vector<ErrorCodes::Error> missing;
};
Status parseNamedArgs(std::string_view op, const bson_iter_t& arg, const ParseContext& ctx,
                      const std::vector<std::string>& names,
                      const std::vector<std::string>& required, std::vector<ExprPtr>& out,
                      const NamedArgCodes& codes = {});
// A context one level deeper, with `vars` added to the scope.
StatusWith<ParseContext> nested(const ParseContext& ctx, const std::vector<std::string>& vars = {});
Status checkVariableName(std::string_view name);

ExprPtr makeConstant(Value v);

// Evaluates an optional child: missing when absent.
StatusWith<Value> evalOpt(const ExprPtr& e, const Variables& vars);

Status typeError(std::string_view op, std::string_view what, const Value& got);
// An error carrying MongoDB's assertion code for the case (ErrorCodes::Location<n> when MongoDB
// gives it no name), so clients that test codes see what a real server answers.
Status exprError(ErrorCodes::Error code, std::string message);
// exprError with "<what><type of got>": MongoDB's "..., found: string" / "..., not string".
Status exprTypeError(ErrorCodes::Error code, std::string_view what, const Value& got);
Status badValue(std::string reason);
// MongoDB's type name ("double", "string", "missing", ...).
std::string_view typeName(const Value& v);
// The shortest decimal text that reads back as the same double ("1.5", "2", "1e+20").
std::string formatDouble(double d);

// A start or end position of $indexOfArray / $indexOfBytes / $indexOfCP: integral (40096) and
// non-negative (40097), as MongoDB checks them.
StatusWith<int64_t> indexOfBound(std::string_view op, const Value& v, std::string_view what);

// Converts a number to int64 if it is integral and fits (decimal: no).
std::optional<int64_t> toIntegral(const Value& v);

}  // namespace mongosd::query::expr
