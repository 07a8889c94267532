#pragma once
// Test support: parse JSON responses with the project's codec and read fields by dotted path
// ("cursor.firstBatch.0.title"). A missing path yields std::nullopt.

#include <optional>
#include <string>

#include "common/bson.h"

namespace mongosd::test {

// Parses a JSON object; a parse failure throws (so the test fails loudly).
BsonObj parseJson(const std::string& json);

// Positions `out` on the value at a dotted path (array positions are numeric components).
bool findPath(BsonView doc, const std::string& path, bson_iter_t* out);

std::optional<int64_t> getInt(BsonView doc, const std::string& path);
std::optional<double> getDouble(BsonView doc, const std::string& path);
std::optional<std::string> getString(BsonView doc, const std::string& path);
// Number of elements of the array (or fields of the document) at path; -1 when absent.
int64_t countAt(BsonView doc, const std::string& path);
bool isNullAt(BsonView doc, const std::string& path);

}  // namespace mongosd::test
