// Index specifications: validation of createIndexes' specs and the in-memory IndexEntry.

#include "common/bson_compare.h"
#include "query/index_key.h"
#include "shard/storage/catalog.h"

namespace mongosd::storage {
namespace {

Status specError(ErrorCodes::Error code, std::string reason) {
    return Status(code, "Error in specification: " + std::move(reason));
}

}  // namespace

StatusWith<BsonObj> normalizeIndexSpec(BsonView spec) {
    bson_iter_t it;
    std::optional<BsonView> key;
    std::string name;
    bool unique = false, sparse = false;
    std::optional<BsonView> partial;
    std::optional<int64_t> expire;
    spec.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view field(bson_iter_key(&it), bson_iter_key_len(&it));
        if (field == "key") {
            if (!BSON_ITER_HOLDS_DOCUMENT(&it))
                return specError(ErrorCodes::TypeMismatch, "the 'key' field must be an object");
            key = subDocument(it);
        } else if (field == "name") {
            if (!BSON_ITER_HOLDS_UTF8(&it))
                return specError(ErrorCodes::TypeMismatch, "the 'name' field must be a string");
            uint32_t len = 0;
            const char* s = bson_iter_utf8(&it, &len);
            name.assign(s, len);
            if (name.empty())
                return specError(ErrorCodes::CannotCreateIndex, "index name cannot be empty");
            if (name == "_id_")
                return specError(ErrorCodes::BadValue,
                                 "the _id index is implicit and cannot be created");
        } else if (field == "unique" || field == "sparse") {
            if (!BSON_ITER_HOLDS_BOOL(&it) && !BSON_ITER_HOLDS_NUMBER(&it))
                return specError(ErrorCodes::TypeMismatch,
                                 "the '" + std::string(field) + "' field must be a boolean");
            bool v = bson_iter_as_bool(&it);
            (field == "unique" ? unique : sparse) = v;
        } else if (field == "partialFilterExpression") {
            if (!BSON_ITER_HOLDS_DOCUMENT(&it))
                return specError(ErrorCodes::TypeMismatch,
                                 "the 'partialFilterExpression' field must be an object");
            partial = subDocument(it);
        } else if (field == "expireAfterSeconds") {
            if (!BSON_ITER_HOLDS_NUMBER(&it))
                return specError(ErrorCodes::TypeMismatch,
                                 "the 'expireAfterSeconds' field must be a number");
            double d = bson_iter_as_double(&it);
            if (!(d >= 0) || d > 2147483647.0)
                return specError(ErrorCodes::InvalidOptions,
                                 "expireAfterSeconds must be between 0 and 2147483647");
            expire = int64_t(d);
        } else if (field == "v" || field == "background" || field == "ns") {
            continue;  // accepted and ignored, as MongoDB does for old clients
        } else {
            return specError(ErrorCodes::InvalidIndexSpecificationOption,
                             "the field '" + std::string(field) +
                                 "' is not valid for an index specification");
        }
    }
    if (!key) {
        return specError(ErrorCodes::FailedToParse,
                         "the 'key' field is a required property of an index specification");
    }
    auto pattern = query::IndexKeyPattern::parse(*key);
    if (!pattern.isOK()) return pattern.getStatus();
    if (pattern.getValue().hasHashed() && unique) {
        return specError(ErrorCodes::CannotCreateIndex,
                         "Currently hashed indexes cannot guarantee uniqueness");
    }
    if (expire && pattern.getValue().size() != 1) {
        return specError(ErrorCodes::CannotCreateIndex,
                         "TTL indexes are single-field indexes, compound indexes do not support "
                         "TTL");
    }
    if (partial && sparse) {
        return specError(ErrorCodes::CannotCreateIndex,
                         "cannot mix \"partialFilterExpression\" and \"sparse\" options");
    }
    if (partial) {
        auto parsed = query::parseFilter(*partial);
        if (!parsed.isOK()) return parsed.getStatus().withContext("partialFilterExpression");
    }
    if (name.empty()) name = query::defaultIndexName(*key);

    BsonBuilder b;
    b.appendInt32("v", 2);
    b.appendDocument("key", *key);
    b.appendString("name", name);
    if (unique) b.appendBool("unique", true);
    if (sparse) b.appendBool("sparse", true);
    if (partial) b.appendDocument("partialFilterExpression", *partial);
    if (expire) b.appendInt64("expireAfterSeconds", *expire);
    return b.obj();
}

IndexEntry::IndexEntry(BsonObj spec_, query::IndexKeyPattern pattern_, std::string ident_,
                       Timestamp readyAt_, const std::vector<bool>& multikey_)
    : spec(std::move(spec_)),
      name([&] {
          bson_iter_t it;
          spec.view().find("name", &it);
          return std::string(bson_iter_utf8(&it, nullptr));
      }()),
      pattern(std::move(pattern_)),
      ident(std::move(ident_)),
      unique([&] {
          bson_iter_t it;
          return spec.view().find("unique", &it) && bson_iter_as_bool(&it);
      }()),
      sparse([&] {
          bson_iter_t it;
          return spec.view().find("sparse", &it) && bson_iter_as_bool(&it);
      }()),
      partialFilter([&] {
          bson_iter_t it;
          return spec.view().find("partialFilterExpression", &it)
                     ? BsonObj::copyOf(subDocument(it))
                     : BsonObj();
      }()),
      expireAfterSeconds([&]() -> std::optional<int64_t> {
          bson_iter_t it;
          if (!spec.view().find("expireAfterSeconds", &it)) return std::nullopt;
          return bson_iter_as_int64(&it);
      }()),
      readyAt(readyAt_),
      multikey(new std::atomic<bool>[pattern.size()]) {
    for (size_t i = 0; i < pattern.size(); ++i) {
        multikey[i].store(i < multikey_.size() && multikey_[i]);
    }
}

std::vector<bool> IndexEntry::multikeyFields() const {
    std::vector<bool> out(pattern.size());
    for (size_t i = 0; i < out.size(); ++i) out[i] = multikey[i].load();
    return out;
}

bool IndexEntry::anyMultikey() const {
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (multikey[i].load()) return true;
    }
    return false;
}

StatusWith<IndexPtr> makeIndexEntry(BsonView normalizedSpec, std::string ident, Timestamp readyAt,
                                    const std::vector<bool>& multikey) {
    bson_iter_t it;
    if (!normalizedSpec.find("key", &it) || !BSON_ITER_HOLDS_DOCUMENT(&it))
        return Status(ErrorCodes::InternalError, "index spec without key");
    auto pattern = query::IndexKeyPattern::parse(subDocument(it));
    if (!pattern.isOK()) return pattern.getStatus();
    auto entry = std::make_shared<IndexEntry>(BsonObj::copyOf(normalizedSpec),
                                              std::move(pattern.getValue()), std::move(ident),
                                              readyAt, multikey);
    if (!entry->partialFilter.isEmpty()) {
        auto parsed = query::parseFilter(entry->partialFilter.view());
        if (!parsed.isOK()) return parsed.getStatus();
        entry->partialMatcher = std::move(parsed.getValue());
    }
    return entry;
}

bool sameIndexKey(const IndexEntry& a, BsonView normalizedSpec) {
    bson_iter_t it;
    if (!normalizedSpec.find("key", &it)) return false;
    return a.pattern.bson().view().binaryEqual(subDocument(it));
}

bool sameIndexOptions(const IndexEntry& a, BsonView normalizedSpec) {
    // Everything but the name: compare the specs with the name removed.
    auto withoutName = [](BsonView spec) {
        BsonBuilder b;
        bson_iter_t it;
        spec.iterInit(&it);
        while (bson_iter_next(&it)) {
            std::string_view field = bson_iter_key(&it);
            if (field != "name") b.appendIter(field, it);
        }
        return b.obj();
    };
    return withoutName(a.spec.view()).view().binaryEqual(withoutName(normalizedSpec).view());
}

IndexPtr CollectionEntry::findIndex(std::string_view name) const {
    for (const auto& index : indexes) {
        if (index->name == name) return index;
    }
    return nullptr;
}

}  // namespace mongosd::storage
