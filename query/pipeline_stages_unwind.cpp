// $unwind: one output document per element of the array at a path (through embedded documents
// only). A non-array value passes through unchanged; null, missing and [] produce nothing
// unless preserveNullAndEmptyArrays (then the document passes, without the field for []).
// includeArrayIndex adds the element's position as a long (null when not unwound).
#include "query/pipeline_internal.h"

namespace mongosd::query {
namespace {

using Source = std::unique_ptr<DocumentSource>;
using MaybeDoc = StatusWith<std::optional<BsonObj>>;

struct UnwindOptions {
    FieldPath path;
    std::optional<FieldPath> indexField;
    bool preserve = false;
};

class UnwindStage final : public DocumentSource {
public:
    UnwindStage(Source input, const UnwindOptions& opts) : _input(std::move(input)), _opts(opts) {}

    MaybeDoc next() override {
        while (true) {
            if (_pos < _elements.size()) return std::optional<BsonObj>(emitElement());
            auto d = _input->next();
            if (!d.isOK() || !d.getValue()) return d;
            _doc = std::move(*d.getValue());
            _elements.clear();
            _pos = 0;
            Value v = getPathValue(_doc.view(), _opts.path);
            if (v.isArray()) {
                _elements = v.arrayElements();
                if (!_elements.empty() || !_opts.preserve) continue;
                return std::optional<BsonObj>(
                    withIndex(setPathValue(_doc.view(), _opts.path, Value()), Value::null()));
            }
            if (v.nullish() && !_opts.preserve) continue;
            return std::optional<BsonObj>(withIndex(_doc, Value::null()));
        }
    }

private:
    BsonObj emitElement() {
        size_t i = _pos++;
        BsonObj out = setPathValue(_doc.view(), _opts.path, _elements[i]);
        return withIndex(std::move(out), Value::int64(static_cast<int64_t>(i)));
    }

    BsonObj withIndex(BsonObj doc, const Value& index) const {
        if (!_opts.indexField) return doc;
        return setPathValue(doc.view(), *_opts.indexField, index);
    }

    Source _input;
    const UnwindOptions& _opts;
    BsonObj _doc;
    std::vector<Value> _elements;
    size_t _pos = 0;
};

class UnwindSpec final : public StageSpec {
public:
    explicit UnwindSpec(UnwindOptions opts) : _opts(std::move(opts)) {}
    Source makeStage(Source input, const PipelineContext&) const override {
        return std::make_unique<UnwindStage>(std::move(input), _opts);
    }

private:
    UnwindOptions _opts;
};

StatusWith<FieldPath> parseUnwindPath(const bson_iter_t& it) {
    if (!BSON_ITER_HOLDS_UTF8(&it))
        return stageError(ErrorCodes::Location28808,
                          "expected a string as the path for $unwind "
                          "stage");
    std::string_view s = bson_iter_utf8(&it, nullptr);
    if (s.empty() || s[0] != '$')
        return stageError(
            ErrorCodes::Location28818,
            "path option to $unwind stage should be prefixed with a '$': " + std::string(s));
    return FieldPath::parse(s.substr(1));
}

Status parseUnwindOption(const bson_iter_t& it, UnwindOptions& opts, bool& hasPath) {
    std::string_view key = iterKey(it);
    if (key == "path") {
        auto p = parseUnwindPath(it);
        if (!p.isOK()) return p.getStatus();
        opts.path = std::move(p.getValue());
        hasPath = true;
    } else if (key == "includeArrayIndex") {
        if (!BSON_ITER_HOLDS_UTF8(&it) || bson_iter_utf8(&it, nullptr)[0] == '\0')
            return stageError(ErrorCodes::Location28810,
                              "expected a non-empty string for the "
                              "includeArrayIndex option to $unwind");
        std::string_view s = bson_iter_utf8(&it, nullptr);
        if (s[0] == '$')
            return stageError(ErrorCodes::Location28822,
                              "includeArrayIndex option to $unwind "
                              "stage should not be prefixed with a '$'");
        auto p = FieldPath::parse(s);
        if (!p.isOK()) return p.getStatus();
        opts.indexField = std::move(p.getValue());
    } else if (key == "preserveNullAndEmptyArrays") {
        if (!BSON_ITER_HOLDS_BOOL(&it))
            return stageError(ErrorCodes::Location28809,
                              "expected a boolean for the "
                              "preserveNullAndEmptyArrays option");
        opts.preserve = bson_iter_bool(&it);
    } else {
        return stageError(ErrorCodes::Location28811,
                          "unrecognized option to $unwind stage: " + std::string(key));
    }
    return Status::OK();
}

StatusWith<StagePtr> parseUnwind(const bson_iter_t& arg, const StageParseContext&) {
    if (BSON_ITER_HOLDS_UTF8(&arg)) {
        auto p = parseUnwindPath(arg);
        if (!p.isOK()) return p.getStatus();
        return StagePtr(std::make_shared<UnwindSpec>(UnwindOptions{std::move(p.getValue())}));
    }
    if (!BSON_ITER_HOLDS_DOCUMENT(&arg))
        return stageError(ErrorCodes::Location15981,
                          "expected either a string or an object as "
                          "specification for $unwind stage");
    auto placeholder = FieldPath::parse("_");
    UnwindOptions opts{std::move(placeholder.getValue())};
    bool hasPath = false;
    bson_iter_t it;
    bson_iter_recurse(&arg, &it);
    while (bson_iter_next(&it)) MONGOSD_RETURN_IF_ERROR(parseUnwindOption(it, opts, hasPath));
    if (!hasPath)
        return stageError(ErrorCodes::Location28812, "no path specified to $unwind stage");
    return StagePtr(std::make_shared<UnwindSpec>(std::move(opts)));
}

}  // namespace

void registerUnwindStage() { registerStage("$unwind", parseUnwind); }

}  // namespace mongosd::query
