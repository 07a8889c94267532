#pragma once
// MongoDB's comparison order over BSON values: one order for sort, indexes and chunk bounds
// (DESIGN.md §4). KeyString (common/key_string.h) is the byte encoding of this same order.
//
// Order, by canonical type rank (MongoDB's canonicalizeBSONType), then by value within a rank:
//   MinKey(-1) < undefined(0) < null(5) < numbers(10) < string, symbol(15) < object(20) <
//   array(25) < binData(30) < ObjectId(35) < bool(40) < date(45) < timestamp(47) < regex(50) <
//   dbPointer(55) < code(60) < codeWithScope(65) < MaxKey(127)
//
// Within a rank:
//   1. Numbers compare by exact value across int32, int64, double and decimal128; NaN (double
//      or decimal) is below every other number and equal to every NaN; -0 == 0.
//   2. String and symbol compare bytewise (simple binary collation; embedded NULs count).
//   3. Objects compare field by field: field rank, then field name (strcmp), then value; a
//      prefix is smaller. Nested objects always consider field names (as MongoDB does).
//   4. Arrays compare element by element (rank, then value); a prefix is smaller. Array keys
//      ("0", "1", ...) are ignored.
//   5. binData: length, then subtype, then bytes. ObjectId: bytes. bool: false < true.
//      date: signed milliseconds. timestamp: unsigned (t, i). regex: pattern, then flags.
//      dbPointer: length of namespace, then namespace, then ObjectId. code: as string.
//      codeWithScope: code as string, then scope as object.
//
// Inputs must be validated BSON (validateBson): nesting deeper than kMaxBsonDepth or malformed
// nested documents are impossible states here and fail an invariant. Pure; any thread.

#include <bson/bson.h>

#include "common/bson.h"

namespace mongosd {

// MongoDB's canonicalizeBSONType rank of a BSON type (see the table above). EOO ranks 0.
int canonicalTypeRank(bson_type_t t);

// Three-way compare of the values `a` and `b` point at (field names are not compared):
// returns -1, 0 or 1.
int compareValues(const bson_iter_t& a, const bson_iter_t& b);

// Compares whole documents as MongoDB's BSONObj::woCompare without an ordering: element by
// element (rank, then field name unless !considerFieldNames, then value); a document that is a
// prefix of the other is smaller. Returns -1, 0 or 1. `considerFieldNames` applies to the top
// level only; nested objects always compare names.
int compareDocuments(BsonView a, BsonView b, bool considerFieldNames = true);

// compareValues(a, b) == 0.
bool valuesEqual(const bson_iter_t& a, const bson_iter_t& b);

}  // namespace mongosd
