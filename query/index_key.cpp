#include "query/index_key.h"

#include <cmath>
#include <cstring>
#include <set>

#include "common/json/ejson.h"

namespace mongosd::query {
namespace {

Status badPattern(std::string reason) {
    return Status(ErrorCodes::CannotCreateIndex, std::move(reason));
}

// The values one pattern field takes in a document, as encoded components.
struct FieldValues {
    std::set<std::string> components;
    bool multikey = false;
    bool found = false;  // some value exists (null included); false: only dead ends
    // The dotted prefix of the first array crossed or reached, for the parallel-arrays rule.
    std::string arrayPrefix;
};

class FieldWalker {
public:
    FieldWalker(const IndexField& field, FieldValues& out) : _field(field), _out(out) {}

    void walkDocument(const bson_iter_t& start, size_t i) {
        bson_iter_t fields = start;
        std::string_view want = _field.path.part(i);
        while (bson_iter_next(&fields)) {
            if (bson_iter_key_len(&fields) == want.size() &&
                std::memcmp(bson_iter_key(&fields), want.data(), want.size()) == 0) {
                reached(fields, i + 1);
                return;
            }
        }
        deadEnd();
    }

    Status status() const { return _status; }

private:
    void reached(const bson_iter_t& value, size_t i) {
        if (i == _field.path.size()) return leaf(value, i);
        bson_iter_t child;
        if (BSON_ITER_HOLDS_DOCUMENT(&value) && bson_iter_recurse(&value, &child)) {
            return walkDocument(child, i);
        }
        if (!BSON_ITER_HOLDS_ARRAY(&value) || !bson_iter_recurse(&value, &child)) {
            return deadEnd();
        }
        sawArray(i);
        // A numeric component addresses a position, and also (as the matcher reads it) the
        // field of that name in each element: {"a.0": null} matches a: [{x: 1}].
        if (FieldPath::arrayIndex(_field.path.part(i)) >= 0) walkDocument(child, i);
        bool any = false;
        while (bson_iter_next(&child)) {
            any = true;
            bson_iter_t sub;
            if (BSON_ITER_HOLDS_DOCUMENT(&child) && bson_iter_recurse(&child, &sub)) {
                walkDocument(sub, i);
            } else {
                deadEnd();
            }
        }
        if (!any) deadEnd();
    }

    void leaf(const bson_iter_t& value, size_t i) {
        _out.found = true;
        if (!BSON_ITER_HOLDS_ARRAY(&value)) return add(value);
        sawArray(i);
        if (_field.kind == IndexFieldKind::kHashed) {
            _status = Status(ErrorCodes::Location16766,
                             "hashed indexes do not currently support array values");
            return;
        }
        bson_iter_t elem;
        bool any = false;
        if (bson_iter_recurse(&value, &elem)) {
            while (bson_iter_next(&elem)) {
                any = true;
                add(elem);
            }
        }
        if (!any) addSpecial(BSON_TYPE_UNDEFINED);
    }

    void deadEnd() { addSpecial(BSON_TYPE_NULL); }

    void addSpecial(bson_type_t type) {
        bson_t b = BSON_INITIALIZER;
        if (type == BSON_TYPE_NULL) {
            bson_append_null(&b, "", 0);
        } else {
            bson_append_undefined(&b, "", 0);
        }
        bson_iter_t it;
        bson_iter_init(&it, &b);
        bson_iter_next(&it);
        add(it);
        bson_destroy(&b);
    }

    void add(const bson_iter_t& value) {
        keystring::Builder b;
        appendIndexComponent(b, _field, value);
        _out.components.insert(b.release());
    }

    void sawArray(size_t i) {
        if (!_out.multikey) {
            std::string prefix;
            for (size_t k = 0; k < i; ++k) {
                if (k) prefix += '.';
                prefix += _field.path.part(k);
            }
            _out.arrayPrefix = std::move(prefix);
        }
        _out.multikey = true;
    }

    const IndexField& _field;
    FieldValues& _out;
    Status _status;
};

}  // namespace

StatusWith<IndexKeyPattern> IndexKeyPattern::parse(BsonView keyPattern) {
    IndexKeyPattern p;
    bson_iter_t it;
    if (!keyPattern.iterInit(&it)) return badPattern("index key pattern is not valid BSON");
    std::set<std::string> seen;
    while (bson_iter_next(&it)) {
        std::string_view name(bson_iter_key(&it), bson_iter_key_len(&it));
        auto path = FieldPath::parse(name);
        if (!path.isOK()) {
            return badPattern("bad index key field '" + std::string(name) +
                              "': " + path.getStatus().reason());
        }
        if (!seen.insert(std::string(name)).second) {
            return badPattern("duplicate field '" + std::string(name) + "' in index key pattern");
        }
        IndexFieldKind kind;
        if (BSON_ITER_HOLDS_NUMBER(&it) || BSON_ITER_HOLDS_DECIMAL128(&it)) {
            double d = BSON_ITER_HOLDS_DECIMAL128(&it) ? 0 : bson_iter_as_double(&it);
            if (BSON_ITER_HOLDS_DECIMAL128(&it)) {
                bson_decimal128_t dec;
                bson_iter_decimal128(&it, &dec);
                char buf[BSON_DECIMAL128_STRING];
                bson_decimal128_to_string(&dec, buf);
                d = std::strtod(buf, nullptr);
            }
            if (d > 0) {
                kind = IndexFieldKind::kAscending;
            } else if (d < 0) {
                kind = IndexFieldKind::kDescending;
            } else {
                return badPattern("Values in the index key pattern can't be 0 (field '" +
                                  std::string(name) + "')");
            }
        } else if (BSON_ITER_HOLDS_UTF8(&it)) {
            uint32_t len = 0;
            const char* text = bson_iter_utf8(&it, &len);  // sets len: not in one expression
            std::string_view type(text, len);
            if (type != "hashed") {
                return badPattern("Unknown or unsupported index type '" + std::string(type) +
                                  "' for field '" + std::string(name) + "'");
            }
            kind = IndexFieldKind::kHashed;
            for (const auto& f : p._fields) {
                if (f.kind == IndexFieldKind::kHashed)
                    return badPattern("A maximum of one index field is allowed to be hashed");
            }
        } else {
            return badPattern(
                "Values in the index key pattern must be numbers or \"hashed\" "
                "(field '" +
                std::string(name) + "')");
        }
        p._fields.push_back(IndexField{std::move(path.getValue()), kind});
    }
    if (p._fields.empty()) return badPattern("Index keys cannot be empty.");
    if (p._fields.size() > 32) return badPattern("Index key pattern has more than 32 fields");
    p._bson = BsonObj::copyOf(keyPattern);
    return p;
}

bool IndexKeyPattern::hasHashed() const {
    for (const auto& f : _fields) {
        if (f.kind == IndexFieldKind::kHashed) return true;
    }
    return false;
}

std::vector<keystring::Direction> IndexKeyPattern::directions() const {
    std::vector<keystring::Direction> dirs;
    for (const auto& f : _fields) {
        dirs.push_back(f.kind == IndexFieldKind::kDescending ? keystring::Direction::kDescending
                                                             : keystring::Direction::kAscending);
    }
    return dirs;
}

int64_t hashIndexValue(const bson_iter_t& value) {
    std::string bytes = keystring::encodeValue(value);
    // FNV-1a over the canonical bytes, then the splitmix64 finaliser to spread the bits (FNV
    // alone leaves consecutive integers close together, which hashed sharding must avoid).
    uint64_t h = 14695981039346656037ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return static_cast<int64_t>(h);
}

void appendIndexComponent(keystring::Builder& b, const IndexField& field,
                          const bson_iter_t& value) {
    switch (field.kind) {
        case IndexFieldKind::kAscending:
            b.appendValue(value, keystring::Direction::kAscending);
            return;
        case IndexFieldKind::kDescending:
            b.appendValue(value, keystring::Direction::kDescending);
            return;
        case IndexFieldKind::kHashed: {
            bson_t h = BSON_INITIALIZER;
            bson_append_int64(&h, "", 0, hashIndexValue(value));
            bson_iter_t it;
            bson_iter_init(&it, &h);
            bson_iter_next(&it);
            b.appendValue(it);
            bson_destroy(&h);
            return;
        }
    }
}

StatusWith<IndexKeys> generateIndexKeys(const IndexKeyPattern& pattern, BsonView doc, bool sparse) {
    std::vector<FieldValues> values(pattern.size());
    bson_iter_t root;
    if (!doc.iterInit(&root)) return Status(ErrorCodes::InvalidBSON, "document is not valid BSON");
    bool anyFound = false;
    const FieldValues* firstArray = nullptr;
    const IndexField* firstArrayField = nullptr;
    for (size_t f = 0; f < pattern.size(); ++f) {
        FieldWalker walker(pattern.fields()[f], values[f]);
        walker.walkDocument(root, 0);
        MONGOSD_RETURN_IF_ERROR(walker.status());
        anyFound = anyFound || values[f].found;
        if (!values[f].multikey) continue;
        if (firstArray && firstArray->arrayPrefix != values[f].arrayPrefix) {
            return Status(ErrorCodes::CannotIndexParallelArrays,
                          "cannot index parallel arrays [" + pattern.fields()[f].path.dotted() +
                              "] [" + firstArrayField->path.dotted() + "]");
        }
        firstArray = &values[f];
        firstArrayField = &pattern.fields()[f];
    }

    IndexKeys out;
    for (const auto& v : values) out.multikey.push_back(v.multikey);
    if (sparse && !anyFound) {
        out.skipped = true;
        return out;
    }
    size_t total = 1;
    for (const auto& v : values) {
        total *= v.components.size();
        if (total > kMaxIndexKeysPerDocument) {
            return Status(ErrorCodes::BadValue, "document would add more than " +
                                                    std::to_string(kMaxIndexKeysPerDocument) +
                                                    " keys to index " +
                                                    json::toJson(pattern.bson()));
        }
    }
    // Cartesian product in pattern order; components are sorted, so the keys come out sorted.
    out.keys.push_back(std::string());
    for (const auto& v : values) {
        std::vector<std::string> next;
        next.reserve(out.keys.size() * v.components.size());
        for (const auto& prefix : out.keys) {
            for (const auto& c : v.components) next.push_back(prefix + c);
        }
        out.keys = std::move(next);
    }
    return out;
}

std::string defaultIndexName(BsonView keyPattern) {
    std::string name;
    bson_iter_t it;
    keyPattern.iterInit(&it);
    while (bson_iter_next(&it)) {
        if (!name.empty()) name += '_';
        name.append(bson_iter_key(&it), bson_iter_key_len(&it));
        name += '_';
        if (BSON_ITER_HOLDS_UTF8(&it)) {
            name += bson_iter_utf8(&it, nullptr);
        } else if (BSON_ITER_HOLDS_NUMBER(&it)) {
            double d = bson_iter_as_double(&it);
            name += d == std::floor(d) ? std::to_string(int64_t(d)) : std::to_string(d);
        }
    }
    return name;
}

}  // namespace mongosd::query
