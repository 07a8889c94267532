#pragma once
// The per-field logic of update operators, used by UpdateSpec (update.cpp): parsing each
// operator's argument for one path, and computing a field's new value from its current one.
// Internal to query/. Pure apart from $currentDate, which is given the time by the caller.

#include <memory>
#include <string_view>

#include "common/bson.h"
#include "query/update.h"

namespace mongosd::query {

struct ModifierArgs {
    virtual ~ModifierArgs() = default;
};

// Fills node.op / node.operand / node.args for operator `op` applied with argument `arg`.
// BadValue / TypeMismatch / FailedToParse for a bad argument, as MongoDB.
Status parseModifier(UpdateNode::Op op, const bson_iter_t& arg, UpdateNode& node);

struct ModifierContext {
    BsonView root;           // the whole document before the update ($rename reads its source)
    bool upsertInsert;       // $setOnInsert applies
    int64_t nowMs;           // $currentDate
    std::string_view field;  // the field's name, for messages
};

struct ModifierResult {
    enum class Kind { kKeep, kRemove, kValue };
    Kind kind = Kind::kKeep;
    BsonObj value;  // {"": v} for kValue
};

// The field's new state: `current` is its value, or null when the field is missing (kKeep then
// means "create nothing").
StatusWith<ModifierResult> applyModifier(const UpdateNode& node, const bson_iter_t* current,
                                         const ModifierContext& ctx);

// MongoDB's checks of {$rename: {from: to}} against one document, before anything changes:
// PathNotViable when `from` crosses a scalar or an array by name, BadValue when `from` is
// inside an array or, if `from` exists, `to` is (or would be created) inside an array.
Status checkRename(BsonView root, std::string_view from, std::string_view to);

// Whether applying the node to a missing field can create it.
bool modifierCreates(UpdateNode::Op op, bool upsertInsert);

}  // namespace mongosd::query
