#pragma once
// Index key patterns and the keys a document contributes to an index (DESIGN.md §5).
//
// An index key is the KeyString concatenation of one component per key-pattern field, in
// pattern order: the field's value (inverted when the field is descending), or for a hashed
// field the NumberLong hashIndexValue(value). Storage appends KeyString(_id) for non-unique
// indexes. Which values a path yields follows the matcher's path rules (query/path_values.h),
// so that an index scan with bounds on a field finds every document the filter can match:
//   - a missing field, or a path that ends in a dead end (a scalar met before the last
//     component, an array element without the field), yields null;
//   - an array at the end of the path yields each of its elements (an empty array yields
//     undefined, as MongoDB), and marks the field multikey; arrays crossed along the path
//     also mark it multikey;
//   - a numeric component met at an array ("a.0") yields both the element at that position
//     and the field of that name in each element, as the matcher tries both;
//   - a compound key is the cartesian product of its fields' values. Two fields whose values
//     come from different arrays answer CannotIndexParallelArrays (171), as MongoDB.
// Pure; any thread.

#include <bson/bson.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/bson.h"
#include "common/key_string.h"
#include "common/status.h"
#include "query/field_path.h"

namespace mongosd::query {

enum class IndexFieldKind { kAscending, kDescending, kHashed };

struct IndexField {
    FieldPath path;
    IndexFieldKind kind;
};

class IndexKeyPattern {
public:
    // Validates a key pattern as createIndexes does: a non-empty document of at most 32
    // fields whose values are numbers (> 0 ascending, < 0 descending) or "hashed" (at most one
    // hashed field). CannotCreateIndex (67) otherwise; other index types ("text",
    // "2dsphere", ...) also answer CannotCreateIndex.
    static StatusWith<IndexKeyPattern> parse(BsonView keyPattern);

    const std::vector<IndexField>& fields() const { return _fields; }
    size_t size() const { return _fields.size(); }
    bool hasHashed() const;
    // The pattern as given ({a: 1, b: -1}).
    const BsonObj& bson() const { return _bson; }
    // Per-field KeyString direction (hashed fields are ascending).
    std::vector<keystring::Direction> directions() const;

private:
    std::vector<IndexField> _fields;
    BsonObj _bson;
};

// The keys one document contributes to one index.
struct IndexKeys {
    // KeyString bytes of each distinct key, sorted.
    std::vector<std::string> keys;
    // Per pattern field: whether the document's value for it crossed or ended in an array.
    std::vector<bool> multikey;
    // Sparse indexes: true when no field of the pattern exists in the document (the document
    // gets no entry). keys is then empty.
    bool skipped = false;
};

constexpr size_t kMaxIndexKeysPerDocument = 100000;

// The keys of `doc`. Errors: CannotIndexParallelArrays (171); a hashed field holding an array
// (16766, as MongoDB); more than kMaxIndexKeysPerDocument keys (BadValue).
StatusWith<IndexKeys> generateIndexKeys(const IndexKeyPattern& pattern, BsonView doc, bool sparse);

// The 64-bit hash a hashed index stores for `value`. Numerically equal values (1, 1.0,
// NumberLong(1)) hash alike, because the hash is taken over the value's KeyString. Also the
// hash of hashed sharding. Stable across versions: changing it breaks existing indexes.
int64_t hashIndexValue(const bson_iter_t& value);

// MongoDB's default index name: each key field and its value joined by '_' ("a_1_b_-1",
// "c_hashed"). Used by createIndexes without a name and by the shell to report the name.
std::string defaultIndexName(BsonView keyPattern);

// Appends the component an index field stores for `value` (the value itself, or its hash).
void appendIndexComponent(keystring::Builder& b, const IndexField& field, const bson_iter_t& value);

}  // namespace mongosd::query
