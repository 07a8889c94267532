// $group and $sortByCount (a $group by the expression with a count, sorted by it descending).
#include <algorithm>

#include "query/expression_internal.h"
#include "query/pipeline_internal.h"

namespace mongosd::query {
namespace {

using Source = std::unique_ptr<DocumentSource>;
using MaybeDoc = StatusWith<std::optional<BsonObj>>;

StatusWith<AccumulatedField> parseAccumulatedField(const bson_iter_t& it,
                                                   const StageParseContext& ctx) {
    std::string field(iterKey(it));
    if (field.find('.') != std::string::npos)
        return stageError(ErrorCodes::Location40235,
                          "The field name '" + field + "' cannot contain '.'");
    if (!BSON_ITER_HOLDS_DOCUMENT(&it))
        return stageError(ErrorCodes::Location40234,
                          "The field '" + field + "' must be an accumulator object");
    bson_iter_t acc;
    bson_iter_recurse(&it, &acc);
    if (!bson_iter_next(&acc))
        return stageError(ErrorCodes::Location40238,
                          "The field '" + field + "' must specify one accumulator");
    bson_iter_t arg = acc;
    std::string name(iterKey(acc));
    if (bson_iter_next(&acc))
        return stageError(ErrorCodes::Location40238,
                          "The field '" + field + "' must specify one accumulator");
    if (name == "$count") {
        // {$count: {}} is {$sum: 1}.
        if (!BSON_ITER_HOLDS_DOCUMENT(&arg) || !subDocument(arg).isEmpty())
            return stageError(ErrorCodes::TypeMismatch,
                              "$count takes no arguments, i.e. $count:{}");
        return AccumulatedField{field, *accumulatorFactory("$sum"),
                                expr::makeConstant(Value::int32(1))};
    }
    auto factory = accumulatorFactory(name);
    if (!factory)
        return stageError(ErrorCodes::Location15952, "unknown group operator '" + name + "'");
    auto e = parseStageExpression(arg, ctx);
    if (!e.isOK()) return e.getStatus();
    return AccumulatedField{field, *factory, std::move(e.getValue())};
}

using KeyFn = std::function<StatusWith<Value>(const Variables& vars)>;
using Finisher = std::function<Status(std::vector<BsonObj>& groups)>;

// Reads its whole input into a Grouper, then yields the groups (after `finish`).
class GroupStage final : public BlockingStage {
public:
    GroupStage(Source input, const PipelineContext& ctx,
               const std::vector<AccumulatedField>& fields, KeyFn key, Finisher finish,
               std::string stage)
        : _input(std::move(input)),
          _ctx(ctx),
          _grouper(fields, ctx, std::move(stage)),
          _key(std::move(key)),
          _finish(std::move(finish)) {}


private:
    Status consume() override {
        uint64_t pulled = 0;
        while (true) {
            auto d = nextChecked(*_input, _ctx, pulled);
            if (!d.isOK()) return d.getStatus();
            if (!d.getValue()) break;
            Variables vars = documentVariables(d.getValue()->view(), _ctx);
            auto k = _key(vars);
            if (!k.isOK()) return k.getStatus();
            MONGOSD_RETURN_IF_ERROR(_grouper.add(k.getValue(), vars));
        }
        _out = _grouper.results();
        return _finish ? _finish(_out) : Status::OK();
    }

    Source _input;
    PipelineContext _ctx;
    Grouper _grouper;
    KeyFn _key;
    Finisher _finish;
};

class GroupSpec final : public StageSpec {
public:
    GroupSpec(std::shared_ptr<const Expression> id, std::vector<AccumulatedField> fields,
              Finisher finish, std::string stage)
        : _id(std::move(id)),
          _fields(std::move(fields)),
          _finish(std::move(finish)),
          _stage(std::move(stage)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        auto id = _id;
        KeyFn key = [id](const Variables& vars) { return id->evaluate(vars); };
        return std::make_unique<GroupStage>(std::move(input), ctx, _fields, key, _finish, _stage);
    }

private:
    std::shared_ptr<const Expression> _id;
    std::vector<AccumulatedField> _fields;
    Finisher _finish;
    std::string _stage;
};

StatusWith<StagePtr> parseGroup(const bson_iter_t& arg, const StageParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location15947,
                          "a group's fields must be specified in an "
                          "object");
    BsonView spec = subDocument(arg);
    bson_iter_t id;
    if (!spec.find("_id", &id))
        return stageError(ErrorCodes::Location15955, "a group specification must include an _id");
    auto idExpr = parseStageExpression(id, ctx);
    if (!idExpr.isOK()) return idExpr.getStatus();
    auto fields = parseAccumulatedFields(spec, "_id", ctx);
    if (!fields.isOK()) return fields.getStatus();
    return StagePtr(std::make_shared<GroupSpec>(std::move(idExpr.getValue()),
                                                std::move(fields.getValue()), nullptr, "$group"));
}

Status sortByCountDescending(std::vector<BsonObj>& groups) {
    auto count = [](const BsonObj& g) {
        bson_iter_t c;
        g.view().find("count", &c);
        return bson_iter_as_int64(&c);
    };
    std::stable_sort(groups.begin(), groups.end(),
                     [&](const BsonObj& a, const BsonObj& b) { return count(a) > count(b); });
    return Status::OK();
}

StatusWith<StagePtr> parseSortByCount(const bson_iter_t& arg, const StageParseContext& ctx) {
    bool path = BSON_ITER_HOLDS_UTF8(&arg) && bson_iter_utf8(&arg, nullptr)[0] == '$';
    bool object = BSON_ITER_HOLDS_DOCUMENT(&arg);
    if (object && (subDocument(arg).isEmpty() || subDocument(arg).firstFieldName()[0] != '$'))
        return stageError(ErrorCodes::Location40147,
                          "the sortByCount field must be defined as a $-prefixed path or an "
                          "expression inside an object");
    if (!path && !object)
        return stageError(ErrorCodes::Location40148,
                          "the sortByCount field must be specified as a string or as an object");
    auto e = parseStageExpression(arg, ctx);
    if (!e.isOK()) return e.getStatus();
    std::vector<AccumulatedField> fields{
        {"count", *accumulatorFactory("$sum"), expr::makeConstant(Value::int32(1))}};
    return StagePtr(std::make_shared<GroupSpec>(std::move(e.getValue()), std::move(fields),
                                                sortByCountDescending, "$sortByCount"));
}

}  // namespace

StatusWith<std::vector<AccumulatedField>> parseAccumulatedFields(BsonView spec,
                                                                 std::string_view skip,
                                                                 const StageParseContext& ctx) {
    std::vector<AccumulatedField> out;
    bson_iter_t it;
    spec.iterInit(&it);
    while (bson_iter_next(&it)) {
        if (iterKey(it) == skip) continue;
        auto f = parseAccumulatedField(it, ctx);
        if (!f.isOK()) return f.getStatus();
        out.push_back(std::move(f.getValue()));
    }
    return out;
}

Status Grouper::add(const Value& rawKey, const Variables& vars) {
    Value key = rawKey.missing() ? Value::null() : rawKey;
    auto [pos, inserted] = _index.emplace(key, _groups.size());
    if (inserted) {
        Group g{key, {}};
        for (const auto& f : _fields) g.accs.push_back(f.factory());
        _groups.push_back(std::move(g));
        _bytes += 64 + valueBytes(key);
    }
    Group& g = _groups[pos->second];
    for (size_t i = 0; i < _fields.size(); ++i) {
        auto v = _fields[i].arg->evaluate(vars);
        if (!v.isOK()) return v.getStatus();
        size_t before = g.accs[i]->memoryBytes();
        g.accs[i]->process(v.getValue());
        _bytes += g.accs[i]->memoryBytes() - before;
    }
    return checkMemory(_bytes, _ctx, _stage);
}

std::vector<BsonObj> Grouper::results() const {
    std::vector<BsonObj> out;
    out.reserve(_groups.size());
    for (const auto& g : _groups) {
        BsonBuilder b;
        g.key.appendTo(b, "_id");
        for (size_t i = 0; i < _fields.size(); ++i)
            g.accs[i]->finish().appendTo(b, _fields[i].field);
        out.push_back(b.obj());
    }
    return out;
}

void registerGroupStages() {
    registerStage("$group", parseGroup);
    registerStage("$sortByCount", parseSortByCount);
}

}  // namespace mongosd::query
