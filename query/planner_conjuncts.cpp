#include "query/planner_conjuncts.h"

#include <cstring>

#include "query/field_path.h"
#include "query/filter_parser.h"

namespace mongosd::query {
namespace {

// {"": /pattern/options} with the options verbatim: libbson's appender sorts them, while the
// matcher compares a stored regex's options with the filter's as written.
BsonObj regexHolder(std::string_view pattern, std::string_view options) {
    std::string bytes(4, '\0');
    bytes += static_cast<char>(BSON_TYPE_REGEX);
    bytes += '\0';  // the empty key
    bytes.append(pattern);
    bytes += '\0';
    bytes.append(options);
    bytes += '\0';
    bytes += '\0';  // end of document
    uint32_t len = static_cast<uint32_t>(bytes.size());
    std::memcpy(bytes.data(), &len, 4);  // BSON lengths are little-endian, as is this machine
    return BsonObj::copyOf(BsonView(reinterpret_cast<const uint8_t*>(bytes.data()), len));
}

BsonObj regexValueHolder(const bson_iter_t& it) {
    const char* options = nullptr;
    const char* pattern = bson_iter_regex(&it, &options);
    return regexHolder(pattern, options ? options : "");
}

std::string joinPath(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

bool hasNumericComponent(const std::string& dotted) {
    auto path = FieldPath::parse(dotted, /*allowDollar=*/true);
    if (!path.isOK()) return true;
    for (size_t i = 0; i < path.getValue().size(); ++i) {
        if (FieldPath::arrayIndex(path.getValue().part(i)) >= 0) return true;
    }
    return false;
}

void collectDocument(BsonView doc, const std::string& prefix, std::vector<Conjunct>& out);
void collectOperators(const std::string& path, const bson_iter_t& ops, std::vector<Conjunct>& out);

// {$regex: p, $options: o} (either order, p a string or a regex with its own flags).
Conjunct regexOperator(const std::string& path, const bson_iter_t& ops) {
    std::string pattern, options;
    bson_iter_t it;
    bson_iter_recurse(&ops, &it);
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (key == "$regex" && BSON_ITER_HOLDS_UTF8(&it)) {
            uint32_t len = 0;
            const char* s = bson_iter_utf8(&it, &len);
            pattern.assign(s, len);
        } else if (key == "$regex" && BSON_ITER_HOLDS_REGEX(&it)) {
            const char* flags = nullptr;
            pattern = bson_iter_regex(&it, &flags);
            if (flags && *flags) options = flags;
        } else if (key == "$options" && BSON_ITER_HOLDS_UTF8(&it)) {
            options = bson_iter_utf8(&it, nullptr);
        }
    }
    return Conjunct{path, "$regex", regexHolder(pattern, options), {}};
}

bool isValueElemMatch(const bson_iter_t& arg) {
    if (!isOperatorObject(arg, /*allowIncompleteDBRef=*/true)) return false;
    bson_iter_t first;
    bson_iter_recurse(&arg, &first);
    bson_iter_next(&first);
    return !isPathlessOperator(iterKey(first));
}

// $elemMatch on `path`. The operator form bounds the elements themselves; the document form's
// predicates on sub-paths bound path.sub (an index on "a.b" holds the b of every element of
// a). Numeric components are left out there: "a.0" in an index means a position.
void collectElemMatch(const std::string& path, const bson_iter_t& arg, std::vector<Conjunct>& out) {
    if (isValueElemMatch(arg)) {
        Conjunct c{path, "$elemMatch", copyValue(arg), {}};
        collectOperators(path, arg, c.elemMatchOps);
        out.push_back(std::move(c));
        return;
    }
    out.push_back(Conjunct{path, "$elemMatchObject", copyValue(arg), {}});
    if (hasNumericComponent(path)) return;
    std::vector<Conjunct> inner;
    collectDocument(subDocument(arg), path, inner);
    for (auto& c : inner) {
        if (!c.path.empty() && !hasNumericComponent(c.path)) out.push_back(std::move(c));
    }
}

// $all: every value must match as an implicit equality, or every $elemMatch.
void collectAll(const std::string& path, const bson_iter_t& arg, std::vector<Conjunct>& out) {
    bson_iter_t elem;
    bson_iter_recurse(&arg, &elem);
    while (bson_iter_next(&elem)) {
        bson_iter_t inner;
        if (BSON_ITER_HOLDS_DOCUMENT(&elem) && bson_iter_recurse(&elem, &inner) &&
            bson_iter_next(&inner) && iterKey(inner) == "$elemMatch") {
            collectElemMatch(path, inner, out);
        } else if (BSON_ITER_HOLDS_REGEX(&elem)) {
            out.push_back(Conjunct{path, "$regex", regexValueHolder(elem), {}});
        } else {
            out.push_back(Conjunct{path, "$eq", copyValue(elem), {}});
        }
    }
}

void collectOperators(const std::string& path, const bson_iter_t& ops, std::vector<Conjunct>& out) {
    bson_iter_t op;
    bson_iter_recurse(&ops, &op);
    while (bson_iter_next(&op)) {
        std::string name(iterKey(op));
        if (name == "$options") continue;  // read with $regex
        if (name == "$regex") {
            out.push_back(regexOperator(path, ops));
        } else if (name == "$elemMatch") {
            collectElemMatch(path, op, out);
        } else if (name == "$all") {
            collectAll(path, op, out);
        } else {
            out.push_back(Conjunct{path, std::move(name), copyValue(op), {}});
        }
    }
}

void collectPathless(const bson_iter_t& it, const std::string& prefix, std::vector<Conjunct>& out) {
    std::string_view key = iterKey(it);
    if (key == "$comment") return;
    bson_iter_t clause;
    if (key == "$and" && bson_iter_recurse(&it, &clause)) {
        while (bson_iter_next(&clause)) collectDocument(subDocument(clause), prefix, out);
        return;
    }
    if (key == "$or" && bson_iter_recurse(&it, &clause) && bson_iter_next(&clause)) {
        bson_iter_t more = clause;
        if (!bson_iter_next(&more)) return collectDocument(subDocument(clause), prefix, out);
    }
    // Inside $elemMatch a pathless operator applies to the element: no conjunct on a path.
    if (prefix.empty()) out.push_back(Conjunct{"", std::string(key), copyValue(it), {}});
}

void collectDocument(BsonView doc, const std::string& prefix, std::vector<Conjunct>& out) {
    bson_iter_t it;
    if (!doc.iterInit(&it)) return;
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (!key.empty() && key[0] == '$') {
            collectPathless(it, prefix, out);
            continue;
        }
        std::string path = joinPath(prefix, key);
        if (isOperatorObject(it, /*allowIncompleteDBRef=*/false)) {
            collectOperators(path, it, out);
        } else if (BSON_ITER_HOLDS_REGEX(&it)) {
            out.push_back(Conjunct{path, "$regex", regexValueHolder(it), {}});
        } else {
            out.push_back(Conjunct{path, "$eq", copyValue(it), {}});
        }
    }
}

}  // namespace

std::vector<Conjunct> collectConjuncts(BsonView filter) {
    std::vector<Conjunct> out;
    collectDocument(filter, "", out);
    return out;
}

}  // namespace mongosd::query
