#include "tests/support/json_util.h"

#include <cstring>
#include <stdexcept>

#include "common/json/ejson.h"

namespace mongosd::test {

BsonObj parseJson(const std::string& json) {
    auto r = json::parseJsonObject(json);
    if (!r.isOK())
        throw std::runtime_error("bad JSON in test: " + r.getStatus().toString() + " in: " +
                                 json.substr(0, 500));
    return r.getValue();
}

bool findPath(BsonView doc, const std::string& path, bson_iter_t* out) {
    bson_t b = doc.asBsonT();
    bson_iter_t it;
    if (!bson_iter_init(&it, &b)) return false;
    if (!bson_iter_find_descendant(&it, path.c_str(), out)) return false;
    return true;
}

std::optional<int64_t> getInt(BsonView doc, const std::string& path) {
    bson_iter_t it;
    if (!findPath(doc, path, &it) || !BSON_ITER_HOLDS_NUMBER(&it)) return std::nullopt;
    return bson_iter_as_int64(&it);
}

std::optional<double> getDouble(BsonView doc, const std::string& path) {
    bson_iter_t it;
    if (!findPath(doc, path, &it) || !BSON_ITER_HOLDS_NUMBER(&it)) return std::nullopt;
    return bson_iter_as_double(&it);
}

std::optional<std::string> getString(BsonView doc, const std::string& path) {
    bson_iter_t it;
    if (!findPath(doc, path, &it) || !BSON_ITER_HOLDS_UTF8(&it)) return std::nullopt;
    uint32_t n = 0;
    const char* s = bson_iter_utf8(&it, &n);
    return std::string(s, n);
}

int64_t countAt(BsonView doc, const std::string& path) {
    bson_iter_t it, child;
    if (!findPath(doc, path, &it)) return -1;
    if (!BSON_ITER_HOLDS_ARRAY(&it) && !BSON_ITER_HOLDS_DOCUMENT(&it)) return -1;
    if (!bson_iter_recurse(&it, &child)) return -1;
    int64_t n = 0;
    while (bson_iter_next(&child)) ++n;
    return n;
}

bool isNullAt(BsonView doc, const std::string& path) {
    bson_iter_t it;
    return findPath(doc, path, &it) && BSON_ITER_HOLDS_NULL(&it);
}

}  // namespace mongosd::test
