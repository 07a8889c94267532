#pragma once
// Exact comparison of BSON numbers across int32, int64, double and decimal128 (the numeric
// bracket of bson_compare.h). Independent of KeyString's number encoding on purpose: the
// property tests check one against the other. Pure; any thread.

#include <bson/bson.h>

namespace mongosd {

// Three-way compare (-1, 0, 1) of two iterators that each point at a number. NaN (double or
// decimal) is below every other number and equal to NaN; -0 == 0; everything else by exact
// value, e.g. NumberLong(2^53 + 1) > 2^53 as a double, and NumberDecimal("0.1") < 0.1 as a
// double (which is 0.1000000000000000055...).
int compareNumbers(const bson_iter_t& a, const bson_iter_t& b);

}  // namespace mongosd
