#include "common/bson_compare.h"

#include <cstring>
#include <string_view>

#include "common/invariant.h"
#include "common/number_compare.h"

namespace mongosd {
namespace {

template <typename T>
int threeWay(T a, T b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

int signOf(int v) { return (v > 0) - (v < 0); }

// Bytewise, shorter first: MongoDB's simple binary collation (embedded NULs included).
int compareBytes(std::string_view a, std::string_view b) { return signOf(a.compare(b)); }

std::string_view stringValue(const bson_iter_t& it) {
    uint32_t len = 0;
    const char* s = bson_iter_type(&it) == BSON_TYPE_SYMBOL ? bson_iter_symbol(&it, &len)
                                                            : bson_iter_utf8(&it, &len);
    return {s, len};
}

int compareAt(const bson_iter_t& a, const bson_iter_t& b, int depth);

// Element by element: rank, then (if considerNames) field name, then value; prefix first.
int compareElements(bson_iter_t* a, bson_iter_t* b, bool considerNames, int depth) {
    for (;;) {
        bool moreA = bson_iter_next(a), moreB = bson_iter_next(b);
        if (!moreA || !moreB) {
            invariantMsg(a->err_off == 0 && b->err_off == 0, "compare: malformed BSON");
            return threeWay(moreA, moreB);
        }
        int byRank =
            threeWay(canonicalTypeRank(bson_iter_type(a)), canonicalTypeRank(bson_iter_type(b)));
        if (byRank != 0) return byRank;
        if (considerNames) {
            int byName = compareBytes({bson_iter_key(a), bson_iter_key_len(a)},
                                      {bson_iter_key(b), bson_iter_key_len(b)});
            if (byName != 0) return byName;
        }
        int byValue = compareAt(*a, *b, depth);
        if (byValue != 0) return byValue;
    }
}

int compareNested(const bson_iter_t& a, const bson_iter_t& b, bool isArray, int depth) {
    invariantMsg(depth < kMaxBsonDepth, "compare: nesting deeper than 100");
    bson_iter_t ca, cb;
    invariantMsg(bson_iter_recurse(&a, &ca) && bson_iter_recurse(&b, &cb),
                 "compare: malformed BSON");
    // Array keys are positions; only objects compare names.
    return compareElements(&ca, &cb, !isArray, depth + 1);
}

// Length, then subtype, then bytes. The old subtype 2 stores its own length word in front of
// the data, which MongoDB counts as data; libbson hides it, so add it back.
int compareBinData(const bson_iter_t& a, const bson_iter_t& b) {
    bson_subtype_t sa, sb;
    uint32_t la = 0, lb = 0;
    const uint8_t *da = nullptr, *db = nullptr;
    bson_iter_binary(&a, &sa, &la, &da);
    bson_iter_binary(&b, &sb, &lb, &db);
    uint32_t outerA = la + (sa == BSON_SUBTYPE_BINARY_DEPRECATED ? 4 : 0);
    uint32_t outerB = lb + (sb == BSON_SUBTYPE_BINARY_DEPRECATED ? 4 : 0);
    if (outerA != outerB) return threeWay(outerA, outerB);
    if (sa != sb) return threeWay(static_cast<uint8_t>(sa), static_cast<uint8_t>(sb));
    return la == 0 ? 0 : signOf(std::memcmp(da, db, la));  // same subtype: la == lb
}

int compareRegex(const bson_iter_t& a, const bson_iter_t& b) {
    const char *fa = nullptr, *fb = nullptr;
    const char* pa = bson_iter_regex(&a, &fa);
    const char* pb = bson_iter_regex(&b, &fb);
    int byPattern = compareBytes(pa, pb);
    return byPattern != 0 ? byPattern : compareBytes(fa, fb);
}

// MongoDB compares the value's size (so the namespace length) first, then the bytes.
int compareDbPointer(const bson_iter_t& a, const bson_iter_t& b) {
    uint32_t la = 0, lb = 0;
    const char *na = nullptr, *nb = nullptr;
    const bson_oid_t *oa = nullptr, *ob = nullptr;
    bson_iter_dbpointer(&a, &la, &na, &oa);
    bson_iter_dbpointer(&b, &lb, &nb, &ob);
    if (la != lb) return threeWay(la, lb);
    int byNs = compareBytes({na, la}, {nb, lb});
    return byNs != 0 ? byNs : signOf(std::memcmp(oa->bytes, ob->bytes, 12));
}

int compareCodeWithScope(const bson_iter_t& a, const bson_iter_t& b, int depth) {
    invariantMsg(depth < kMaxBsonDepth, "compare: nesting deeper than 100");
    uint32_t ca = 0, cb = 0, sa = 0, sb = 0;
    const uint8_t *scopeA = nullptr, *scopeB = nullptr;
    const char* codeA = bson_iter_codewscope(&a, &ca, &sa, &scopeA);
    const char* codeB = bson_iter_codewscope(&b, &cb, &sb, &scopeB);
    int byCode = compareBytes({codeA, ca}, {codeB, cb});
    if (byCode != 0) return byCode;
    bson_iter_t ia, ib;
    invariantMsg(
        bson_iter_init_from_data(&ia, scopeA, sa) && bson_iter_init_from_data(&ib, scopeB, sb),
        "compare: malformed scope");
    return compareElements(&ia, &ib, true, depth + 1);
}

int compareTimestamps(const bson_iter_t& a, const bson_iter_t& b) {
    uint32_t ta = 0, ia = 0, tb = 0, ib = 0;
    bson_iter_timestamp(&a, &ta, &ia);
    bson_iter_timestamp(&b, &tb, &ib);
    return threeWay((uint64_t{ta} << 32) | ia, (uint64_t{tb} << 32) | ib);
}

// Values of equal rank.
int compareSameRank(const bson_iter_t& a, const bson_iter_t& b, int depth) {
    uint32_t la = 0, lb = 0;
    switch (bson_iter_type(&a)) {
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_DECIMAL128:
            return compareNumbers(a, b);
        case BSON_TYPE_UTF8:
        case BSON_TYPE_SYMBOL:
            return compareBytes(stringValue(a), stringValue(b));
        case BSON_TYPE_DOCUMENT:
            return compareNested(a, b, false, depth);
        case BSON_TYPE_ARRAY:
            return compareNested(a, b, true, depth);
        case BSON_TYPE_BINARY:
            return compareBinData(a, b);
        case BSON_TYPE_OID:
            return signOf(std::memcmp(bson_iter_oid(&a)->bytes, bson_iter_oid(&b)->bytes, 12));
        case BSON_TYPE_BOOL:
            return threeWay(bson_iter_bool(&a), bson_iter_bool(&b));
        case BSON_TYPE_DATE_TIME:
            return threeWay(bson_iter_date_time(&a), bson_iter_date_time(&b));
        case BSON_TYPE_TIMESTAMP:
            return compareTimestamps(a, b);
        case BSON_TYPE_REGEX:
            return compareRegex(a, b);
        case BSON_TYPE_DBPOINTER:
            return compareDbPointer(a, b);
        case BSON_TYPE_CODE: {
            const char* ca = bson_iter_code(&a, &la);
            const char* cb = bson_iter_code(&b, &lb);
            return compareBytes({ca, la}, {cb, lb});
        }
        case BSON_TYPE_CODEWSCOPE:
            return compareCodeWithScope(a, b, depth);
        default:  // MinKey, MaxKey, undefined, null: one value per rank
            return 0;
    }
}

int compareAt(const bson_iter_t& a, const bson_iter_t& b, int depth) {
    int byRank =
        threeWay(canonicalTypeRank(bson_iter_type(&a)), canonicalTypeRank(bson_iter_type(&b)));
    return byRank != 0 ? byRank : compareSameRank(a, b, depth);
}

}  // namespace

int canonicalTypeRank(bson_type_t t) {
    switch (t) {
        case BSON_TYPE_MINKEY:
            return -1;
        case BSON_TYPE_EOD:
        case BSON_TYPE_UNDEFINED:
            return 0;
        case BSON_TYPE_NULL:
            return 5;
        case BSON_TYPE_DOUBLE:
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DECIMAL128:
            return 10;
        case BSON_TYPE_UTF8:
        case BSON_TYPE_SYMBOL:
            return 15;
        case BSON_TYPE_DOCUMENT:
            return 20;
        case BSON_TYPE_ARRAY:
            return 25;
        case BSON_TYPE_BINARY:
            return 30;
        case BSON_TYPE_OID:
            return 35;
        case BSON_TYPE_BOOL:
            return 40;
        case BSON_TYPE_DATE_TIME:
            return 45;
        case BSON_TYPE_TIMESTAMP:
            return 47;
        case BSON_TYPE_REGEX:
            return 50;
        case BSON_TYPE_DBPOINTER:
            return 55;
        case BSON_TYPE_CODE:
            return 60;
        case BSON_TYPE_CODEWSCOPE:
            return 65;
        case BSON_TYPE_MAXKEY:
            return 127;
    }
    invariantMsg(false, "canonicalTypeRank: unknown BSON type");
    return 0;
}

int compareValues(const bson_iter_t& a, const bson_iter_t& b) { return compareAt(a, b, 0); }

int compareDocuments(BsonView a, BsonView b, bool considerFieldNames) {
    bson_iter_t ia, ib;
    invariantMsg(a.iterInit(&ia) && b.iterInit(&ib), "compare: malformed BSON");
    return compareElements(&ia, &ib, considerFieldNames, 0);
}

bool valuesEqual(const bson_iter_t& a, const bson_iter_t& b) { return compareValues(a, b) == 0; }

}  // namespace mongosd
