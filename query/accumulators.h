#pragma once
// $group's accumulators ($sum $avg $min $max $first $last $push $addToSet $stdDevPop
// $stdDevSamp; $count is $sum of 1): each folds the values of one group into a result, with
// MongoDB's rules (non-numbers ignored by $sum/$avg/$stdDev*, nullish ignored by $min/$max,
// missing skipped by $push/$addToSet, $first/$last of missing is null). Pure; one instance per
// group, one thread.

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "query/expression.h"

namespace mongosd::query {

class Accumulator {
public:
    virtual ~Accumulator() = default;
    virtual void process(const Value& v) = 0;
    virtual Value finish() const = 0;
    // Approximate bytes held (for the $group memory cap).
    virtual size_t memoryBytes() const { return 32; }
};

using AccumulatorFactory = std::function<std::unique_ptr<Accumulator>()>;

// The factory for "$sum" etc.; nullopt for an unknown name ($count is handled by the caller).
std::optional<AccumulatorFactory> accumulatorFactory(std::string_view name);

// Approximate bytes of a value (for memory accounting).
size_t valueBytes(const Value& v);

// Sums numbers with MongoDB's type widening: int32 while the total fits, then int64, then
// double (on int64 overflow or when a double is added). Non-numbers are ignored.
class NumericSum {
public:
    void add(const Value& v);
    Value result() const;
    int64_t count() const { return _count; }
    double asDouble() const { return _double; }

private:
    enum Width { kInt32, kInt64, kDouble };
    Width _width = kInt32;
    int64_t _int = 0;
    double _double = 0;
    int64_t _count = 0;
};

}  // namespace mongosd::query
