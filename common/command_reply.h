#pragma once
// MongoDB's command reply conventions, shared by every role and transport: a failed command
// answers {ok: 0, errmsg, code, codeName}; a reply's status is read back from those fields.

#include "common/bson.h"

namespace mongosd {

// {ok: 0, errmsg, code, codeName} for a non-OK status.
BsonObj commandErrorReply(const Status& status);

// Appends the status's extra fields (Status::extraInfo), if any.
void appendErrorExtraInfo(const Status& status, BsonBuilder& b);

// OK when reply.ok is 1; otherwise the reply's code and errmsg (InternalError when absent).
Status statusFromReply(BsonView reply);

}  // namespace mongosd
