// queryShape(): the plan cache key. Paths, operators and the structure of the filter are kept;
// each value becomes the name of its canonical type, which is what decides which indexes can
// be used (a point, a range of one type bracket, a null that a sparse index lacks). $in/$nin/
// $all lists become their sorted set of types; $expr, $type, $options and $exists keep their
// argument (they change plans or cannot be typed). Sort and projection are kept verbatim.
#include <set>

#include "common/bson_compare.h"
#include "common/json/ejson.h"
#include "query/filter_parser.h"
#include "query/planner.h"

namespace mongosd::query {
namespace {

std::string typeName(const bson_iter_t& v) {
    switch (bson_iter_type(&v)) {
        case BSON_TYPE_NULL:
            return "null";
        case BSON_TYPE_UNDEFINED:
            return "undefined";
        case BSON_TYPE_REGEX:
            return "regex";
        default:
            break;
    }
    switch (canonicalTypeRank(bson_iter_type(&v))) {
        case -1:
            return "minKey";
        case 10:
            return "number";
        case 15:
            return "string";
        case 20:
            return "object";
        case 25:
            return "array";
        case 30:
            return "binData";
        case 35:
            return "objectId";
        case 40:
            return "bool";
        case 45:
            return "date";
        case 47:
            return "timestamp";
        case 127:
            return "maxKey";
        default:
            return "other" + std::to_string(static_cast<int>(bson_iter_type(&v)));
    }
}

std::string verbatim(const bson_iter_t& v) {
    BsonBuilder b;
    b.appendIter("", v);
    return json::toJson(b.obj());
}

std::string filterShape(BsonView filter);

std::string typeSet(const bson_iter_t& list) {
    std::set<std::string> types;
    bson_iter_t elem;
    if (bson_iter_recurse(&list, &elem)) {
        while (bson_iter_next(&elem)) {
            bson_iter_t inner;
            // $all: [{$elemMatch: ...}] keeps its sub-filters' shapes.
            if (BSON_ITER_HOLDS_DOCUMENT(&elem) && bson_iter_recurse(&elem, &inner) &&
                bson_iter_next(&inner) && iterKey(inner) == "$elemMatch") {
                types.insert(filterShape(subDocument(elem)));
            } else {
                types.insert(typeName(elem));
            }
        }
    }
    std::string out = "[";
    for (const auto& t : types) out += (out.size() > 1 ? "," : "") + t;
    return out + "]";
}

std::string operatorsShape(const bson_iter_t& ops);

std::string operandShape(std::string_view op, const bson_iter_t& v) {
    if (op == "$in" || op == "$nin" || op == "$all") return typeSet(v);
    if (op == "$expr" || op == "$type" || op == "$options") return verbatim(v);
    if (op == "$exists") return bson_iter_as_bool(&v) ? "true" : "false";
    if ((op == "$elemMatch" || op == "$not") && BSON_ITER_HOLDS_DOCUMENT(&v)) {
        if (isOperatorObject(v, /*allowIncompleteDBRef=*/true)) return operatorsShape(v);
        return filterShape(subDocument(v));
    }
    return typeName(v);
}

std::string operatorsShape(const bson_iter_t& ops) {
    std::string out = "{";
    bson_iter_t op;
    bson_iter_recurse(&ops, &op);
    while (bson_iter_next(&op)) {
        if (out.size() > 1) out += ",";
        out += std::string(iterKey(op)) + ":" + operandShape(iterKey(op), op);
    }
    return out + "}";
}

std::string filterShape(BsonView filter) {
    std::string out = "{";
    bson_iter_t it;
    if (!filter.iterInit(&it)) return "{}";
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (key == "$comment") continue;
        if (out.size() > 1) out += ",";
        out += std::string(key) + ":";
        bson_iter_t clause;
        if ((key == "$and" || key == "$or" || key == "$nor") && BSON_ITER_HOLDS_ARRAY(&it) &&
            bson_iter_recurse(&it, &clause)) {
            out += "[";
            bool first = true;
            while (bson_iter_next(&clause)) {
                if (!first) out += ",";
                first = false;
                out += BSON_ITER_HOLDS_DOCUMENT(&clause) ? filterShape(subDocument(clause))
                                                         : typeName(clause);
            }
            out += "]";
        } else if (!key.empty() && key[0] == '$') {
            out += operandShape(key, it);
        } else if (isOperatorObject(it, /*allowIncompleteDBRef=*/false)) {
            out += operatorsShape(it);
        } else {
            out += typeName(it);
        }
    }
    return out + "}";
}

}  // namespace

std::string queryShape(BsonView filter, BsonView sort, BsonView projection) {
    return filterShape(filter) + " sort:" + json::toJson(sort) +
           " projection:" + json::toJson(projection);
}

}  // namespace mongosd::query
