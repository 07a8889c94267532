#include "query/update_modifiers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "common/bson_compare.h"
#include "query/field_path.h"
#include "query/matcher.h"
#include "query/sort.h"

namespace mongosd::query {
namespace {

using Op = UpdateNode::Op;
using Kind = ModifierResult::Kind;

bson_iter_t firstOf(BsonView holder) {
    bson_iter_t it;
    bool ok = holder.iterInit(&it) && bson_iter_next(&it);
    invariant(ok);
    return it;
}

bool isNumber(const bson_iter_t& it) {
    bson_type_t t = bson_iter_type(&it);
    return t == BSON_TYPE_INT32 || t == BSON_TYPE_INT64 || t == BSON_TYPE_DOUBLE;
}

bool isIntegral(const bson_iter_t& it) {
    bson_type_t t = bson_iter_type(&it);
    return t == BSON_TYPE_INT32 || t == BSON_TYPE_INT64;
}

// An integer argument ($slice, $position, $pop): int32, int64 or a double with no fraction.
std::optional<int64_t> integerArg(const bson_iter_t& it) {
    if (isIntegral(it)) return bson_iter_as_int64(&it);
    if (!BSON_ITER_HOLDS_DOUBLE(&it)) return std::nullopt;
    double d = bson_iter_double(&it);
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9.0e15) return std::nullopt;
    return static_cast<int64_t>(d);
}

ModifierResult valueResult(BsonObj v) { return {Kind::kValue, std::move(v)}; }

ModifierResult valueResult(const bson_iter_t& it) { return valueResult(copyValue(it)); }

// --- arithmetic -----------------------------------------------------------------------------

// Keeps the widest type; int32 overflow widens to int64, int64 overflow is an error (SafeNum).
StatusWith<BsonObj> arithmetic(const bson_iter_t& a, const bson_iter_t& b, bool multiply,
                               std::string_view opName) {
    BsonBuilder out;
    bson_type_t ta = bson_iter_type(&a), tb = bson_iter_type(&b);
    if (ta == BSON_TYPE_DOUBLE || tb == BSON_TYPE_DOUBLE) {
        double x = bson_iter_as_double(&a), y = bson_iter_as_double(&b);
        out.appendDouble("", multiply ? x * y : x + y);
        return out.obj();
    }
    int64_t x = bson_iter_as_int64(&a), y = bson_iter_as_int64(&b), r = 0;
    bool overflow = multiply ? __builtin_mul_overflow(x, y, &r) : __builtin_add_overflow(x, y, &r);
    if (overflow)
        return Status(ErrorCodes::BadValue, "Failed to apply " + std::string(opName) +
                                                " operations to current value: the result "
                                                "overflows int64");
    bool bothInt32 = ta == BSON_TYPE_INT32 && tb == BSON_TYPE_INT32;
    if (bothInt32 && r >= std::numeric_limits<int32_t>::min() &&
        r <= std::numeric_limits<int32_t>::max())
        out.appendInt32("", static_cast<int32_t>(r));
    else
        out.appendInt64("", r);
    return out.obj();
}

StatusWith<ModifierResult> applyArithmetic(const UpdateNode& node, const bson_iter_t* current,
                                           const ModifierContext& ctx) {
    bool multiply = node.op == Op::kMul;
    std::string opName = multiply ? "$mul" : "$inc";
    bson_iter_t arg = firstOf(node.operand);
    if (!current) {
        if (!multiply) return valueResult(node.operand);
        BsonBuilder zero;  // $mul on a missing field sets 0 of the multiplier's type
        if (BSON_ITER_HOLDS_INT32(&arg))
            zero.appendInt32("", 0);
        else if (BSON_ITER_HOLDS_INT64(&arg))
            zero.appendInt64("", 0);
        else
            zero.appendDouble("", 0.0);
        return valueResult(zero.obj());
    }
    if (!isNumber(*current))
        return Status(ErrorCodes::TypeMismatch, "Cannot apply " + opName +
                                                    " to a value of non-numeric type. field '" +
                                                    std::string(ctx.field) + "'");
    auto r = arithmetic(*current, arg, multiply, opName);
    if (!r.isOK()) return r.getStatus();
    return valueResult(std::move(r.getValue()));
}

// --- $bit -----------------------------------------------------------------------------------

struct BitArgs final : ModifierArgs {
    enum class BitOp { kAnd, kOr, kXor };
    std::vector<std::pair<BitOp, BsonObj>> ops;
};

Status parseBit(const bson_iter_t& arg, UpdateNode& node) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return Status(ErrorCodes::BadValue,
                      "The $bit modifier is not compatible with a non-document value");
    auto args = std::make_shared<BitArgs>();
    bson_iter_t op;
    bson_iter_recurse(&arg, &op);
    while (bson_iter_next(&op)) {
        std::string_view name = iterKey(op);
        BitArgs::BitOp kind;
        if (name == "and")
            kind = BitArgs::BitOp::kAnd;
        else if (name == "or")
            kind = BitArgs::BitOp::kOr;
        else if (name == "xor")
            kind = BitArgs::BitOp::kXor;
        else
            return Status(ErrorCodes::BadValue,
                          "The $bit modifier only supports 'and', 'or', and 'xor', not '" +
                              std::string(name) + "'");
        if (!isIntegral(op))
            return Status(ErrorCodes::BadValue,
                          "The $bit modifier field must be an Integer(32/64 bit)");
        args->ops.emplace_back(kind, copyValue(op));
    }
    if (args->ops.empty())
        return Status(ErrorCodes::BadValue,
                      "You must pass in at least one bitwise operation. The format is: "
                      "{$bit: {field: {and/or/xor: #}}");
    node.args = std::move(args);
    return Status::OK();
}

StatusWith<ModifierResult> applyBit(const UpdateNode& node, const bson_iter_t* current,
                                    const ModifierContext& ctx) {
    if (current && !isIntegral(*current))
        return Status(ErrorCodes::BadValue,
                      "Cannot apply $bit to a value of non-integral type. field '" +
                          std::string(ctx.field) + "'");
    // A missing field starts as int32 0.
    bool wide = current && BSON_ITER_HOLDS_INT64(current);
    int64_t v = current ? bson_iter_as_int64(current) : 0;
    const auto& args = static_cast<const BitArgs&>(*node.args);
    for (const auto& [kind, holder] : args.ops) {
        bson_iter_t operand = firstOf(holder);
        wide = wide || BSON_ITER_HOLDS_INT64(&operand);
        int64_t x = bson_iter_as_int64(&operand);
        if (kind == BitArgs::BitOp::kAnd)
            v &= x;
        else if (kind == BitArgs::BitOp::kOr)
            v |= x;
        else
            v ^= x;
    }
    BsonBuilder out;
    if (wide)
        out.appendInt64("", v);
    else
        out.appendInt32("", static_cast<int32_t>(v));
    return valueResult(out.obj());
}

// --- $min / $max / $currentDate / $rename ---------------------------------------------------

StatusWith<ModifierResult> applyMinMax(const UpdateNode& node, const bson_iter_t* current) {
    bson_iter_t arg = firstOf(node.operand);
    if (!current) return valueResult(node.operand);
    int c = compareValues(arg, *current);
    bool replace = node.op == Op::kMin ? c < 0 : c > 0;
    if (!replace) return ModifierResult{};
    return valueResult(node.operand);
}

Status parseCurrentDate(const bson_iter_t& arg, UpdateNode& node) {
    bool timestamp = false;
    if (BSON_ITER_HOLDS_DOCUMENT(&arg)) {
        bson_iter_t t;
        bson_iter_recurse(&arg, &t);
        bool ok = bson_iter_next(&t) && iterKey(t) == "$type" && BSON_ITER_HOLDS_UTF8(&t);
        std::string_view type = ok ? std::string_view(bson_iter_utf8(&t, nullptr)) : "";
        if (!ok || (type != "date" && type != "timestamp") || bson_iter_next(&t))
            return Status(ErrorCodes::BadValue,
                          "The '$type' string field is required to be 'date' or 'timestamp': "
                          "{$currentDate: {field : {$type: 'date'}}}");
        timestamp = type == "timestamp";
    } else if (!BSON_ITER_HOLDS_BOOL(&arg)) {
        return Status(ErrorCodes::BadValue,
                      "$currentDate expects a boolean or an object with a '$type' field");
    }
    BsonBuilder b;
    b.appendBool("", timestamp);  // operand: whether to write a timestamp
    node.operand = b.obj();
    return Status::OK();
}

StatusWith<ModifierResult> applyCurrentDate(const UpdateNode& node, const ModifierContext& ctx) {
    bson_iter_t timestamp = firstOf(node.operand);
    BsonBuilder b;
    if (bson_iter_bool(&timestamp))
        b.appendTimestamp("", static_cast<uint32_t>(ctx.nowMs / 1000), 1);
    else
        b.appendDateMs("", ctx.nowMs);
    return valueResult(b.obj());
}

// Finds part `part` in `container` (positioned before its first field); an array's elements are
// addressed by index only. False when it is missing.
bool findPart(bson_iter_t& container, bool isArray, std::string_view part, bson_iter_t* out) {
    long long index = isArray ? FieldPath::arrayIndex(part) : -1;
    for (long long i = 0; bson_iter_next(&container); ++i) {
        if (isArray ? i == index : iterKey(container) == part) {
            *out = container;
            return true;
        }
    }
    return false;
}

std::string_view nextPart(std::string_view dotted, size_t& start, bool* last) {
    size_t dot = dotted.find('.', start);
    *last = dot == std::string_view::npos;
    std::string_view part = dotted.substr(start, *last ? std::string_view::npos : dot - start);
    start = *last ? dotted.size() : dot + 1;
    return part;
}

// $rename's source, resolved as MongoDB does: missing parts make it absent (a no-op), a part
// crossing a scalar or an array by name is PathNotViable, and a value found inside an array is
// BadValue ($rename moves whole fields, never array elements). An out-parameter: StatusWith does
// not keep bson_iter_t's 128-byte alignment (UBSan: misaligned reference).
Status renameSource(BsonView root, std::string_view dotted, bson_iter_t* out, bool* found) {
    *found = false;
    bson_iter_t container;
    if (!root.iterInit(&container)) return Status(ErrorCodes::InvalidBSON, "bad document");
    bool inArray = false, crossedArray = false, last = false;
    size_t start = 0;
    while (true) {
        std::string_view part = nextPart(dotted, start, &last);
        if (inArray && FieldPath::arrayIndex(part) < 0)
            return Status(ErrorCodes::PathNotViable, "cannot use the part (" + std::string(part) +
                                                         " of " + std::string(dotted) +
                                                         ") to traverse an array");
        bson_iter_t field;
        if (!findPart(container, inArray, part, &field)) return Status::OK();
        if (last) {
            if (crossedArray)
                return Status(ErrorCodes::BadValue,
                              "The source field cannot be an array element, '" +
                                  std::string(dotted) + "' has an array");
            *out = field;
            *found = true;
            return Status::OK();
        }
        inArray = BSON_ITER_HOLDS_ARRAY(&field);
        if (!inArray && !BSON_ITER_HOLDS_DOCUMENT(&field))
            return Status(ErrorCodes::PathNotViable,
                          "cannot use the part (" + std::string(nextPart(dotted, start, &last)) +
                              " of " + std::string(dotted) + ") to traverse a non-document value");
        crossedArray = crossedArray || inArray;
        bson_iter_recurse(&field, &container);
    }
}

}  // namespace

Status checkRename(BsonView root, std::string_view from, std::string_view to) {
    bson_iter_t src;
    bool found = false;
    Status st = renameSource(root, from, &src, &found);
    if (!st.isOK() || !found) return st;
    // Like the source, the destination may not be (or be created) inside an array. A scalar on
    // the way is left to the update itself, which answers PathNotViable.
    bson_iter_t container;
    if (!root.iterInit(&container)) return Status(ErrorCodes::InvalidBSON, "bad document");
    bool inArray = false, last = false;
    size_t start = 0;
    while (true) {
        if (inArray)
            return Status(ErrorCodes::BadValue, "The destination field cannot be an array "
                                                "element, '" + std::string(to) + "' has an array");
        bson_iter_t field;
        if (!findPart(container, false, nextPart(to, start, &last), &field) || last)
            return Status::OK();
        inArray = BSON_ITER_HOLDS_ARRAY(&field);
        if (!inArray && !BSON_ITER_HOLDS_DOCUMENT(&field)) return Status::OK();
        bson_iter_recurse(&field, &container);
    }
}

namespace {

StatusWith<ModifierResult> applyRenameTo(const UpdateNode& node, const ModifierContext& ctx) {
    bson_iter_t from = firstOf(node.operand);
    bson_iter_t src;
    bool found = false;
    Status st = renameSource(ctx.root, bson_iter_utf8(&from, nullptr), &src, &found);
    if (!st.isOK()) return st;
    if (!found) return ModifierResult{};
    return valueResult(src);
}

// --- arrays ---------------------------------------------------------------------------------

std::vector<BsonObj> elementsOf(const bson_iter_t& array) {
    std::vector<BsonObj> out;
    bson_iter_t e;
    bson_iter_recurse(&array, &e);
    while (bson_iter_next(&e)) out.push_back(copyValue(e));
    return out;
}

BsonObj arrayOf(const std::vector<BsonObj>& values) {
    BsonBuilder b;
    b.appendArray("", [&](BsonBuilder& arr) {
        char buf[16];
        uint32_t i = 0;
        for (const auto& v : values) arr.appendIter(arrayIndexKey(i++, buf), firstOf(v));
    });
    return b.obj();
}

bool sameValue(const BsonObj& a, const BsonObj& b) { return valuesEqual(firstOf(a), firstOf(b)); }

Status notAnArray(std::string_view opName, std::string_view field) {
    if (opName == "$push")
        return Status(ErrorCodes::BadValue, "The field '" + std::string(field) +
                                                "' must be an array but is of a non-array type");
    if (opName == "$addToSet")
        return Status(ErrorCodes::BadValue,
                      "Cannot apply $addToSet to non-array field. Field named '" +
                          std::string(field) + "' has a non-array type");
    if (opName == "$pop")
        return Status(ErrorCodes::TypeMismatch,
                      "Path '" + std::string(field) + "' contains an element of non-array type");
    return Status(ErrorCodes::BadValue,
                  "Cannot apply " + std::string(opName) + " to a non-array value");
}

struct PushArgs final : ModifierArgs {
    std::vector<BsonObj> each;
    std::optional<int64_t> slice;
    std::optional<int64_t> position;
    int sortDirection = 0;            // 1/-1: whole elements
    std::optional<SortSpec> pattern;  // {field: 1/-1}: embedded fields
};

Status parsePushSort(const bson_iter_t& s, PushArgs& args) {
    Status bad(ErrorCodes::BadValue,
               "The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to "
               "sort embedded fields");
    if (auto dir = integerArg(s)) {
        if (*dir != 1 && *dir != -1) return bad;
        args.sortDirection = static_cast<int>(*dir);
        return Status::OK();
    }
    if (!BSON_ITER_HOLDS_DOCUMENT(&s) || subDocument(s).isEmpty()) return bad;
    auto spec = SortSpec::parse(subDocument(s));
    if (!spec.isOK()) return bad;
    args.pattern = std::move(spec.getValue());
    return Status::OK();
}

Status parsePush(const bson_iter_t& arg, UpdateNode& node) {
    auto args = std::make_shared<PushArgs>();
    bson_iter_t each;
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg) || !subDocument(arg).find("$each", &each)) {
        args->each.push_back(copyValue(arg));
        node.args = std::move(args);
        return Status::OK();
    }
    bson_iter_t clause;
    bson_iter_recurse(&arg, &clause);
    while (bson_iter_next(&clause)) {
        std::string_view name = iterKey(clause);
        if (name == "$each") {
            if (!BSON_ITER_HOLDS_ARRAY(&clause))
                return Status(ErrorCodes::BadValue,
                              "The argument to $each in $push must be an array");
            args->each = elementsOf(clause);
        } else if (name == "$slice") {
            args->slice = integerArg(clause);
            if (!args->slice)
                return Status(ErrorCodes::BadValue, "The value for $slice must be an integer");
        } else if (name == "$position") {
            args->position = integerArg(clause);
            if (!args->position)
                return Status(ErrorCodes::BadValue, "The value for $position must be an integer");
        } else if (name == "$sort") {
            MONGOSD_RETURN_IF_ERROR(parsePushSort(clause, *args));
        } else {
            return Status(ErrorCodes::BadValue,
                          "Unrecognized clause in $push: " + std::string(name));
        }
    }
    node.args = std::move(args);
    return Status::OK();
}

BsonView asDocument(const BsonObj& holder) {
    bson_iter_t v = firstOf(holder);
    return BSON_ITER_HOLDS_DOCUMENT(&v) ? subDocument(v) : BsonView();
}

void sortForPush(const PushArgs& args, std::vector<BsonObj>& elems) {
    if (args.pattern) {
        std::stable_sort(elems.begin(), elems.end(), [&](const BsonObj& a, const BsonObj& b) {
            return args.pattern->compare(asDocument(a), asDocument(b)) < 0;
        });
    } else if (args.sortDirection != 0) {
        std::stable_sort(elems.begin(), elems.end(), [&](const BsonObj& a, const BsonObj& b) {
            return compareValues(firstOf(a), firstOf(b)) * args.sortDirection < 0;
        });
    }
}

StatusWith<ModifierResult> applyPush(const UpdateNode& node, const bson_iter_t* current,
                                     const ModifierContext& ctx) {
    if (current && !BSON_ITER_HOLDS_ARRAY(current)) return notAnArray("$push", ctx.field);
    const auto& args = static_cast<const PushArgs&>(*node.args);
    std::vector<BsonObj> elems = current ? elementsOf(*current) : std::vector<BsonObj>();
    auto size = static_cast<int64_t>(elems.size());
    int64_t at = size;
    if (args.position) {
        at = *args.position >= 0 ? std::min(*args.position, size)
                                 : std::max<int64_t>(0, size + *args.position);
    }
    elems.insert(elems.begin() + at, args.each.begin(), args.each.end());
    sortForPush(args, elems);
    if (args.slice) {
        auto n = static_cast<int64_t>(elems.size());
        int64_t slice = *args.slice;
        int64_t keep = slice >= 0 ? std::min(n, slice) : (slice < -n ? n : -slice);
        if (slice >= 0)
            elems.resize(static_cast<size_t>(keep));
        else
            elems.erase(elems.begin(), elems.begin() + (n - keep));
    }
    return valueResult(arrayOf(elems));
}

struct AddToSetArgs final : ModifierArgs {
    std::vector<BsonObj> values;  // without duplicates
};

Status parseAddToSet(const bson_iter_t& arg, UpdateNode& node) {
    auto args = std::make_shared<AddToSetArgs>();
    std::vector<BsonObj> values;
    bson_iter_t first;
    bool isEach = BSON_ITER_HOLDS_DOCUMENT(&arg) && bson_iter_recurse(&arg, &first) &&
                  bson_iter_next(&first) && iterKey(first) == "$each";
    if (isEach) {
        if (!BSON_ITER_HOLDS_ARRAY(&first))
            return Status(ErrorCodes::TypeMismatch,
                          "The argument to $each in $addToSet must be an array");
        values = elementsOf(first);
        if (bson_iter_next(&first))
            return Status(ErrorCodes::BadValue, "Found unexpected fields after $each in $addToSet");
    } else {
        values.push_back(copyValue(arg));
    }
    for (auto& v : values) {
        bool dup = std::any_of(args->values.begin(), args->values.end(),
                               [&](const BsonObj& x) { return sameValue(x, v); });
        if (!dup) args->values.push_back(std::move(v));
    }
    node.args = std::move(args);
    return Status::OK();
}

StatusWith<ModifierResult> applyAddToSet(const UpdateNode& node, const bson_iter_t* current,
                                         const ModifierContext& ctx) {
    if (current && !BSON_ITER_HOLDS_ARRAY(current)) return notAnArray("$addToSet", ctx.field);
    const auto& args = static_cast<const AddToSetArgs&>(*node.args);
    std::vector<BsonObj> elems = current ? elementsOf(*current) : std::vector<BsonObj>();
    size_t before = elems.size();
    for (const auto& v : args.values) {
        bool present = std::any_of(elems.begin(), elems.end(),
                                   [&](const BsonObj& x) { return sameValue(x, v); });
        if (!present) elems.push_back(v);
    }
    if (current && elems.size() == before) return ModifierResult{};
    return valueResult(arrayOf(elems));
}

StatusWith<ModifierResult> applyPop(const UpdateNode& node, const bson_iter_t* current,
                                    const ModifierContext& ctx) {
    if (!current) return ModifierResult{};
    if (!BSON_ITER_HOLDS_ARRAY(current)) return notAnArray("$pop", ctx.field);
    std::vector<BsonObj> elems = elementsOf(*current);
    if (elems.empty()) return ModifierResult{};
    bson_iter_t dir = firstOf(node.operand);
    if (bson_iter_as_int64(&dir) < 0)
        elems.erase(elems.begin());
    else
        elems.pop_back();
    return valueResult(arrayOf(elems));
}

// $pull's condition: a value (equality), an operator object applied to each element itself
// ({$gte: 5}), or a query applied to each document element ({score: {$lt: 5}}).
struct PullArgs final : ModifierArgs {
    std::unique_ptr<MatchExpression> elementMatcher;   // over {"v": element}
    std::unique_ptr<MatchExpression> documentMatcher;  // over document elements
    std::vector<BsonObj> values;                       // $pull equality, $pullAll
    bool matches(const bson_iter_t& elem) const {
        if (elementMatcher) {
            BsonBuilder b;
            b.appendIter("v", elem);
            return elementMatcher->matches(b.obj().view());
        }
        if (documentMatcher)
            return BSON_ITER_HOLDS_DOCUMENT(&elem) && documentMatcher->matches(subDocument(elem));
        return std::any_of(values.begin(), values.end(),
                           [&](const BsonObj& v) { return valuesEqual(elem, firstOf(v)); });
    }
};

// Operators that apply to a path ({$gt: 5}) rather than being top-level ({$and: [...]}).
bool isPathOperator(std::string_view name) {
    static const char* const kTopLevel[] = {"$and",   "$or",   "$nor",     "$expr",
                                            "$where", "$text", "$comment", "$jsonSchema"};
    if (name.empty() || name[0] != '$') return false;
    return std::none_of(std::begin(kTopLevel), std::end(kTopLevel),
                        [&](const char* t) { return name == t; });
}

Status parsePull(const bson_iter_t& arg, UpdateNode& node) {
    auto args = std::make_shared<PullArgs>();
    if (BSON_ITER_HOLDS_DOCUMENT(&arg)) {
        BsonView cond = subDocument(arg);
        if (isPathOperator(cond.firstFieldName())) {
            BsonBuilder wrapped;
            wrapped.appendDocument("v", cond);
            auto m = parseFilter(wrapped.obj().view());
            if (!m.isOK()) return m.getStatus();
            args->elementMatcher = std::move(m.getValue());
        } else {
            auto m = parseFilter(cond);
            if (!m.isOK()) return m.getStatus();
            args->documentMatcher = std::move(m.getValue());
        }
    } else {
        args->values.push_back(copyValue(arg));
    }
    node.args = std::move(args);
    return Status::OK();
}

Status parsePullAll(const bson_iter_t& arg, UpdateNode& node) {
    if (!BSON_ITER_HOLDS_ARRAY(&arg))
        return Status(ErrorCodes::BadValue, "$pullAll requires an array argument");
    auto args = std::make_shared<PullArgs>();
    args->values = elementsOf(arg);
    node.args = std::move(args);
    return Status::OK();
}

StatusWith<ModifierResult> applyPull(const UpdateNode& node, const bson_iter_t* current,
                                     const ModifierContext& ctx) {
    if (!current) return ModifierResult{};
    if (!BSON_ITER_HOLDS_ARRAY(current))
        return notAnArray(node.op == Op::kPull ? "$pull" : "$pullAll", ctx.field);
    const auto& args = static_cast<const PullArgs&>(*node.args);
    std::vector<BsonObj> kept;
    bool removed = false;
    bson_iter_t e;
    bson_iter_recurse(current, &e);
    while (bson_iter_next(&e)) {
        if (args.matches(e))
            removed = true;
        else
            kept.push_back(copyValue(e));
    }
    if (!removed) return ModifierResult{};
    return valueResult(arrayOf(kept));
}

Status parsePop(const bson_iter_t& arg, UpdateNode& node) {
    auto dir = integerArg(arg);
    if (!dir || (*dir != 1 && *dir != -1))
        return Status(ErrorCodes::FailedToParse, "$pop expects 1 or -1");
    BsonBuilder b;
    b.appendInt32("", static_cast<int32_t>(*dir));
    node.operand = b.obj();
    return Status::OK();
}

}  // namespace

Status parseModifier(Op op, const bson_iter_t& arg, UpdateNode& node) {
    node.op = op;
    node.operand = copyValue(arg);
    switch (op) {
        case Op::kInc:
        case Op::kMul:
            if (!isNumber(arg))
                return Status(ErrorCodes::TypeMismatch,
                              std::string(op == Op::kInc ? "Cannot increment" : "Cannot multiply") +
                                  " with non-numeric argument: {" + std::string(iterKey(arg)) +
                                  ": ...}");
            return Status::OK();
        case Op::kCurrentDate:
            return parseCurrentDate(arg, node);
        case Op::kBit:
            return parseBit(arg, node);
        case Op::kPush:
            return parsePush(arg, node);
        case Op::kAddToSet:
            return parseAddToSet(arg, node);
        case Op::kPop:
            return parsePop(arg, node);
        case Op::kPull:
            return parsePull(arg, node);
        case Op::kPullAll:
            return parsePullAll(arg, node);
        default:
            break;
    }
    return Status::OK();
}

bool modifierCreates(Op op, bool upsertInsert) {
    switch (op) {
        case Op::kNone:
        case Op::kUnset:
        case Op::kRenameFrom:
        case Op::kPop:
        case Op::kPull:
        case Op::kPullAll:
            return false;
        case Op::kSetOnInsert:
            return upsertInsert;
        default:
            return true;
    }
}

StatusWith<ModifierResult> applyModifier(const UpdateNode& node, const bson_iter_t* current,
                                         const ModifierContext& ctx) {
    switch (node.op) {
        case Op::kSet:
            return valueResult(node.operand);
        case Op::kSetOnInsert:
            if (!ctx.upsertInsert) return ModifierResult{};
            return valueResult(node.operand);
        case Op::kUnset:
        case Op::kRenameFrom:
            return ModifierResult{current ? Kind::kRemove : Kind::kKeep, BsonObj()};
        case Op::kInc:
        case Op::kMul:
            return applyArithmetic(node, current, ctx);
        case Op::kMin:
        case Op::kMax:
            return applyMinMax(node, current);
        case Op::kRenameTo:
            return applyRenameTo(node, ctx);
        case Op::kCurrentDate:
            return applyCurrentDate(node, ctx);
        case Op::kBit:
            return applyBit(node, current, ctx);
        case Op::kPush:
            return applyPush(node, current, ctx);
        case Op::kAddToSet:
            return applyAddToSet(node, current, ctx);
        case Op::kPop:
            return applyPop(node, current, ctx);
        case Op::kPull:
        case Op::kPullAll:
            return applyPull(node, current, ctx);
        case Op::kNone:
            break;
    }
    invariant(false);
    return ModifierResult{};
}

}  // namespace mongosd::query
