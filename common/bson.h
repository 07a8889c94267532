#pragma once
// Thin C++ wrappers over libbson.
//
//  - BsonView: a non-owning view of one BSON document's bytes. Valid only while the bytes it
//    points into live (a BsonObj, a network buffer, a WiredTiger cursor value until the cursor
//    moves). Never stores anything.
//  - BsonObj: an owned, immutable BSON document. Copies share the buffer (refcounted), so
//    passing one by value is cheap; safe to read from many threads.
//  - BsonBuilder: builds a document with libbson's appenders; obj() hands the bytes over.
//    Not copyable or movable (libbson children point into their parent). One thread.
//
// Untrusted bytes (network, disk) go through validateBson() before any other use.

#include <bson/bson.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mongosd {

// Limits from DESIGN.md §4 and API.md.
constexpr size_t kMaxUserBsonSize = 16 * 1024 * 1024;              // one document
constexpr size_t kMaxInternalBsonSize = kMaxUserBsonSize + 16 * 1024;  // command/reply envelope
// Nesting levels of a user document, the document itself being level 1 ({a: {b: 1}} is 2).
constexpr int kMaxBsonDepth = 100;
// Commands and HTTP bodies carry user documents a few levels down ({insert, documents: [doc]}).
constexpr int kMaxCommandDepth = kMaxBsonDepth + 10;

class BsonView {
public:
    // The empty document {}.
    BsonView();
    // Trusts that [data, data+len) is a valid BSON document (validated or built by us).
    BsonView(const uint8_t* data, size_t len) : _data(data), _len(len) {}

    const uint8_t* data() const { return _data; }
    size_t size() const { return _len; }
    bool isEmpty() const { return _len <= 5; }

    // A read-only libbson handle over the same bytes, for libbson's read functions.
    bson_t asBsonT() const;
    // Positions `it` before the first element. Returns false only for malformed bytes.
    bool iterInit(bson_iter_t* it) const;
    // Finds a top-level field by exact name; false when absent.
    bool find(std::string_view field, bson_iter_t* out) const;
    // The first field's name ("" for {}): a command's name.
    std::string_view firstFieldName() const;
    bool hasField(std::string_view field) const {
        bson_iter_t it;
        return find(field, &it);
    }

    bool binaryEqual(BsonView other) const;

private:
    const uint8_t* _data;
    size_t _len;
};

class BsonObj {
public:
    // The empty document {}.
    BsonObj();
    // Copies the bytes of `view`.
    static BsonObj copyOf(BsonView view);
    static BsonObj copyOf(const bson_t* b) { return copyOf(BsonView(bson_get_data(b), b->len)); }
    // Takes ownership of a heap bson_t made by bson_new()/bson_sized_new() and destroys it.
    static BsonObj adopt(bson_t* b);

    BsonView view() const { return BsonView(_data.get(), _len); }
    operator BsonView() const { return view(); }
    const uint8_t* data() const { return _data.get(); }
    size_t size() const { return _len; }
    bool isEmpty() const { return _len <= 5; }

private:
    BsonObj(std::shared_ptr<const uint8_t> data, size_t len) : _data(std::move(data)), _len(len) {}
    std::shared_ptr<const uint8_t> _data;
    size_t _len;
};

class BsonBuilder {
public:
    BsonBuilder();
    ~BsonBuilder();
    BsonBuilder(const BsonBuilder&) = delete;
    BsonBuilder& operator=(const BsonBuilder&) = delete;

    // Raw access for libbson appenders not wrapped here.
    bson_t* get() { return _b; }
    size_t size() const { return _b->len; }

    BsonBuilder& appendInt32(std::string_view key, int32_t v);
    BsonBuilder& appendInt64(std::string_view key, int64_t v);
    // int32 when the value fits, else int64 (MongoDB's appendNumber, used for counts).
    BsonBuilder& appendCount(std::string_view key, int64_t v);
    BsonBuilder& appendDouble(std::string_view key, double v);
    BsonBuilder& appendBool(std::string_view key, bool v);
    BsonBuilder& appendString(std::string_view key, std::string_view v);
    BsonBuilder& appendNull(std::string_view key);
    BsonBuilder& appendOid(std::string_view key, const bson_oid_t& oid);
    BsonBuilder& appendDateMs(std::string_view key, int64_t msSinceEpoch);
    BsonBuilder& appendTimestamp(std::string_view key, uint32_t t, uint32_t i);
    BsonBuilder& appendDocument(std::string_view key, BsonView doc);
    BsonBuilder& appendArray(std::string_view key, BsonView arr);
    // Copies the value `it` points at under a new key.
    BsonBuilder& appendIter(std::string_view key, const bson_iter_t& it);
    // Builds a nested document / array in place: `fill` gets a builder for the child.
    BsonBuilder& appendDocument(std::string_view key, const std::function<void(BsonBuilder&)>& fill);
    BsonBuilder& appendArray(std::string_view key, const std::function<void(BsonBuilder&)>& fill);
    // Appends every field of `doc`.
    BsonBuilder& appendAll(BsonView doc);

    // Hands the document over; the builder is empty afterwards.
    BsonObj obj();

private:
    explicit BsonBuilder(bson_t* child) : _b(child), _owned(false) {}
    bson_t* _b;
    bool _owned = true;
};

// Checks untrusted bytes: framing, lengths, nesting depth <= maxDepth, UTF-8 strings and field
// names, size <= maxSize. Returns InvalidBSON, Overflow (depth) or BSONObjectTooLarge.
Status validateBson(const uint8_t* data, size_t len, size_t maxSize = kMaxInternalBsonSize,
                    int maxDepth = kMaxCommandDepth);

// Overflow when a (valid) document nests deeper than maxDepth levels; stops walking there.
Status checkDepth(BsonView doc, int maxDepth = kMaxBsonDepth);

// An optional bson_iter_t. Not std::optional<bson_iter_t> (nor a pair, vector, or by-value
// template argument): libbson declares bson_iter_t with 128-byte alignment on the typedef, which
// template arguments drop, so the contained object is misaligned for code that assumes it
// (undefined behaviour; clang's UBSan reports it, found by the expression fuzzer). A plain member
// keeps the alignment.
struct MaybeIter {
    bson_iter_t it{};
    bool present = false;

    MaybeIter() = default;
    MaybeIter(const bson_iter_t& i) : it(i), present(true) {}  // NOLINT: implicit like optional
    bool has_value() const { return present; }
    explicit operator bool() const { return present; }
    const bson_iter_t& operator*() const { return it; }
};

// The key of the element `it` is on.
inline std::string_view iterKey(const bson_iter_t& it) {
    return std::string_view(bson_iter_key(&it), bson_iter_key_len(&it));
}

// A view of the embedded document or array `it` is on (invariant: it holds one).
BsonView subDocument(const bson_iter_t& it);

// A copy of the value `it` is on, as {"": value}.
BsonObj copyValue(const bson_iter_t& it);

// The array index key "0", "1", ... for position i, without allocation for small i.
std::string_view arrayIndexKey(uint32_t i, char (&buf)[16]);

}  // namespace mongosd
