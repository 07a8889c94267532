#include "common/command_reply.h"

namespace mongosd {

BsonObj commandErrorReply(const Status& status) {
    BsonBuilder b;
    b.appendDouble("ok", 0.0);
    b.appendString("errmsg", status.reason());
    b.appendInt32("code", status.code());
    b.appendString("codeName", status.codeName());
    appendErrorExtraInfo(status, b);
    return b.obj();
}

void appendErrorExtraInfo(const Status& status, BsonBuilder& b) {
    const std::string* extra = status.extraInfo();
    if (!extra) return;
    b.appendAll(BsonView(reinterpret_cast<const uint8_t*>(extra->data()), extra->size()));
}

Status statusFromReply(BsonView reply) {
    bson_iter_t f;
    if (reply.find("ok", &f) && BSON_ITER_HOLDS_NUMBER(&f) && bson_iter_as_double(&f) == 1.0)
        return Status::OK();
    int32_t code = ErrorCodes::InternalError;
    std::string msg = "command failed";
    if (reply.find("code", &f) && BSON_ITER_HOLDS_NUMBER(&f))
        code = static_cast<int32_t>(bson_iter_as_int64(&f));
    if (reply.find("errmsg", &f) && BSON_ITER_HOLDS_UTF8(&f)) msg = bson_iter_utf8(&f, nullptr);
    if (code == ErrorCodes::OK) code = ErrorCodes::UnknownError;
    return Status(static_cast<ErrorCodes::Error>(code), msg);
}

}  // namespace mongosd
