#include "query/accumulators.h"

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <vector>

namespace mongosd::query {
namespace {

struct ValueLess {
    bool operator()(const Value& a, const Value& b) const { return compareValue(a, b) < 0; }
};

class SumAccumulator final : public Accumulator {
public:
    void process(const Value& v) override { _sum.add(v); }
    Value finish() const override { return _sum.result(); }

private:
    NumericSum _sum;
};

class AvgAccumulator final : public Accumulator {
public:
    void process(const Value& v) override { _sum.add(v); }
    Value finish() const override {
        if (_sum.count() == 0) return Value::null();
        return Value::dbl(_sum.asDouble() / static_cast<double>(_sum.count()));
    }

private:
    NumericSum _sum;
};

class MinMaxAccumulator final : public Accumulator {
public:
    explicit MinMaxAccumulator(int sign) : _sign(sign) {}
    void process(const Value& v) override {
        if (v.nullish()) return;
        if (_best.missing() || compareValue(v, _best) * _sign > 0) _best = v;
    }
    Value finish() const override { return _best.missing() ? Value::null() : _best; }
    size_t memoryBytes() const override { return 32 + valueBytes(_best); }

private:
    int _sign;
    Value _best;
};

class FirstLastAccumulator final : public Accumulator {
public:
    explicit FirstLastAccumulator(bool last) : _last(last) {}
    void process(const Value& v) override {
        if (_seen && !_last) return;
        _seen = true;
        _value = v.missing() ? Value::null() : v;
    }
    Value finish() const override { return _seen ? _value : Value::null(); }
    size_t memoryBytes() const override { return 32 + valueBytes(_value); }

private:
    bool _last;
    bool _seen = false;
    Value _value;
};

class PushAccumulator final : public Accumulator {
public:
    explicit PushAccumulator(bool unique) : _unique(unique) {}
    void process(const Value& v) override {
        if (v.missing()) return;
        if (_unique && !_seen.insert(v).second) return;
        _values.push_back(v);
        _bytes += valueBytes(v);
    }
    Value finish() const override { return Value::array(_values); }
    size_t memoryBytes() const override { return 32 + _bytes * (_unique ? 2 : 1); }

private:
    bool _unique;
    std::vector<Value> _values;
    std::set<Value, ValueLess> _seen;
    size_t _bytes = 0;
};

// Welford's running mean and variance over the numeric values.
class StdDevAccumulator final : public Accumulator {
public:
    explicit StdDevAccumulator(bool sample) : _sample(sample) {}
    void process(const Value& v) override {
        if (!v.isNumber()) return;
        double x = v.asDouble();
        ++_n;
        double delta = x - _mean;
        _mean += delta / static_cast<double>(_n);
        _m2 += delta * (x - _mean);
    }
    Value finish() const override {
        int64_t denom = _sample ? _n - 1 : _n;
        if (denom <= 0) return Value::null();
        return Value::dbl(std::sqrt(_m2 / static_cast<double>(denom)));
    }

private:
    bool _sample;
    int64_t _n = 0;
    double _mean = 0;
    double _m2 = 0;
};

template <typename T, typename... Args>
AccumulatorFactory factory(Args... args) {
    return [=] { return std::unique_ptr<Accumulator>(std::make_unique<T>(args...)); };
}

}  // namespace

std::optional<AccumulatorFactory> accumulatorFactory(std::string_view name) {
    if (name == "$sum") return factory<SumAccumulator>();
    if (name == "$avg") return factory<AvgAccumulator>();
    if (name == "$min") return factory<MinMaxAccumulator>(-1);
    if (name == "$max") return factory<MinMaxAccumulator>(1);
    if (name == "$first") return factory<FirstLastAccumulator>(false);
    if (name == "$last") return factory<FirstLastAccumulator>(true);
    if (name == "$push") return factory<PushAccumulator>(false);
    if (name == "$addToSet") return factory<PushAccumulator>(true);
    if (name == "$stdDevPop") return factory<StdDevAccumulator>(false);
    if (name == "$stdDevSamp") return factory<StdDevAccumulator>(true);
    return std::nullopt;
}

size_t valueBytes(const Value& v) {
    switch (v.type()) {
        case BSON_TYPE_EOD:
            return 0;
        case BSON_TYPE_UTF8:
            return 16 + v.str().size();
        case BSON_TYPE_DOCUMENT:
        case BSON_TYPE_ARRAY:
            return 16 + v.nested().size();
        default:
            return 16;
    }
}

void NumericSum::add(const Value& v) {
    if (!v.isNumber()) return;
    ++_count;
    _double += v.asDouble();
    bson_type_t t = v.type();
    if (t == BSON_TYPE_DOUBLE || t == BSON_TYPE_DECIMAL128) _width = kDouble;
    if (_width == kDouble) return;
    if (t == BSON_TYPE_INT64) _width = kInt64;
    int64_t out;
    if (__builtin_add_overflow(_int, v.asInt64(), &out)) {
        _width = kDouble;
        return;
    }
    _int = out;
    if (_int > std::numeric_limits<int32_t>::max() || _int < std::numeric_limits<int32_t>::min())
        _width = kInt64;
}

Value NumericSum::result() const {
    switch (_width) {
        case kInt32:
            return Value::int32(static_cast<int32_t>(_int));
        case kInt64:
            return Value::int64(_int);
        case kDouble:
            break;
    }
    return Value::dbl(_double);
}

}  // namespace mongosd::query
