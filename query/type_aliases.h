#pragma once
// MongoDB's $type names ("string", "int", ...) and numeric codes (2, 16, ...; MinKey -1,
// MaxKey 127) mapped to BSON type bytes, for the $type query operator.

#include <optional>
#include <string_view>

namespace mongosd::query {

// The BSON type byte for a type name; nullopt for an unknown name ("number" is handled by the
// caller: it stands for four types).
std::optional<int> typeByteForAlias(std::string_view alias);

// The BSON type byte for a $type code; nullopt for 0 and codes that name no type.
std::optional<int> typeByteForCode(long long code);

}  // namespace mongosd::query
