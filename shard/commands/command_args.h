#pragma once
// Typed access to a command document's fields, with MongoDB's error codes for wrong types:
// TypeMismatch (14) for a field of the wrong BSON type, BadValue (2) for a bad value,
// FailedToParse (9) for a missing required field.

#include <optional>
#include <string>

#include "common/bson.h"

namespace mongosd::shard {

class CommandArgs {
public:
    explicit CommandArgs(BsonView cmd) : _cmd(cmd) {}

    BsonView raw() const { return _cmd; }
    std::string_view name() const { return _cmd.firstFieldName(); }
    bool has(std::string_view field) const { return _cmd.hasField(field); }
    // The iterator of a field, if present.
    MaybeIter field(std::string_view name) const;

    // The value of the command-name field as a collection name ({find: "courses"}).
    StatusWith<std::string> collectionName() const;
    StatusWith<std::string> requiredString(std::string_view field) const;
    StatusWith<std::optional<std::string>> optionalString(std::string_view field) const;
    // A document field; {} when absent. Arrays are not documents here.
    StatusWith<BsonView> optionalDocument(std::string_view field) const;
    StatusWith<std::optional<BsonView>> optionalArray(std::string_view field) const;
    StatusWith<bool> optionalBool(std::string_view field, bool dflt) const;
    // Any integral number (int32/int64/integral double); BadValue when negative and !allowNegative.
    StatusWith<std::optional<int64_t>> optionalInteger(std::string_view field,
                                                       bool allowNegative = false) const;

private:
    BsonView _cmd;
};

}  // namespace mongosd::shard
