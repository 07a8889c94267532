#include "query/matcher.h"

#include <string>

#include "query/filter_parser.h"

namespace mongosd::query {

Status FilterParseContext::checkDepth() const {
    if (depth > limits.maxDepth)
        return Status(ErrorCodes::BadValue,
                      "exceeded maximum query tree depth of " + std::to_string(limits.maxDepth));
    return Status::OK();
}

bool isPathlessOperator(std::string_view name) {
    return name == "$and" || name == "$or" || name == "$nor" || name == "$expr" ||
           name == "$where" || name == "$text" || name == "$comment" || name == "$jsonSchema" ||
           name == "$alwaysTrue" || name == "$alwaysFalse";
}

namespace {

// $and / $or / $nor: a non-empty array of filter documents.
Status parseLogical(const bson_iter_t& it, std::unique_ptr<ListMatch> node, ListMatch& out,
                    const FilterParseContext& ctx) {
    std::string name(iterKey(it));
    if (!BSON_ITER_HOLDS_ARRAY(&it))
        return Status(ErrorCodes::BadValue, name + " must be an array");
    bson_iter_t elem;
    if (!bson_iter_recurse(&it, &elem)) return Status(ErrorCodes::BadValue, "malformed " + name);
    while (bson_iter_next(&elem)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&elem))
            return Status(ErrorCodes::BadValue, "$or/$and/$nor entries need to be full objects");
        auto clause = std::make_unique<AndMatch>();
        MONGOSD_RETURN_IF_ERROR(parseDocument(subDocument(elem), *clause, ctx.nested()));
        node->add(std::move(clause));
    }
    if (node->size() == 0)
        return Status(ErrorCodes::BadValue, "$and/$or/$nor must be a nonempty array");
    out.add(std::move(node));
    return Status::OK();
}

Status parseTopLevelOperator(const bson_iter_t& it, ListMatch& out, const FilterParseContext& ctx) {
    std::string_view key = iterKey(it);
    if (key == "$and") return parseLogical(it, std::make_unique<AndMatch>(), out, ctx);
    if (key == "$or") return parseLogical(it, std::make_unique<OrMatch>(), out, ctx);
    if (key == "$nor") return parseLogical(it, std::make_unique<NorMatch>(), out, ctx);
    if (key == "$comment") return Status::OK();  // a note for logs; matches everything
    if (key == "$expr") {
        auto m = parseExprMatch(it, ctx);
        if (!m.isOK()) return m.getStatus();
        out.add(std::move(m.getValue()));
        return Status::OK();
    }
    return Status(ErrorCodes::BadValue, "unknown top level operator: " + std::string(key));
}

}  // namespace

Status parseDocument(BsonView filter, ListMatch& out, const FilterParseContext& ctx) {
    MONGOSD_RETURN_IF_ERROR(ctx.checkDepth());
    bson_iter_t it;
    if (!filter.iterInit(&it)) return Status(ErrorCodes::BadValue, "malformed filter");
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (!key.empty() && key[0] == '$') {
            MONGOSD_RETURN_IF_ERROR(parseTopLevelOperator(it, out, ctx));
            continue;
        }
        auto path = FieldPath::parse(key, /*allowDollar=*/true);
        if (!path.isOK()) return path.getStatus();
        if (isOperatorObject(it, /*allowIncompleteDBRef=*/false)) {
            MONGOSD_RETURN_IF_ERROR(parseFieldOperators(path.getValue(), it, out, ctx));
            continue;
        }
        auto eq = parseImplicitEquality(path.getValue(), it);
        if (!eq.isOK()) return eq.getStatus();
        out.add(std::move(eq.getValue()));
    }
    return Status::OK();
}

StatusWith<std::unique_ptr<MatchExpression>> parseFilter(BsonView filter,
                                                         const FilterLimits& limits) {
    auto root = std::make_unique<AndMatch>();
    Status st = parseDocument(filter, *root, FilterParseContext{limits, 0});
    if (!st.isOK()) return st;
    return std::unique_ptr<MatchExpression>(std::move(root));
}

StatusWith<bool> MatchExpression::matchesChecked(BsonView doc,
                                                 std::optional<size_t>* arrayPosition) const {
    Status error = Status::OK();
    bool matched = matchesReportingError(doc, arrayPosition, &error);
    if (!error.isOK()) return error;
    return matched;
}

std::optional<BsonObj> extractIdEquality(BsonView filter) {
    bson_iter_t it;
    if (!filter.find("_id", &it)) return std::nullopt;
    if (!BSON_ITER_HOLDS_DOCUMENT(&it)) {
        if (BSON_ITER_HOLDS_ARRAY(&it) || BSON_ITER_HOLDS_REGEX(&it)) return std::nullopt;
        return copyValue(it);
    }
    bson_iter_t op;
    if (!bson_iter_recurse(&it, &op) || !bson_iter_next(&op)) return copyValue(it);
    if (bson_iter_key(&op)[0] != '$') return copyValue(it);  // equality to an embedded document
    if (iterKey(op) != "$eq") return std::nullopt;
    if (BSON_ITER_HOLDS_ARRAY(&op) || bson_iter_next(&op)) return std::nullopt;
    bson_iter_t eq;
    bson_iter_recurse(&it, &eq);
    bson_iter_next(&eq);
    return copyValue(eq);
}

}  // namespace mongosd::query
