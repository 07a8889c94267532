#include "query/type_aliases.h"

#include <bson/bson.h>

#include <array>
#include <utility>

namespace mongosd::query {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 21> kAliases{{
    {"double", BSON_TYPE_DOUBLE},
    {"string", BSON_TYPE_UTF8},
    {"object", BSON_TYPE_DOCUMENT},
    {"array", BSON_TYPE_ARRAY},
    {"binData", BSON_TYPE_BINARY},
    {"undefined", BSON_TYPE_UNDEFINED},
    {"objectId", BSON_TYPE_OID},
    {"bool", BSON_TYPE_BOOL},
    {"date", BSON_TYPE_DATE_TIME},
    {"null", BSON_TYPE_NULL},
    {"regex", BSON_TYPE_REGEX},
    {"dbPointer", BSON_TYPE_DBPOINTER},
    {"javascript", BSON_TYPE_CODE},
    {"symbol", BSON_TYPE_SYMBOL},
    {"javascriptWithScope", BSON_TYPE_CODEWSCOPE},
    {"int", BSON_TYPE_INT32},
    {"timestamp", BSON_TYPE_TIMESTAMP},
    {"long", BSON_TYPE_INT64},
    {"decimal", BSON_TYPE_DECIMAL128},
    {"minKey", BSON_TYPE_MINKEY},
    {"maxKey", BSON_TYPE_MAXKEY},
}};

}  // namespace

std::optional<int> typeByteForAlias(std::string_view alias) {
    for (const auto& [name, byte] : kAliases)
        if (name == alias) return byte;
    return std::nullopt;
}

std::optional<int> typeByteForCode(long long code) {
    if (code == -1) return BSON_TYPE_MINKEY;
    if (code == 127) return BSON_TYPE_MAXKEY;
    if (code >= 1 && code <= 19) return static_cast<int>(code);
    return std::nullopt;
}

}  // namespace mongosd::query
