#pragma once
// JsonToBson: the Extended JSON -> BSON translator behind parseJsonObject()/appendJsonValue().
// Internal to common/json; one instance per parse, on one thread.
//
// Invariants:
//  1. Every JSON value the translator reaches is consumed completely, so simdjson's on-demand
//     iterator validates the whole input (nothing is skipped unparsed).
//  2. Recursion happens only when opening a BSON document or array, and only after the depth
//     check, so the stack depth is bounded by limits.maxDepth (itself capped at kDepthCap).
//  3. Functions return false on the first error, with the error in status(); the output buffer
//     is then garbage and the caller discards it.

#include <simdjson.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json/bson_buffer.h"
#include "common/json/ejson.h"
#include "common/status.h"

namespace mongosd::json {

namespace od = simdjson::ondemand;

// A hard bound on recursion whatever maxDepth a caller asks for. A nested object costs about
// 0.5 KB of stack in a Release build (-fstack-usage), so the default 100 levels need ~50 KB and
// the cap ~500 KB.
constexpr size_t kDepthCap = 1000;

enum class Wrapper {
    kNone,
    kOid,
    kDate,
    kNumberInt,
    kNumberLong,
    kNumberDouble,
    kNumberDecimal,
    kBinary,
    kUuid,
    kRegularExpression,
    kTimestamp,
    kMinKey,
    kMaxKey,
    kSymbol,
    kCode,
    kUndefined,
    kDbPointer,
};

// Whether an on-demand object iterator has another field (or a pending error to yield).
// object_iterator's != ignores its right-hand side and reports exactly that.
inline bool hasMore(od::object_iterator& it) { return it != it; }

// 'text', cut to 64 bytes, for error messages.
std::string quoted(std::string_view s);

// The wrapper a first key names ("$oid" -> kOid); kNone for any other key.
Wrapper wrapperFor(std::string_view key);

// The keys of one JSON object, to reject duplicates. Small objects scan linearly as keys arrive;
// past kLinearLimit keys the check is deferred to one sort when the object ends, which is
// O(n log n) whatever the keys (a hash set could be flooded with colliding keys). Keys live in a
// stack shared by all nesting levels: a nested object's keys are popped before its parent
// continues, so this object's keys are always the top of the stack.
class KeySet {
public:
    explicit KeySet(std::vector<std::string_view>& stack) : _stack(stack), _start(stack.size()) {}
    ~KeySet() { _stack.resize(_start); }
    KeySet(const KeySet&) = delete;
    KeySet& operator=(const KeySet&) = delete;

    // False when `key` repeats one of the first kLinearLimit keys.
    bool insert(std::string_view key);
    // After the last insert: a repeated key the linear scan could not see, if any.
    std::optional<std::string_view> deferredDuplicate();

private:
    static constexpr size_t kLinearLimit = 16;
    std::vector<std::string_view>& _stack;
    size_t _start;
};

// A JSON number as the translator classifies it (API.md): an integer that fits int64, or a
// double (a fraction or exponent, or an integer beyond int64).
struct JsonNumber {
    bool isInteger = false;
    int64_t integer = 0;
    double real = 0;
};

class JsonToBson {
public:
    JsonToBson(BsonBuffer& out, std::vector<std::string_view>& keyStack,
               const JsonParseLimits& limits);

    // Writes the fields of `obj` as a document body (no element header; wrappers are not
    // recognized at this level).
    bool rootDocument(od::object obj);
    // Writes `v` as the element `key` of a document at nesting level `depth`.
    bool element(od::value v, std::string_view key, size_t depth);

    const Status& status() const { return _status; }

private:
    // ejson_parse.cpp: plain JSON.
    bool objectValue(od::value v, std::string_view key, size_t depth);
    bool arrayValue(od::value v, std::string_view key, size_t depth);
    bool numberValue(od::value v, std::string_view key);
    bool readNumber(od::value v, JsonNumber& out);
    bool bigInteger(od::value v, JsonNumber& out);
    // Writes a document body at level `depth` whose first field (when hasFirst) has been read.
    bool documentBody(od::object_iterator& it, bool hasFirst, std::string_view firstKey,
                      od::value firstValue, size_t depth);
    bool openObject(od::value& v, od::object_iterator& it);
    bool readField(od::object_iterator& it, std::string_view& key, od::value& value);

    // ejson_wrappers.cpp: the Extended JSON wrappers; `it` is at the wrapper's first field.
    bool wrapper(Wrapper kind, std::string_view name, od::value v, od::object_iterator& it,
                 std::string_view key, size_t depth);
    bool singleKeyWrapper(Wrapper kind, std::string_view name, od::value v, std::string_view key);
    bool oid(od::value v, std::string_view key);
    bool date(od::value v, std::string_view key);
    bool numberInt(od::value v, std::string_view key);
    bool numberLong(od::value v, std::string_view key);
    bool numberDouble(od::value v, std::string_view key);
    bool numberDecimal(od::value v, std::string_view key);
    bool binary(od::value v, od::object_iterator& it, std::string_view key);
    bool uuid(od::value v, std::string_view key);
    bool regularExpression(od::value v, std::string_view key);
    bool timestamp(od::value v, std::string_view key);
    bool minMaxKey(od::value v, std::string_view name, bson_type_t type, std::string_view key);
    bool stringWrapper(od::value v, std::string_view name, bson_type_t type, std::string_view key);
    bool code(od::value v, od::object_iterator& it, std::string_view key, size_t depth);
    bool undefined(od::value v, std::string_view key);
    bool dbPointer(od::value v, std::string_view key);
    bool binaryBody(std::string_view b64, std::string_view subType, std::string_view what,
                    std::string_view key);
    bool oidBytes(od::value v, std::string_view what, uint8_t* out);
    bool dateNumberLong(od::value v, int64_t& ms);
    // Reads a wrapper's string / object / number value; a wrong JSON type is BadValue.
    bool stringOf(od::value v, std::string_view what, std::string_view& out);
    bool objectOf(od::value& v, std::string_view what, od::object_iterator& it);
    bool uint32Of(od::value v, std::string_view what, uint32_t& out);
    // After the wrapper's last expected field: the object must end here.
    bool expectEnd(od::object_iterator& it, std::string_view what);

    bool syntaxError(simdjson::error_code e);
    bool badValue(std::string reason);
    bool fail(ErrorCodes::Error code, std::string reason);
    bool tooDeep();
    bool duplicateKey(std::string_view key);
    bool sizeOk();
    bool keyOk(std::string_view key);

    BsonBuffer& _out;
    std::vector<std::string_view>& _keyStack;
    size_t _maxDepth;
    size_t _maxSize;
    Status _status;
};

}  // namespace mongosd::json
