#pragma once
// KeyString: an order-preserving byte encoding of BSON values and compound keys (DESIGN.md §4).
// For values a, b: sign(memcmp(encode(a), encode(b))) == sign(compareValues(a, b)) (with
// memcmp on the common prefix, then the shorter string first, i.e. std::string comparison).
// A compound key is the concatenation of its components, each optionally inverted
// (descending), and compares lexicographically over fields. Used for _id keys, index keys and
// chunk bounds. The byte format and why it preserves order: docs/keystring.md.
//
// Properties callers may rely on:
//   1. Each component is prefix-free, so encode(key) + encode(_id) compares as the pair
//      (key, _id): storage may append a record id or _id after a key.
//   2. Equal values encode identically: 1, 1.0, NumberLong(1) and NumberDecimal("1.00") give
//      the same bytes (so _id: 1 and _id: 1.0 collide, as in MongoDB); likewise "x" as string
//      and symbol. Type bits are not kept (see decode()).
//   3. Top-level field names of a compound key are not encoded; nested objects' names are.
//
// Inputs must be validated BSON (validateBson): nesting deeper than kMaxBsonDepth inside one
// value, or malformed nested bytes, are impossible states here and fail an invariant.
//
// Thread-safety: a Builder is used by one thread at a time; the free functions are pure.

#include <bson/bson.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/bson.h"
#include "common/status.h"

namespace mongosd::keystring {

enum class Direction { kAscending, kDescending };

// Accumulates the components of one key. reset() keeps the buffer's capacity, so a reused
// Builder does not allocate in the steady state (decimal128 values included).
class Builder {
public:
    // Appends one key component. Descending inverts the component's bytes.
    void appendValue(const bson_iter_t& value, Direction dir = Direction::kAscending);
    void appendMinKey(Direction dir = Direction::kAscending);
    void appendMaxKey(Direction dir = Direction::kAscending);

    const std::string& bytes() const { return _buf; }
    // Hands the bytes over; the builder is empty afterwards (capacity not kept).
    std::string release();
    // Empties the builder, keeping its capacity.
    void reset() { _buf.clear(); }

private:
    void invertFrom(size_t start);

    std::string _buf;
};

// One ascending component.
std::string encodeValue(const bson_iter_t& value);

// Encodes the values of `doc`'s fields in order, each one component, with dirs[i] for field i
// (missing entries mean ascending): compound index keys and chunk bounds like
// {courseId: 5, lesson: 2}. Field names are not encoded.
std::string encodeDocumentValues(BsonView doc, const std::vector<Direction>& dirs = {});

// Decodes the first `nFields` components of `ks` into {"": v1, "": v2, ...}.
//
// What comes back: every value compares equal (compareValues == 0) to the one encoded, and
// re-encoding gives the same bytes. Type bits are not kept, so:
//   - numbers come back as the narrowest type that holds the value exactly: int32, else int64,
//     else double, else decimal128 (NaN as double NaN, -0.0 as int32 0, 1.0 as int32 1,
//     NumberDecimal("0.1") as decimal128 0.1, NumberDecimal("0.5") as double 0.5);
//   - symbols come back as strings; arrays get keys "0", "1", ...
// Everything else (objects with field names, binData subtype, regex options verbatim, code with
// scope, dbPointer, timestamps, dates, MinKey/MaxKey, undefined) round-trips exactly, except
// that code and dbPointer namespaces containing a NUL byte cannot be rebuilt (libbson takes C
// strings there) and give FailedToParse.
//
// Without `consumed`, bytes left after the nFields components are an error; with it, decoding
// stops there and *consumed is the length of the decoded prefix (for key + _id suffixes).
// Corrupt bytes give FailedToParse; the input is never trusted.
StatusWith<BsonObj> decode(std::string_view ks, size_t nFields,
                           const std::vector<Direction>& dirs = {}, size_t* consumed = nullptr);

}  // namespace mongosd::keystring
