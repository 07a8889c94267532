#include "query/field_path.h"

namespace mongosd::query {

StatusWith<FieldPath> FieldPath::parse(std::string_view dotted, bool allowDollar) {
    if (dotted.empty()) return Status(ErrorCodes::EmptyFieldName, "field path cannot be empty");
    FieldPath fp;
    fp._dotted = std::string(dotted);
    size_t start = 0;
    while (true) {
        size_t dot = dotted.find('.', start);
        std::string_view part =
            dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (part.empty())
            return Status(ErrorCodes::EmptyFieldName,
                          "field path '" + fp._dotted + "' has an empty component");
        if (part[0] == '$' && !allowDollar)
            return Status(ErrorCodes::DollarPrefixedFieldName,
                          "field path component '" + std::string(part) + "' in '" + fp._dotted +
                              "' must not start with '$'");
        fp._parts.emplace_back(part);
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return fp;
}

long long FieldPath::arrayIndex(std::string_view part) {
    if (part.empty() || part.size() > 9) return -1;
    long long v = 0;
    for (char c : part) {
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    // "01" is a field name, not a position (MongoDB treats leading zeros as non-numeric).
    if (part.size() > 1 && part[0] == '0') return -1;
    return v;
}

}  // namespace mongosd::query
