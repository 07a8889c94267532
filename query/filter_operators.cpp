// The operators of one field: {path: {$op: arg, ...}}. Argument rules and error texts follow
// MongoDB's expression parser.
#include <cmath>
#include <string>

#include "common/bson_compare.h"
#include "common/decimal128.h"
#include "query/filter_parser.h"
#include "query/type_aliases.h"
#include "query/value_predicates.h"

namespace mongosd::query {
namespace {

using MatchPtr = std::unique_ptr<MatchExpression>;
using Op = ComparePredicate::Op;

Status badValue(std::string message) { return Status(ErrorCodes::BadValue, std::move(message)); }

MatchPtr leaf(const FieldPath& path, std::unique_ptr<ValuePredicate> pred) {
    return std::make_unique<PathMatch>(path, std::move(pred));
}

// MongoDB's BSONElement::trueValue.
bool truthy(const bson_iter_t& v) {
    switch (bson_iter_type(&v)) {
        case BSON_TYPE_BOOL:
            return bson_iter_bool(&v);
        case BSON_TYPE_INT32:
            return bson_iter_int32(&v) != 0;
        case BSON_TYPE_INT64:
            return bson_iter_int64(&v) != 0;
        case BSON_TYPE_DOUBLE:
            return bson_iter_double(&v) != 0;
        case BSON_TYPE_DECIMAL128: {
            bson_decimal128_t d;
            bson_iter_decimal128(&v, &d);
            return !decodeDecimal128(d).isZero();
        }
        case BSON_TYPE_NULL:
        case BSON_TYPE_UNDEFINED:
            return false;
        default:
            return true;
    }
}

// A number that is exactly an int64 (MongoDB's parseIntegerElementToLong).
std::optional<int64_t> exactInt64(const bson_iter_t& v) {
    if (!isNumber(v)) return std::nullopt;
    auto n = truncateToInt64(v);
    if (!n) return std::nullopt;
    BsonBuilder b;
    b.appendInt64("", *n);
    BsonObj holder = b.obj();
    bson_iter_t back;
    bool ok = holder.view().iterInit(&back) && bson_iter_next(&back);
    invariant(ok);
    if (!valuesEqual(back, v)) return std::nullopt;
    return n;
}

StatusWith<MatchPtr> parseCompare(const FieldPath& path, Op op, const bson_iter_t& arg) {
    if (BSON_ITER_HOLDS_UNDEFINED(&arg)) return badValue("cannot compare to undefined");
    if (op != Op::kEq && BSON_ITER_HOLDS_REGEX(&arg))
        return badValue("Can't have RegEx as arg to predicate over field '" + path.dotted() + "'");
    return leaf(path, std::make_unique<ComparePredicate>(op, copyValue(arg)));
}

StatusWith<std::shared_ptr<const Regex>> compileRegexValue(const bson_iter_t& v) {
    const char* options = nullptr;
    const char* pattern = bson_iter_regex(&v, &options);
    return Regex::compile(pattern, options ? options : "");
}

// {$regex: "p" | /p/o, $options: "o"} from the whole operator object.
StatusWith<MatchPtr> parseRegexOperator(const FieldPath& path, const bson_iter_t& ops) {
    std::string pattern, options;
    bson_iter_t it;
    bson_iter_recurse(&ops, &it);
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (key == "$regex") {
            if (BSON_ITER_HOLDS_UTF8(&it)) {
                uint32_t len = 0;
                const char* s = bson_iter_utf8(&it, &len);
                pattern.assign(s, len);
            } else if (BSON_ITER_HOLDS_REGEX(&it)) {
                const char* flags = nullptr;
                pattern = bson_iter_regex(&it, &flags);
                if (flags && *flags) {
                    if (!options.empty())
                        return badValue("options set in both $regex and $options");
                    options = flags;
                }
            } else {
                return badValue("$regex has to be a string");
            }
        } else if (key == "$options") {
            if (!BSON_ITER_HOLDS_UTF8(&it)) return badValue("$options has to be a string");
            if (!options.empty()) return badValue("options set in both $regex and $options");
            options = bson_iter_utf8(&it, nullptr);
        }
    }
    auto re = Regex::compile(pattern, options);
    if (!re.isOK()) return re.getStatus();
    return leaf(path, std::make_unique<RegexPredicate>(std::move(re.getValue())));
}

bool hasField(const bson_iter_t& ops, std::string_view name) {
    bson_iter_t it;
    bson_iter_recurse(&ops, &it);
    while (bson_iter_next(&it))
        if (iterKey(it) == name) return true;
    return false;
}

// The list of $in / $nin: values and regexes; no operator objects, no undefined.
StatusWith<std::unique_ptr<InPredicate>> parseInList(const bson_iter_t& arg, const char* name) {
    if (!BSON_ITER_HOLDS_ARRAY(&arg)) return badValue(std::string(name) + " needs an array");
    std::vector<BsonObj> values;
    std::vector<std::shared_ptr<const Regex>> regexes;
    bson_iter_t elem;
    bson_iter_recurse(&arg, &elem);
    while (bson_iter_next(&elem)) {
        if (isOperatorObject(elem, /*allowIncompleteDBRef=*/false))
            return badValue("cannot nest $ under " + std::string(name));
        if (BSON_ITER_HOLDS_UNDEFINED(&elem))
            return badValue("InMatchExpression equality cannot be undefined");
        if (BSON_ITER_HOLDS_REGEX(&elem)) {
            auto re = compileRegexValue(elem);
            if (!re.isOK()) return re.getStatus();
            regexes.push_back(std::move(re.getValue()));
        } else {
            values.push_back(copyValue(elem));
        }
    }
    return std::make_unique<InPredicate>(std::move(values), std::move(regexes));
}

Status addTypeCode(const bson_iter_t& v, std::vector<int>& codes, bool& allNumbers) {
    if (BSON_ITER_HOLDS_UTF8(&v)) {
        std::string_view alias = bson_iter_utf8(&v, nullptr);
        if (alias == "number") {
            allNumbers = true;
            return Status::OK();
        }
        auto byte = typeByteForAlias(alias);
        if (!byte) return badValue("Unknown type name alias: " + std::string(alias));
        codes.push_back(*byte);
        return Status::OK();
    }
    if (!isNumber(v))
        return Status(ErrorCodes::TypeMismatch, "type must be represented as a number or a string");
    auto code = exactInt64(v);
    auto byte = code ? typeByteForCode(*code) : std::nullopt;
    if (!byte) return badValue("Invalid numerical type code");
    codes.push_back(*byte);
    return Status::OK();
}

StatusWith<MatchPtr> parseType(const FieldPath& path, const bson_iter_t& arg) {
    std::vector<int> codes;
    bool allNumbers = false;
    if (BSON_ITER_HOLDS_ARRAY(&arg)) {
        bson_iter_t elem;
        bson_iter_recurse(&arg, &elem);
        while (bson_iter_next(&elem)) MONGOSD_RETURN_IF_ERROR(addTypeCode(elem, codes, allNumbers));
        if (codes.empty() && !allNumbers)
            return Status(ErrorCodes::FailedToParse, "$type must match at least one type");
    } else {
        MONGOSD_RETURN_IF_ERROR(addTypeCode(arg, codes, allNumbers));
    }
    return leaf(path, std::make_unique<TypePredicate>(std::move(codes), allNumbers));
}

StatusWith<int64_t> modArgument(const bson_iter_t& v, const char* what) {
    if (!isNumber(v)) return badValue(std::string("malformed mod, ") + what + " not a number");
    auto n = truncateToInt64(v);
    if (!n) return badValue(std::string("malformed mod, ") + what + " value is invalid");
    return *n;
}

StatusWith<MatchPtr> parseMod(const FieldPath& path, const bson_iter_t& arg) {
    if (!BSON_ITER_HOLDS_ARRAY(&arg)) return badValue("malformed mod, needs to be an array");
    bson_iter_t elem;
    bson_iter_recurse(&arg, &elem);
    if (!bson_iter_next(&elem)) return badValue("malformed mod, not enough elements");
    auto divisor = modArgument(elem, "divisor");
    if (!divisor.isOK()) return divisor.getStatus();
    if (!bson_iter_next(&elem)) return badValue("malformed mod, not enough elements");
    auto remainder = modArgument(elem, "remainder");
    if (!remainder.isOK()) return remainder.getStatus();
    if (bson_iter_next(&elem)) return badValue("malformed mod, too many elements");
    if (divisor.getValue() == 0) return badValue("divisor cannot be 0");
    return leaf(path, std::make_unique<ModPredicate>(divisor.getValue(), remainder.getValue()));
}

StatusWith<MatchPtr> parseSize(const FieldPath& path, const bson_iter_t& arg) {
    if (!isNumber(arg)) return badValue("$size needs a number");
    auto n = exactInt64(arg);
    if (!n) return badValue("$size must be a whole number");
    if (*n > INT32_MAX || *n < INT32_MIN)
        return badValue("$size must be representable as a 32-bit integer");
    if (*n < 0) return badValue("$size may not be negative");
    return leaf(path, std::make_unique<SizePredicate>(*n));
}

StatusWith<MatchPtr> parseElemMatch(const FieldPath& path, const bson_iter_t& arg,
                                    const FilterParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg)) return badValue("$elemMatch needs an Object");
    MONGOSD_RETURN_IF_ERROR(ctx.nested().checkDepth());
    bool valueForm = false;
    if (isOperatorObject(arg, /*allowIncompleteDBRef=*/true)) {
        bson_iter_t first;
        bson_iter_recurse(&arg, &first);
        bson_iter_next(&first);
        valueForm = !isPathlessOperator(iterKey(first));
    }
    auto sub = std::make_unique<AndMatch>();
    if (valueForm) {
        // The operators apply to each element itself; the path is only carried along.
        MONGOSD_RETURN_IF_ERROR(parseFieldOperators(path, arg, *sub, ctx.nested()));
        return leaf(path, std::make_unique<ElemMatchValuePredicate>(std::move(sub)));
    }
    MONGOSD_RETURN_IF_ERROR(parseDocument(subDocument(arg), *sub, ctx.elemMatch()));
    return leaf(path, std::make_unique<ElemMatchObjectPredicate>(std::move(sub)));
}

bool isElemMatchObject(const bson_iter_t& v) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&v)) return false;
    bson_iter_t first;
    return bson_iter_recurse(&v, &first) && bson_iter_next(&first) &&
           iterKey(first) == "$elemMatch";
}

bool isKnownFieldOperator(std::string_view name);

// $all: every listed value matches (as implicit equality), or every $elemMatch matches.
StatusWith<MatchPtr> parseAll(const FieldPath& path, const bson_iter_t& arg,
                              const FilterParseContext& ctx) {
    if (!BSON_ITER_HOLDS_ARRAY(&arg)) return badValue("$all needs an array");
    auto all = std::make_unique<AndMatch>();
    bson_iter_t elem;
    bson_iter_recurse(&arg, &elem);
    bson_iter_t probe = elem;
    bool elemMatchForm = bson_iter_next(&probe) && isElemMatchObject(probe);
    while (bson_iter_next(&elem)) {
        if (elemMatchForm) {
            if (!isElemMatchObject(elem)) return badValue("$all/$elemMatch has to be consistent");
            bson_iter_t inner;
            bson_iter_recurse(&elem, &inner);
            bson_iter_next(&inner);
            auto em = parseElemMatch(path, inner, ctx);
            if (!em.isOK()) return em.getStatus();
            all->add(std::move(em.getValue()));
            continue;
        }
        if (BSON_ITER_HOLDS_DOCUMENT(&elem)) {
            bson_iter_t first;
            if (bson_iter_recurse(&elem, &first) && bson_iter_next(&first) &&
                isKnownFieldOperator(iterKey(first)))
                return badValue("no $ expressions in $all");
        }
        auto eq = parseImplicitEquality(path, elem);
        if (!eq.isOK()) return eq.getStatus();
        all->add(std::move(eq.getValue()));
    }
    if (all->size() == 0) return MatchPtr(std::make_unique<OrMatch>());  // $all: [] never matches
    return MatchPtr(std::move(all));
}

StatusWith<MatchPtr> parseNot(const FieldPath& path, const bson_iter_t& arg,
                              const FilterParseContext& ctx) {
    if (BSON_ITER_HOLDS_REGEX(&arg)) {
        auto re = compileRegexValue(arg);
        if (!re.isOK()) return re.getStatus();
        return MatchPtr(std::make_unique<NotMatch>(
            leaf(path, std::make_unique<RegexPredicate>(std::move(re.getValue())))));
    }
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg)) return badValue("$not needs a regex or a document");
    if (subDocument(arg).isEmpty()) return badValue("$not cannot be empty");
    MONGOSD_RETURN_IF_ERROR(ctx.nested().checkDepth());
    auto inner = std::make_unique<AndMatch>();
    MONGOSD_RETURN_IF_ERROR(parseFieldOperators(path, arg, *inner, ctx.nested()));
    return MatchPtr(std::make_unique<NotMatch>(std::move(inner)));
}

StatusWith<MatchPtr> negate(StatusWith<MatchPtr> m) {
    if (!m.isOK()) return m;
    return MatchPtr(std::make_unique<NotMatch>(std::move(m.getValue())));
}

// One operator of `ops`; a null result adds nothing ($options, read by $regex).
StatusWith<MatchPtr> parseOperator(const FieldPath& path, const bson_iter_t& op,
                                   const bson_iter_t& ops, const FilterParseContext& ctx) {
    std::string_view name = iterKey(op);
    if (name == "$eq") return parseCompare(path, Op::kEq, op);
    if (name == "$lt") return parseCompare(path, Op::kLt, op);
    if (name == "$lte") return parseCompare(path, Op::kLte, op);
    if (name == "$gt") return parseCompare(path, Op::kGt, op);
    if (name == "$gte") return parseCompare(path, Op::kGte, op);
    if (name == "$ne") {
        if (BSON_ITER_HOLDS_REGEX(&op)) return badValue("Can't have regex as arg to $ne.");
        return negate(parseCompare(path, Op::kEq, op));
    }
    if (name == "$in" || name == "$nin") {
        auto in = parseInList(op, name == "$in" ? "$in" : "$nin");
        if (!in.isOK()) return in.getStatus();
        MatchPtr m = leaf(path, std::move(in.getValue()));
        if (name == "$in") return m;
        return MatchPtr(std::make_unique<NotMatch>(std::move(m)));
    }
    if (name == "$exists") {
        MatchPtr m = leaf(path, std::make_unique<ExistsPredicate>());
        if (truthy(op)) return m;
        return MatchPtr(std::make_unique<NotMatch>(std::move(m)));
    }
    if (name == "$type") return parseType(path, op);
    if (name == "$mod") return parseMod(path, op);
    if (name == "$size") return parseSize(path, op);
    if (name == "$regex") return parseRegexOperator(path, ops);
    if (name == "$options") {
        if (!hasField(ops, "$regex")) return badValue("$options needs a $regex");
        return MatchPtr();
    }
    if (name == "$elemMatch") return parseElemMatch(path, op, ctx);
    if (name == "$all") return parseAll(path, op, ctx);
    if (name == "$not") return parseNot(path, op, ctx);
    if (name == "$where") return badValue("$where cannot be applied to a field");
    return badValue("unknown operator: " + std::string(name));
}

bool isKnownFieldOperator(std::string_view name) {
    static constexpr std::string_view kNames[] = {
        "$eq",   "$lt",  "$lte",  "$gt",    "$gte",     "$ne",        "$in",  "$nin", "$exists",
        "$type", "$mod", "$size", "$regex", "$options", "$elemMatch", "$all", "$not"};
    for (auto n : kNames)
        if (n == name) return true;
    return false;
}

}  // namespace

bool isOperatorObject(const bson_iter_t& it, bool allowIncompleteDBRef) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&it)) return false;
    bson_iter_t child;
    if (!bson_iter_recurse(&it, &child) || !bson_iter_next(&child)) return false;
    if (bson_iter_key(&child)[0] != '$') return false;
    bool hasRef = false, hasId = false, hasDb = false;
    do {
        std::string_view key = iterKey(child);
        hasRef |= key == "$ref";
        hasId |= key == "$id";
        hasDb |= key == "$db";
    } while (bson_iter_next(&child));
    bool dbRef = allowIncompleteDBRef ? (hasRef || hasId || hasDb) : (hasRef && hasId);
    return !dbRef;
}

StatusWith<std::unique_ptr<MatchExpression>> parseImplicitEquality(const FieldPath& path,
                                                                   const bson_iter_t& value) {
    if (BSON_ITER_HOLDS_REGEX(&value)) {
        auto re = compileRegexValue(value);
        if (!re.isOK()) return re.getStatus();
        return leaf(path, std::make_unique<RegexPredicate>(std::move(re.getValue())));
    }
    return parseCompare(path, Op::kEq, value);
}

Status parseFieldOperators(const FieldPath& path, const bson_iter_t& ops, ListMatch& out,
                           const FilterParseContext& ctx) {
    bson_iter_t op;
    if (!bson_iter_recurse(&ops, &op)) return badValue("malformed operator");
    while (bson_iter_next(&op)) {
        auto m = parseOperator(path, op, ops, ctx);
        if (!m.isOK()) return m.getStatus();
        if (m.getValue()) out.add(std::move(m.getValue()));
    }
    return Status::OK();
}

}  // namespace mongosd::query
