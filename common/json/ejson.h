#pragma once
// The MongoDB Extended JSON v2 codec (API.md "JSON conventions").
//
//  - Parsing reads Relaxed or Canonical Extended JSON with simdjson's on-demand API straight into
//    BSON. Input is never trusted: syntax, UTF-8, nesting depth, result size, duplicate keys and
//    wrapper shapes are all checked. One simdjson parser per thread (thread_local), so every
//    function here may be called from any thread concurrently.
//  - Writing is our own BSON -> JSON emitter (libbson's is far too slow for the read path). It
//    trusts its input: a BsonView must be valid BSON (built by us or passed through
//    validateBson()); it never recurses, so any nesting depth is safe.
//
// Round trip: parse(toJson(doc, kCanonical)) reproduces doc byte for byte for every BSON type
// (NaN doubles come back as the one quiet NaN; regex options come back sorted). Relaxed output is
// lossy only for int64 values that fit in int32, which come back as int32.

#include <bson/bson.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/bson.h"
#include "common/status.h"

namespace mongosd::json {

enum class JsonMode { kRelaxed, kCanonical };

struct JsonParseLimits {
    size_t maxDepth = kMaxBsonDepth;            // 100 nesting levels of objects/arrays
    size_t maxBsonSize = kMaxInternalBsonSize;  // resulting BSON size
};

// Parses one JSON *object* (Relaxed or Canonical Extended JSON v2) into a BSON document. The
// top-level object is always a document, even when its first key looks like a wrapper.
// Errors: FailedToParse (syntax, bad UTF-8, truncation, trailing bytes, not an object),
// BadValue (duplicate key, malformed wrapper, NUL in a key), Overflow (deeper than
// limits.maxDepth below the top level), BSONObjectTooLarge (result over limits.maxBsonSize).
StatusWith<BsonObj> parseJsonObject(std::string_view json, const JsonParseLimits& = {});

// Parses any single JSON value (object, array, scalar, or wrapper such as {"$oid": ...}) and
// appends it to `out` under `key`. A value that is an object or array counts as nesting level 1.
// maxBsonSize bounds the size of `out` after the append. On error `out` is left unchanged.
// `key` is the caller's: a NUL in it is BadValue, its UTF-8 is not checked.
Status appendJsonValue(std::string_view json, std::string_view key, BsonBuilder& out,
                       const JsonParseLimits& = {});

// Appends `doc` as a JSON object to `out`.
void appendJson(BsonView doc, JsonMode mode, std::string& out);
// Appends a BSON array (a document keyed "0", "1", ...) as a JSON array [..]; keys are ignored.
void appendJsonArray(BsonView arr, JsonMode mode, std::string& out);
// Appends the one value `it` points at (not its key).
void appendJsonElement(const bson_iter_t& it, JsonMode mode, std::string& out);
std::string toJson(BsonView doc, JsonMode mode = JsonMode::kRelaxed);

}  // namespace mongosd::json
