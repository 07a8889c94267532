#include "shard/commands/command_args.h"

#include <cmath>

namespace mongosd::shard {
namespace {

Status typeError(std::string_view cmd, std::string_view field, std::string_view want) {
    return Status(ErrorCodes::TypeMismatch, "BSON field '" + std::string(cmd) + "." +
                                                std::string(field) + "' is the wrong type, expected " +
                                                std::string(want));
}

}  // namespace

MaybeIter CommandArgs::field(std::string_view name) const {
    MaybeIter out;
    out.present = _cmd.find(name, &out.it);
    return out;
}

StatusWith<std::string> CommandArgs::collectionName() const {
    bson_iter_t it;
    if (!_cmd.iterInit(&it) || !bson_iter_next(&it))
        return Status(ErrorCodes::FailedToParse, "empty command document");
    if (!BSON_ITER_HOLDS_UTF8(&it))
        return Status(ErrorCodes::InvalidNamespace,
                      "collection name in '" + std::string(name()) + "' must be a string");
    uint32_t n = 0;
    const char* s = bson_iter_utf8(&it, &n);
    return std::string(s, n);
}

StatusWith<std::string> CommandArgs::requiredString(std::string_view f) const {
    auto v = optionalString(f);
    if (!v.isOK()) return v.getStatus();
    if (!v.getValue())
        return Status(ErrorCodes::FailedToParse, "BSON field '" + std::string(name()) + "." +
                                                     std::string(f) + "' is missing but a required field");
    return *v.getValue();
}

StatusWith<std::optional<std::string>> CommandArgs::optionalString(std::string_view f) const {
    auto it = field(f);
    if (!it) return std::optional<std::string>();
    if (!BSON_ITER_HOLDS_UTF8(&*it)) return typeError(name(), f, "string");
    uint32_t n = 0;
    const char* s = bson_iter_utf8(&*it, &n);
    return std::optional<std::string>(std::string(s, n));
}

StatusWith<BsonView> CommandArgs::optionalDocument(std::string_view f) const {
    auto it = field(f);
    if (!it || BSON_ITER_HOLDS_NULL(&*it)) return BsonView();
    if (!BSON_ITER_HOLDS_DOCUMENT(&*it)) return typeError(name(), f, "object");
    return subDocument(*it);
}

StatusWith<std::optional<BsonView>> CommandArgs::optionalArray(std::string_view f) const {
    auto it = field(f);
    if (!it) return std::optional<BsonView>();
    if (!BSON_ITER_HOLDS_ARRAY(&*it)) return typeError(name(), f, "array");
    return std::optional<BsonView>(subDocument(*it));
}

StatusWith<bool> CommandArgs::optionalBool(std::string_view f, bool dflt) const {
    auto it = field(f);
    if (!it || BSON_ITER_HOLDS_NULL(&*it)) return dflt;
    switch (bson_iter_type(&*it)) {
        case BSON_TYPE_BOOL:
            return bson_iter_bool(&*it);
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
        case BSON_TYPE_DOUBLE:
            return bson_iter_as_double(&*it) != 0;
        default:
            return typeError(name(), f, "bool");
    }
}

StatusWith<std::optional<int64_t>> CommandArgs::optionalInteger(std::string_view f,
                                                                bool allowNegative) const {
    auto it = field(f);
    if (!it || BSON_ITER_HOLDS_NULL(&*it)) return std::optional<int64_t>();
    int64_t v = 0;
    switch (bson_iter_type(&*it)) {
        case BSON_TYPE_INT32:
        case BSON_TYPE_INT64:
            v = bson_iter_as_int64(&*it);
            break;
        case BSON_TYPE_DOUBLE: {
            double d = bson_iter_double(&*it);
            if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e18)
                return Status(ErrorCodes::BadValue,
                              "BSON field '" + std::string(f) + "' must be an integral number");
            v = static_cast<int64_t>(d);
            break;
        }
        default:
            return typeError(name(), f, "number");
    }
    if (v < 0 && !allowNegative)
        return Status(ErrorCodes::BadValue,
                      "BSON field '" + std::string(f) + "' value must be >= 0, actual value '" +
                          std::to_string(v) + "'");
    return std::optional<int64_t>(v);
}

}  // namespace mongosd::shard
