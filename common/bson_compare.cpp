#include "common/bson_compare.h"

#include "common/invariant.h"

namespace mongosd {

int canonicalTypeRank(bson_type_t t) {
    switch (t) {
        case BSON_TYPE_MINKEY: return -1;
        case BSON_TYPE_EOD:
        case BSON_TYPE_UNDEFINED: return 0;
        case BSON_TYPE_NULL: return 5;
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DECIMAL128: return 10;
        case BSON_TYPE_UTF8:
        case BSON_TYPE_SYMBOL: return 15;
        case BSON_TYPE_DOCUMENT: return 20;
        case BSON_TYPE_ARRAY: return 25;
        case BSON_TYPE_BINARY: return 30;
        case BSON_TYPE_OID: return 35;
        case BSON_TYPE_BOOL: return 40;
        case BSON_TYPE_DATE_TIME: return 45;
        case BSON_TYPE_TIMESTAMP: return 47;
        case BSON_TYPE_REGEX: return 50;
        case BSON_TYPE_DBPOINTER: return 55;
        case BSON_TYPE_CODE: return 60;
        case BSON_TYPE_CODEWSCOPE: return 65;
        case BSON_TYPE_MAXKEY: return 127;
    }
    invariantMsg(false, "canonicalTypeRank: unknown BSON type");
    return 0;
}

}  // namespace mongosd
