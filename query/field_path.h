#pragma once
// FieldPath: a dotted path such as "lessons.0.title", split into its components once at parse
// time. Components are plain field names; a component of digits may also address an array
// position (MongoDB's rule: "a.0" means field "0" of a document or element 0 of an array).

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mongosd::query {

class FieldPath {
public:
    // Rejects empty paths, empty components ("a..b", ".a", "a.") and components starting with
    // '$' (except when allowDollar), with BadValue / EmptyFieldName / DollarPrefixedFieldName.
    static StatusWith<FieldPath> parse(std::string_view dotted, bool allowDollar = false);

    size_t size() const { return _parts.size(); }
    std::string_view part(size_t i) const { return _parts[i]; }
    const std::string& dotted() const { return _dotted; }
    // The component as an array index, or -1 when it is not all digits (or too large).
    static long long arrayIndex(std::string_view part);

private:
    std::string _dotted;
    std::vector<std::string> _parts;
};

}  // namespace mongosd::query
