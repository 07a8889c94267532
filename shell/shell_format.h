#pragma once
// Documents as mongosh prints them: unquoted keys when they are identifiers, 'single-quoted'
// strings, type wrappers (ObjectId("…"), ISODate("…"), Long("…"), Decimal128("…"),
// Timestamp({ t, i }), /re/flags, MinKey(), Binary…), a document or array on one line when it
// fits in 72 columns ({ a: 1, b: [ 1, 2 ] }) and indented by two spaces otherwise. ANSI
// colours (strings green, numbers yellow, wrappers cyan) when asked, for a terminal. Pure.

#include <string>

#include "common/bson.h"

namespace mongosd::shell {

struct FormatOptions {
    bool color = false;
    size_t lineWidth = 72;
};

std::string formatDocument(BsonView doc, const FormatOptions& options = {});

}  // namespace mongosd::shell
