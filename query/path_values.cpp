#include "query/path_values.h"

#include <cstring>

#include "common/bson_compare.h"

namespace mongosd::query {
namespace {

struct Walker {
    const FieldPath& path;
    bool expandLeafArrays;
    const std::function<void(const bson_iter_t&)>& fn;
    size_t count = 0;

    void emit(const bson_iter_t& v) {
        ++count;
        fn(v);
    }

    // `start` iterates a document's fields; looks up path[i] there. Taken by reference and
    // copied: a by-value bson_iter_t parameter loses the type's 128-byte alignment.
    void inDocument(const bson_iter_t& start, size_t i) {
        bson_iter_t fields = start;
        std::string_view want = path.part(i);
        while (bson_iter_next(&fields)) {
            if (bson_iter_key_len(&fields) == want.size() &&
                std::memcmp(bson_iter_key(&fields), want.data(), want.size()) == 0) {
                reached(fields, i + 1);
                return;
            }
        }
    }

    void reached(const bson_iter_t& value, size_t i) {
        if (i == path.size()) {
            if (expandLeafArrays && BSON_ITER_HOLDS_ARRAY(&value)) {
                bson_iter_t elem;
                if (bson_iter_recurse(&value, &elem))
                    while (bson_iter_next(&elem)) emit(elem);
            } else {
                emit(value);
            }
            return;
        }
        bson_iter_t child;
        if (BSON_ITER_HOLDS_DOCUMENT(&value)) {
            if (bson_iter_recurse(&value, &child)) inDocument(child, i);
            return;
        }
        if (!BSON_ITER_HOLDS_ARRAY(&value) || !bson_iter_recurse(&value, &child)) return;
        if (FieldPath::arrayIndex(path.part(i)) >= 0) {
            inDocument(child, i);  // positional: element named by the component
            return;
        }
        while (bson_iter_next(&child)) {
            bson_iter_t sub;
            if (BSON_ITER_HOLDS_DOCUMENT(&child) && bson_iter_recurse(&child, &sub))
                inDocument(sub, i);
        }
    }
};

}  // namespace

size_t forEachPathValue(BsonView doc, const FieldPath& path, bool expandLeafArrays,
                        const std::function<void(const bson_iter_t&)>& fn) {
    Walker w{path, expandLeafArrays, fn};
    bson_iter_t fields;
    if (doc.iterInit(&fields)) w.inDocument(fields, 0);
    return w.count;
}

BsonObj sortKeyValue(BsonView doc, const FieldPath& path, bool descending) {
    bool have = false;
    bson_iter_t best;
    forEachPathValue(doc, path, /*expandLeafArrays=*/true, [&](const bson_iter_t& v) {
        int c = have ? compareValues(v, best) : 0;
        if (!have || (descending ? c > 0 : c < 0)) {
            best = v;
            have = true;
        }
    });
    BsonBuilder b;
    if (have)
        b.appendIter("", best);
    else
        b.appendNull("");
    return b.obj();
}

}  // namespace mongosd::query
