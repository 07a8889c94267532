#pragma once
// Namespace strings "db.collection": splitting and the validity rules MongoDB applies.
// Pure functions; any thread.

#include <string_view>

#include "common/status.h"

namespace mongosd::storage {

constexpr size_t kMaxNamespaceLength = 255;
constexpr size_t kMaxDatabaseNameLength = 63;

// InvalidNamespace when `db` is empty, longer than 63 bytes, or contains any of / \ . " $
// space or NUL.
Status validateDatabaseName(std::string_view db);

// InvalidNamespace unless `ns` is "<db>.<coll>" with a valid db, a non-empty collection name
// without '$' or NUL that does not start with '.', and at most 255 bytes in total.
Status validateNamespace(std::string_view ns);

// The part before the first '.' ("" when there is none).
std::string_view dbOf(std::string_view ns);
// The part after the first '.' ("" when there is none).
std::string_view collOf(std::string_view ns);

}  // namespace mongosd::storage
