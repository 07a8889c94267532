#pragma once
// Data API actions (API.md "Data API actions"): each action is a JSON body that becomes one
// MongoDB command, and a command reply that becomes the action's JSON response. Pure.

#include <string>
#include <string_view>

#include "common/bson.h"

namespace mongosd::net {

class DataAction {
public:
    virtual ~DataAction() = default;
    // The command document for the request body (already parsed to BSON). BadValue for unknown
    // or missing fields, TypeMismatch for wrong types.
    virtual StatusWith<BsonObj> toCommand(BsonView body) const = 0;
    // The action's response document, built from the command's ok:1 reply; `cmd` is what
    // toCommand produced.
    virtual BsonObj toResponse(BsonView cmd, BsonView reply) const = 0;
};

// The action called `name`, or nullptr when there is none.
const DataAction* findDataAction(std::string_view name);

}  // namespace mongosd::net
