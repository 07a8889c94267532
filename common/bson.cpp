#include "common/bson.h"

#include <simdjson.h>

#include <cstring>

namespace mongosd {
namespace {

constexpr uint8_t kEmptyDoc[5] = {5, 0, 0, 0, 0};

void bsonFreeDeleter(const uint8_t* p) { bson_free(const_cast<uint8_t*>(p)); }

// Walks nested documents with bson_iter (which bounds-checks every element) to enforce the depth
// limit before bson_validate recurses without one.
enum class Walk { kOk, kTooDeep, kMalformed, kBadUtf8 };

bool utf8Ok(const char* s, size_t n) { return simdjson::validate_utf8(s, n); }

// libbson 1.23's bson_validate(BSON_VALIDATE_UTF8) lets invalid UTF-8 in string values through,
// so keys and every string-bearing value are checked here.
bool stringsOk(const bson_iter_t* it) {
    if (!utf8Ok(bson_iter_key(it), bson_iter_key_len(it))) return false;
    uint32_t n = 0;
    switch (bson_iter_type(it)) {
        case BSON_TYPE_UTF8: {
            const char* s = bson_iter_utf8(it, &n);
            return utf8Ok(s, n);
        }
        case BSON_TYPE_SYMBOL: {
            const char* s = bson_iter_symbol(it, &n);
            return utf8Ok(s, n);
        }
        case BSON_TYPE_CODE: {
            const char* s = bson_iter_code(it, &n);
            return utf8Ok(s, n);
        }
        case BSON_TYPE_REGEX: {
            const char* opts = nullptr;
            const char* re = bson_iter_regex(it, &opts);
            return utf8Ok(re, std::strlen(re)) && utf8Ok(opts, std::strlen(opts));
        }
        default:
            return true;
    }
}

// `checkStrings`: validate UTF-8 too (validateBson); checkDepth's documents are valid already,
// and re-validating every key and string was most of an update's cost (bench/query_bench).
Walk depthWithin(bson_iter_t* it, int depth, int maxDepth, bool checkStrings) {
    while (bson_iter_next(it)) {
        if (checkStrings && !stringsOk(it)) return Walk::kBadUtf8;
        bson_iter_t child;
        if (BSON_ITER_HOLDS_DOCUMENT(it) || BSON_ITER_HOLDS_ARRAY(it)) {
            if (depth + 1 > maxDepth) return Walk::kTooDeep;
            // bson_iter_recurse does not check the nested terminator byte, which later copies
            // (bson_append_iter) reject: a nested document must end in 0 (found by filter_fuzz).
            uint32_t subLen = 0;
            const uint8_t* sub = nullptr;
            if (BSON_ITER_HOLDS_DOCUMENT(it))
                bson_iter_document(it, &subLen, &sub);
            else
                bson_iter_array(it, &subLen, &sub);
            if (!sub || subLen < 5 || sub[subLen - 1] != 0) return Walk::kMalformed;
            if (!bson_iter_recurse(it, &child)) return Walk::kMalformed;
        } else if (BSON_ITER_HOLDS_CODEWSCOPE(it)) {
            // A code-with-scope's scope is a nested document too.
            if (depth + 1 > maxDepth) return Walk::kTooDeep;
            uint32_t codeLen = 0, scopeLen = 0;
            const uint8_t* scope = nullptr;
            bson_iter_codewscope(it, &codeLen, &scopeLen, &scope);
            if (!scope || !bson_iter_init_from_data(&child, scope, scopeLen)) return Walk::kMalformed;
        } else {
            continue;
        }
        Walk w = depthWithin(&child, depth + 1, maxDepth, checkStrings);
        if (w != Walk::kOk) return w;
    }
    // bson_iter_next stops at the end or at a malformed element; only the former sets no error.
    return it->err_off == 0 ? Walk::kOk : Walk::kMalformed;
}

}  // namespace

BsonView::BsonView() : _data(kEmptyDoc), _len(sizeof(kEmptyDoc)) {}

bson_t BsonView::asBsonT() const {
    bson_t b;
    bool ok = bson_init_static(&b, _data, _len);
    invariant(ok);
    return b;
}

bool BsonView::iterInit(bson_iter_t* it) const { return bson_iter_init_from_data(it, _data, _len); }

bool BsonView::find(std::string_view field, bson_iter_t* out) const {
    if (!iterInit(out)) return false;
    while (bson_iter_next(out)) {
        uint32_t klen = bson_iter_key_len(out);
        if (klen == field.size() && std::memcmp(bson_iter_key(out), field.data(), klen) == 0)
            return true;
    }
    return false;
}

std::string_view BsonView::firstFieldName() const {
    bson_iter_t it;
    if (!iterInit(&it) || !bson_iter_next(&it)) return {};
    return std::string_view(bson_iter_key(&it), bson_iter_key_len(&it));
}

bool BsonView::binaryEqual(BsonView other) const {
    return _len == other._len && std::memcmp(_data, other._data, _len) == 0;
}

BsonObj::BsonObj() : _data(kEmptyDoc, [](const uint8_t*) {}), _len(sizeof(kEmptyDoc)) {}

BsonObj BsonObj::copyOf(BsonView view) {
    auto* buf = static_cast<uint8_t*>(bson_malloc(view.size()));
    std::memcpy(buf, view.data(), view.size());
    return BsonObj(std::shared_ptr<const uint8_t>(buf, bsonFreeDeleter), view.size());
}

BsonObj BsonObj::adopt(bson_t* b) {
    uint32_t len = 0;
    uint8_t* buf = bson_destroy_with_steal(b, true, &len);
    invariant(buf != nullptr);
    return BsonObj(std::shared_ptr<const uint8_t>(buf, bsonFreeDeleter), len);
}

BsonBuilder::BsonBuilder() : _b(bson_new()) {}

BsonBuilder::~BsonBuilder() {
    if (_owned && _b) bson_destroy(_b);
}

#define KEY(k) (k).data(), static_cast<int>((k).size())

BsonBuilder& BsonBuilder::appendInt32(std::string_view key, int32_t v) {
    bson_append_int32(_b, KEY(key), v);
    return *this;
}
BsonBuilder& BsonBuilder::appendInt64(std::string_view key, int64_t v) {
    bson_append_int64(_b, KEY(key), v);
    return *this;
}
BsonBuilder& BsonBuilder::appendCount(std::string_view key, int64_t v) {
    if (v >= INT32_MIN && v <= INT32_MAX) return appendInt32(key, static_cast<int32_t>(v));
    return appendInt64(key, v);
}
BsonBuilder& BsonBuilder::appendDouble(std::string_view key, double v) {
    bson_append_double(_b, KEY(key), v);
    return *this;
}
BsonBuilder& BsonBuilder::appendBool(std::string_view key, bool v) {
    bson_append_bool(_b, KEY(key), v);
    return *this;
}
BsonBuilder& BsonBuilder::appendString(std::string_view key, std::string_view v) {
    bson_append_utf8(_b, KEY(key), v.data(), static_cast<int>(v.size()));
    return *this;
}
BsonBuilder& BsonBuilder::appendNull(std::string_view key) {
    bson_append_null(_b, KEY(key));
    return *this;
}
BsonBuilder& BsonBuilder::appendOid(std::string_view key, const bson_oid_t& oid) {
    bson_append_oid(_b, KEY(key), &oid);
    return *this;
}
BsonBuilder& BsonBuilder::appendDateMs(std::string_view key, int64_t ms) {
    bson_append_date_time(_b, KEY(key), ms);
    return *this;
}
BsonBuilder& BsonBuilder::appendTimestamp(std::string_view key, uint32_t t, uint32_t i) {
    bson_append_timestamp(_b, KEY(key), t, i);
    return *this;
}
BsonBuilder& BsonBuilder::appendDocument(std::string_view key, BsonView doc) {
    bson_t sub = doc.asBsonT();
    bson_append_document(_b, KEY(key), &sub);
    return *this;
}
BsonBuilder& BsonBuilder::appendArray(std::string_view key, BsonView arr) {
    bson_t sub = arr.asBsonT();
    bson_append_array(_b, KEY(key), &sub);
    return *this;
}
BsonBuilder& BsonBuilder::appendIter(std::string_view key, const bson_iter_t& it) {
    bson_append_iter(_b, key.data(), static_cast<int>(key.size()), &it);
    return *this;
}
BsonBuilder& BsonBuilder::appendDocument(std::string_view key,
                                         const std::function<void(BsonBuilder&)>& fill) {
    bson_t child;
    bson_append_document_begin(_b, KEY(key), &child);
    {
        BsonBuilder sub(&child);
        fill(sub);
    }
    bson_append_document_end(_b, &child);
    return *this;
}
BsonBuilder& BsonBuilder::appendArray(std::string_view key,
                                      const std::function<void(BsonBuilder&)>& fill) {
    bson_t child;
    bson_append_array_begin(_b, KEY(key), &child);
    {
        BsonBuilder sub(&child);
        fill(sub);
    }
    bson_append_array_end(_b, &child);
    return *this;
}
BsonBuilder& BsonBuilder::appendAll(BsonView doc) {
    bson_t src = doc.asBsonT();
    bson_concat(_b, &src);
    return *this;
}

#undef KEY

BsonObj BsonBuilder::obj() {
    invariant(_owned);
    BsonObj out = BsonObj::adopt(_b);
    _b = bson_new();
    return out;
}

Status validateBson(const uint8_t* data, size_t len, size_t maxSize, int maxDepth) {
    if (len > maxSize)
        return Status(ErrorCodes::BSONObjectTooLarge,
                      "BSON document of " + std::to_string(len) + " bytes exceeds the limit of " +
                          std::to_string(maxSize));
    bson_iter_t it;
    if (len < 5 || !bson_iter_init_from_data(&it, data, len))
        return Status(ErrorCodes::InvalidBSON, "malformed BSON document framing");
    switch (depthWithin(&it, 1, maxDepth, /*checkStrings=*/true)) {
        case Walk::kOk:
            break;
        case Walk::kTooDeep:
            return Status(ErrorCodes::Overflow, "BSON document exceeds maximum nesting depth of " +
                                                    std::to_string(maxDepth));
        case Walk::kMalformed:
            return Status(ErrorCodes::InvalidBSON, "malformed BSON element");
        case Walk::kBadUtf8:
            return Status(ErrorCodes::InvalidBSON, "BSON string or field name is not valid UTF-8");
    }
    bson_t b;
    if (!bson_init_static(&b, data, len))
        return Status(ErrorCodes::InvalidBSON, "malformed BSON document framing");
    size_t errOffset = 0;
    if (!bson_validate(&b, static_cast<bson_validate_flags_t>(BSON_VALIDATE_UTF8 |
                                                              BSON_VALIDATE_UTF8_ALLOW_NULL),
                       &errOffset))
        return Status(ErrorCodes::InvalidBSON,
                      "invalid BSON at byte offset " + std::to_string(errOffset));
    return Status::OK();
}

Status checkDepth(BsonView doc, int maxDepth) {
    bson_iter_t it;
    if (!doc.iterInit(&it)) return Status(ErrorCodes::InvalidBSON, "malformed BSON document");
    switch (depthWithin(&it, 1, maxDepth, /*checkStrings=*/false)) {
        case Walk::kOk:
            return Status::OK();
        case Walk::kTooDeep:
            return Status(ErrorCodes::Overflow, "document exceeds maximum nesting depth of " +
                                                    std::to_string(maxDepth));
        default:
            return Status(ErrorCodes::InvalidBSON, "malformed BSON document");
    }
}

BsonView subDocument(const bson_iter_t& it) {
    uint32_t len = 0;
    const uint8_t* data = nullptr;
    if (BSON_ITER_HOLDS_DOCUMENT(&it))
        bson_iter_document(&it, &len, &data);
    else if (BSON_ITER_HOLDS_ARRAY(&it))
        bson_iter_array(&it, &len, &data);
    invariant(data != nullptr);
    return BsonView(data, len);
}

BsonObj copyValue(const bson_iter_t& it) {
    BsonBuilder b;
    b.appendIter("", it);
    return b.obj();
}

std::string_view arrayIndexKey(uint32_t i, char (&buf)[16]) {
    const char* key = nullptr;
    size_t n = bson_uint32_to_string(i, &key, buf, sizeof(buf));
    return std::string_view(key, n);
}

}  // namespace mongosd
