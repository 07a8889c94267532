// Streaming stages of one document at a time: $match $limit $skip $count $project $unset
// $replaceRoot $replaceWith, and $sample (blocking, bounded by its size).
#include <algorithm>
#include <random>

#include "query/matcher.h"
#include "query/pipeline_internal.h"
#include "query/projection.h"

namespace mongosd::query {
namespace {

using Source = std::unique_ptr<DocumentSource>;
using MaybeDoc = StatusWith<std::optional<BsonObj>>;

class ErrorSource final : public DocumentSource {
public:
    explicit ErrorSource(Status s) : _status(std::move(s)) {}
    MaybeDoc next() override { return _status; }

private:
    Status _status;
};

// Variables bound to null standing in for the real ones while a filter is only validated.
Variables placeholderVariables(const StageParseContext& ctx) {
    Variables vars{BsonView()};
    for (const auto& name : ctx.options.variables) vars.bound.emplace_back(name, Value::null());
    return vars;
}

class MatchSpec final : public StageSpec {
public:
    explicit MatchSpec(BsonObj filter) : _filter(std::move(filter)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        // Parsed per execution: $expr binds the execution's variables ($lookup's `let`).
        auto m = parseFilter(_filter, FilterLimits{.variables = ctx.variables});
        if (!m.isOK()) return std::make_unique<ErrorSource>(m.getStatus());
        std::shared_ptr<const MatchExpression> matcher = std::move(m.getValue());
        return std::make_unique<MapStage>(std::move(input),
                                          [matcher](const BsonObj& d) -> MaybeDoc {
                                              auto hit = matcher->matchesChecked(d.view());
                                              if (!hit.isOK()) return hit.getStatus();
                                              if (hit.getValue())
                                                  return std::optional<BsonObj>(d);
                                              return std::optional<BsonObj>();
                                          });
    }

    std::optional<BsonObj> matchFilter() const override { return _filter; }

private:
    BsonObj _filter;
};

StatusWith<StagePtr> parseMatch(const bson_iter_t& arg, const StageParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location15959,
                          "the match filter must be an expression in an object");
    Variables placeholders = placeholderVariables(ctx);
    auto m = parseFilter(subDocument(arg), FilterLimits{.variables = &placeholders});
    if (!m.isOK()) return m.getStatus();
    return StagePtr(std::make_shared<MatchSpec>(BsonObj::copyOf(subDocument(arg))));
}

// $limit and $skip: counters over the stream.
class CountingStage final : public DocumentSource {
public:
    CountingStage(Source input, int64_t skip, int64_t limit)
        : _input(std::move(input)), _skip(skip), _limit(limit) {}
    MaybeDoc next() override {
        for (; _skip > 0; --_skip) {
            auto n = _input->next();
            if (!n.isOK() || !n.getValue()) return n;
        }
        if (_limit >= 0 && _returned >= _limit) return std::optional<BsonObj>();
        ++_returned;
        return _input->next();
    }

private:
    Source _input;
    int64_t _skip;
    int64_t _limit;
    int64_t _returned = 0;
};

class CountingSpec final : public StageSpec {
public:
    CountingSpec(int64_t skip, int64_t limit) : _skip(skip), _limit(limit) {}
    Source makeStage(Source input, const PipelineContext&) const override {
        return std::make_unique<CountingStage>(std::move(input), _skip, _limit);
    }
    int64_t limitCount() const override { return _limit; }

private:
    int64_t _skip;
    int64_t _limit;
};

std::optional<int64_t> integralArg(const bson_iter_t& arg) {
    // MongoDB truncates a fractional count (safeNumberLong).
    if (!BSON_ITER_HOLDS_NUMBER(&arg)) return std::nullopt;
    return bson_iter_as_int64(&arg);
}

StatusWith<StagePtr> parseLimit(const bson_iter_t& arg, const StageParseContext&) {
    auto n = integralArg(arg);
    if (!n) return stageError(ErrorCodes::Location15957, "the limit must be specified as a number");
    if (*n <= 0) return stageError(ErrorCodes::Location15958, "the limit must be positive");
    return StagePtr(std::make_shared<CountingSpec>(0, *n));
}

StatusWith<StagePtr> parseSkip(const bson_iter_t& arg, const StageParseContext&) {
    auto n = integralArg(arg);
    if (!n) return stageError(ErrorCodes::Location15972, "Argument to $skip must be a number");
    if (*n < 0)
        return stageError(ErrorCodes::Location15956,
                          "invalid argument to $skip stage: Cannot skip a negative number of "
                          "documents");
    return StagePtr(std::make_shared<CountingSpec>(*n, -1));
}

// $count: one document {field: n} (nothing for empty input), as MongoDB's $group + $project.
class CountStage final : public DocumentSource {
public:
    CountStage(Source input, std::string field)
        : _input(std::move(input)), _field(std::move(field)) {}
    MaybeDoc next() override {
        if (_done) return std::optional<BsonObj>();
        _done = true;
        int64_t n = 0;
        while (true) {
            auto d = _input->next();
            if (!d.isOK()) return d.getStatus();
            if (!d.getValue()) break;
            ++n;
        }
        if (n == 0) return std::optional<BsonObj>();
        BsonBuilder b;
        b.appendCount(_field, n);
        return std::optional<BsonObj>(b.obj());
    }

private:
    Source _input;
    std::string _field;
    bool _done = false;
};

class CountSpec final : public StageSpec {
public:
    explicit CountSpec(std::string field) : _field(std::move(field)) {}
    Source makeStage(Source input, const PipelineContext&) const override {
        return std::make_unique<CountStage>(std::move(input), _field);
    }

private:
    std::string _field;
};

StatusWith<StagePtr> parseCount(const bson_iter_t& arg, const StageParseContext&) {
    if (!BSON_ITER_HOLDS_UTF8(&arg) || bson_iter_utf8(&arg, nullptr)[0] == '\0')
        return stageError(ErrorCodes::Location40156, "the count field must be a non-empty string");
    std::string field = bson_iter_utf8(&arg, nullptr);
    if (field[0] == '$')
        return stageError(ErrorCodes::Location40158, "the count field cannot be a $-prefixed path");
    if (field.find('.') != std::string::npos)
        return stageError(ErrorCodes::Location40160, "the count field cannot contain '.'");
    return StagePtr(std::make_shared<CountSpec>(std::move(field)));
}

class ProjectSpec final : public StageSpec {
public:
    explicit ProjectSpec(Projection p) : _projection(std::move(p)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        return std::make_unique<MapStage>(
            std::move(input), [this, ctx](const BsonObj& d) -> MaybeDoc {
                Variables vars = documentVariables(d.view(), ctx);
                auto out = _projection.apply(d.view(), ProjectionContext{.variables = &vars});
                if (!out.isOK()) return out.getStatus();
                return std::optional<BsonObj>(std::move(out.getValue()));
            });
    }

private:
    Projection _projection;
};

StatusWith<StagePtr> parseProject(const bson_iter_t& arg, const StageParseContext&) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location15969, "$project specification must be an object");
    auto p = Projection::parse(subDocument(arg), ProjectionPolicy::kAggregate);
    if (!p.isOK()) return p.getStatus();
    return StagePtr(std::make_shared<ProjectSpec>(std::move(p.getValue())));
}

// $unset: an exclusion projection of the named fields.
StatusWith<StagePtr> parseUnset(const bson_iter_t& arg, const StageParseContext&) {
    static const char* kShape = "$unset specification must be a string or an array of strings";
    BsonBuilder spec;
    if (BSON_ITER_HOLDS_UTF8(&arg)) {
        spec.appendInt32(bson_iter_utf8(&arg, nullptr), 0);
    } else if (BSON_ITER_HOLDS_ARRAY(&arg)) {
        bson_iter_t f;
        bson_iter_recurse(&arg, &f);
        while (bson_iter_next(&f)) {
            if (!BSON_ITER_HOLDS_UTF8(&f)) return stageError(ErrorCodes::Location31120, kShape);
            spec.appendInt32(bson_iter_utf8(&f, nullptr), 0);
        }
    } else {
        return stageError(ErrorCodes::Location31002, kShape);
    }
    BsonObj s = spec.obj();
    if (s.isEmpty())
        return stageError(ErrorCodes::Location31119,
                          "$unset specification must be a string or an array with at least one "
                          "field");
    auto p = Projection::parse(s, ProjectionPolicy::kAggregate);
    if (!p.isOK()) return p.getStatus();
    return StagePtr(std::make_shared<ProjectSpec>(std::move(p.getValue())));
}

class ReplaceRootSpec final : public StageSpec {
public:
    explicit ReplaceRootSpec(std::shared_ptr<const Expression> e) : _expr(std::move(e)) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        return std::make_unique<MapStage>(
            std::move(input), [this, ctx](const BsonObj& d) -> MaybeDoc {
                auto v = _expr->evaluate(documentVariables(d.view(), ctx));
                if (!v.isOK()) return v.getStatus();
                if (v.getValue().type() != BSON_TYPE_DOCUMENT)
                    return stageError(
                        ErrorCodes::Location40228,
                        "'newRoot' expression must evaluate to an object, but resulting "
                        "value was: " +
                            v.getValue().toString());
                return std::optional<BsonObj>(valueToDocument(v.getValue()));
            });
    }

private:
    std::shared_ptr<const Expression> _expr;
};

StatusWith<StagePtr> makeReplaceRoot(const bson_iter_t& expr, const StageParseContext& ctx) {
    auto e = parseStageExpression(expr, ctx);
    if (!e.isOK()) return e.getStatus();
    return StagePtr(std::make_shared<ReplaceRootSpec>(std::move(e.getValue())));
}

StatusWith<StagePtr> parseReplaceRoot(const bson_iter_t& arg, const StageParseContext& ctx) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location40229,
                          "expected an object as specification for $replaceRoot stage");
    bson_iter_t f;
    bson_iter_recurse(&arg, &f);
    bson_iter_t newRoot;
    bool hasNewRoot = false;
    while (bson_iter_next(&f)) {
        if (iterKey(f) != "newRoot")
            return stageError(ErrorCodes::Location40230,
                              "unrecognized option to $replaceRoot "
                              "stage: " +
                                  std::string(iterKey(f)));
        newRoot = f;
        hasNewRoot = true;
    }
    if (!hasNewRoot)
        return stageError(ErrorCodes::Location40231,
                          "no newRoot specified for the $replaceRoot "
                          "stage");
    return makeReplaceRoot(newRoot, ctx);
}

// $sample: a uniform sample of `size` documents (reservoir sampling), in random order.
class SampleStage final : public DocumentSource {
public:
    SampleStage(Source input, int64_t size, const PipelineContext& ctx)
        : _input(std::move(input)), _size(size), _ctx(ctx), _rng(ctx.randomSeed) {}
    MaybeDoc next() override {
        if (!_filled) {
            MONGOSD_RETURN_IF_ERROR(fill());
            _filled = true;
        }
        if (_next >= _sample.size()) return std::optional<BsonObj>();
        return std::optional<BsonObj>(std::move(_sample[_next++]));
    }

private:
    Status fill() {
        size_t bytes = 0;
        uint64_t pulled = 0;
        for (uint64_t seen = 0;; ++seen) {
            auto d = nextChecked(*_input, _ctx, pulled);
            if (!d.isOK()) return d.getStatus();
            if (!d.getValue()) break;
            if (_sample.size() < static_cast<uint64_t>(_size)) {
                bytes += d.getValue()->size();
                MONGOSD_RETURN_IF_ERROR(checkMemory(bytes, _ctx, "$sample"));
                _sample.push_back(std::move(*d.getValue()));
                continue;
            }
            uint64_t slot = std::uniform_int_distribution<uint64_t>(0, seen)(_rng);
            if (slot < _sample.size()) _sample[slot] = std::move(*d.getValue());
        }
        std::shuffle(_sample.begin(), _sample.end(), _rng);
        return Status::OK();
    }

    Source _input;
    int64_t _size;
    PipelineContext _ctx;
    std::mt19937_64 _rng;
    std::vector<BsonObj> _sample;
    bool _filled = false;
    size_t _next = 0;
};

class SampleSpec final : public StageSpec {
public:
    explicit SampleSpec(int64_t size) : _size(size) {}
    Source makeStage(Source input, const PipelineContext& ctx) const override {
        return std::make_unique<SampleStage>(std::move(input), _size, ctx);
    }

private:
    int64_t _size;
};

StatusWith<StagePtr> parseSample(const bson_iter_t& arg, const StageParseContext&) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location28745,
                          "the $sample stage specification must be an object");
    bson_iter_t f;
    bson_iter_recurse(&arg, &f);
    std::optional<int64_t> size;
    while (bson_iter_next(&f)) {
        if (iterKey(f) != "size")
            return stageError(ErrorCodes::Location28748,
                              "unrecognized option to $sample: " + std::string(iterKey(f)));
        if (!BSON_ITER_HOLDS_NUMBER(&f))
            return stageError(ErrorCodes::Location28746,
                              "size argument to $sample must be a "
                              "number");
        size = bson_iter_as_int64(&f);
        if (*size < 0)
            return stageError(ErrorCodes::Location28747,
                              "size argument to $sample must not be "
                              "negative");
    }
    if (!size) return stageError(ErrorCodes::Location28749, "$sample stage must specify a size");
    return StagePtr(std::make_shared<SampleSpec>(*size));
}

}  // namespace

void registerBasicStages() {
    registerStage("$match", parseMatch);
    registerStage("$limit", parseLimit);
    registerStage("$skip", parseSkip);
    registerStage("$count", parseCount);
    registerStage("$project", parseProject);
    registerStage("$unset", parseUnset);
    registerStage("$replaceRoot", parseReplaceRoot);
    registerStage("$replaceWith", makeReplaceRoot);
    registerStage("$sample", parseSample);
}

}  // namespace mongosd::query
