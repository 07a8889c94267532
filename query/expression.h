#pragma once
// The aggregation expression language ($add, $cond, "$a.b", {$map: ...}, ...): a spec is parsed
// once from BSON into an immutable tree of Expression nodes, then evaluated against many
// documents. Semantics follow MongoDB's aggregation expressions (docs/query.md). Pure: no I/O.
// A parsed tree is immutable and may be shared by threads.

#include <bson/bson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bson.h"
#include "common/status.h"

namespace mongosd::query {

// A computed value. Owns its bytes as {"": v}; "missing" (no value at all, e.g. a field that is
// not there or $$REMOVE) is distinct from null. Cheap to copy (the bytes are shared).
class Value {
public:
    Value() = default;  // missing
    static Value fromIter(const bson_iter_t& it);
    // Wraps a holder document {"": v} (its first element is the value).
    static Value fromHolder(BsonObj holder);
    static Value null();
    static Value int32(int32_t v);
    static Value int64(int64_t v);
    static Value dbl(double v);
    static Value boolean(bool v);
    static Value string(std::string_view v);
    static Value date(int64_t msSinceEpoch);
    // An array of the values; missing elements become null (as MongoDB's array literals).
    static Value array(const std::vector<Value>& elems);
    static Value document(BsonView doc);

    bool missing() const { return !_holder.has_value(); }
    // BSON_TYPE_EOD when missing.
    bson_type_t type() const;
    // Missing, null or undefined.
    bool nullish() const;
    bool isNumber() const;
    bool isArray() const { return type() == BSON_TYPE_ARRAY; }
    // MongoDB's truthiness: false, null, undefined, missing and numeric zero are false.
    bool truthy() const;

    // Positioned on the value; invariant: !missing().
    bson_iter_t iter() const;
    // Numbers as double / int64 (invariant: isNumber(); doubles truncate, decimals convert).
    double asDouble() const;
    int64_t asInt64() const;
    // invariant: type() == BSON_TYPE_UTF8.
    std::string_view str() const;
    // The embedded document or array (invariant: holds one).
    BsonView nested() const;
    // Elements of an array value (invariant: isArray()).
    std::vector<Value> arrayElements() const;
    int64_t dateMs() const;

    // Appends the value under `key` (nothing when missing).
    void appendTo(BsonBuilder& b, std::string_view key) const;
    // Relaxed Extended JSON of the value; "MISSING" when missing. For messages and tests.
    std::string toString() const;

private:
    std::optional<BsonObj> _holder;
};

// MongoDB's comparison of two values: missing sorts with undefined (below null), then
// compareValues' order. Returns -1, 0 or 1.
int compareValue(const Value& a, const Value& b);

// The variables an expression sees: $$ROOT, $$CURRENT ("$a" is "$$CURRENT.a") and the ones
// bound by $let/$map/$filter/$reduce, innermost last. Child scopes point at their parent.
struct Variables {
    explicit Variables(BsonView rootDoc) : root(Value::document(rootDoc)), current(root) {}
    Variables(const Variables* parentScope, std::vector<std::pair<std::string, Value>> vars)
        : root(parentScope->root),
          current(parentScope->current),
          parent(parentScope),
          bound(std::move(vars)) {}

    // A variable by name (without "$$"): ROOT, CURRENT, REMOVE or a bound one; missing if none.
    Value lookup(std::string_view name) const;

    Value root;
    Value current;
    const Variables* parent = nullptr;
    std::vector<std::pair<std::string, Value>> bound;
};

// Parse-time context: the variable names in scope (checked at parse time, as MongoDB does) and
// the nesting depth, capped at kMaxBsonDepth (Overflow beyond).
struct ParseContext {
    std::vector<std::string> scope;
    int depth = 0;
};

class Expression {
public:
    virtual ~Expression();
    virtual StatusWith<Value> evaluate(const Variables& vars) const = 0;
};

// Parses the expression `spec` points at: a literal, "$path", "$$var", {$op: args}, or an
// object/array literal whose members are expressions. Errors: InvalidPipelineOperator (unknown
// $op), BadValue (wrong arity or shape, undefined variable), Overflow (nesting over 100).
StatusWith<std::unique_ptr<Expression>> parseExpression(const bson_iter_t& spec,
                                                        const ParseContext& ctx);

// Convenience: parses the value of {"": spec} style documents' first element and evaluates it
// against `doc` with fresh variables.
StatusWith<Value> evaluateExpression(const Expression& expr, BsonView doc);

}  // namespace mongosd::query
