#pragma once
// Documents as mongosh prints them: unquoted keys when they are identifiers, 'single-quoted'
// strings, type wrappers (ObjectId("…"), ISODate("…"), Long("…"), Decimal128("…"),
// Timestamp({ t, i }), /re/flags, MinKey(), Binary…), a document or array on one line when it
// fits in 72 columns ({ a: 1, b: [ 1, 2 ] }) and indented by two spaces otherwise. ANSI
// colours (strings green, numbers yellow, wrappers cyan) when asked, for a terminal. Pure.

#include <string>

#include <bson/bson.h>

#include "common/bson.h"

namespace mongosd::shell {

struct FormatOptions {
    bool color = false;
    size_t lineWidth = 72;
};

std::string formatDocument(BsonView doc, const FormatOptions& options = {});
// A BSON array (keys "0", "1", ...) as [ … ], laid out like a document.
std::string formatArray(BsonView array, const FormatOptions& options = {});
// One value (the one `value` points at), as it would appear inside a document.
std::string formatValue(const bson_iter_t& value, const FormatOptions& options = {});

}  // namespace mongosd::shell
