#pragma once
// Test helpers: one-value documents {"v": value} and an iterator at that value.

#include <gtest/gtest.h>

#include <string_view>

#include "common/bson.h"

namespace mongosd::testvalues {

template <typename Fill>
BsonObj wrap(Fill fill) {
    BsonBuilder b;
    fill(b.get());
    return b.obj();
}

inline bson_iter_t firstValue(const BsonObj& obj) {
    bson_iter_t it;
    EXPECT_TRUE(obj.view().iterInit(&it));
    EXPECT_TRUE(bson_iter_next(&it));
    return it;
}

inline BsonObj i32(int32_t v) {
    return wrap([&](bson_t* b) { bson_append_int32(b, "v", 1, v); });
}
inline BsonObj i64(int64_t v) {
    return wrap([&](bson_t* b) { bson_append_int64(b, "v", 1, v); });
}
inline BsonObj dbl(double v) {
    return wrap([&](bson_t* b) { bson_append_double(b, "v", 1, v); });
}
inline BsonObj dec(const char* s) {
    return wrap([&](bson_t* b) {
        bson_decimal128_t d;
        EXPECT_TRUE(bson_decimal128_from_string(s, &d)) << s;
        bson_append_decimal128(b, "v", 1, &d);
    });
}
inline BsonObj str(std::string_view s) {
    return wrap(
        [&](bson_t* b) { bson_append_utf8(b, "v", 1, s.data(), static_cast<int>(s.size())); });
}
inline BsonObj symbol(std::string_view s) {
    return wrap(
        [&](bson_t* b) { bson_append_symbol(b, "v", 1, s.data(), static_cast<int>(s.size())); });
}
inline BsonObj bin(bson_subtype_t subtype, std::string_view bytes) {
    return wrap([&](bson_t* b) {
        bson_append_binary(b, "v", 1, subtype, reinterpret_cast<const uint8_t*>(bytes.data()),
                           static_cast<uint32_t>(bytes.size()));
    });
}
// {"v": <doc>} with doc given as a whole document.
inline BsonObj sub(const BsonObj& doc) {
    return wrap([&](bson_t* b) {
        bson_t child;
        bson_init_static(&child, doc.data(), doc.size());
        bson_append_document(b, "v", 1, &child);
    });
}
inline BsonObj arr(const BsonObj& doc) {
    return wrap([&](bson_t* b) {
        bson_t child;
        bson_init_static(&child, doc.data(), doc.size());
        bson_append_array(b, "v", 1, &child);
    });
}

}  // namespace mongosd::testvalues
