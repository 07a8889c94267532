// parseJsonObject() and appendJsonValue(): per-thread simdjson state, padding, and the checks
// around the JsonToBson translator (top-level type, trailing bytes, final size).
#include <algorithm>
#include <cstring>
#include <limits>

#include "common/json/ejson.h"
#include "common/json/json_to_bson.h"

namespace mongosd::json {
namespace {

// Buffers above this size are released after use rather than kept by the thread.
constexpr size_t kKeepBytes = 1 << 20;

// Everything one thread reuses between parses. Not reentrant: the codec never calls out.
struct ThreadState {
    od::parser parser;
    std::unique_ptr<char[]> padded;
    size_t paddedCap = 0;
    BsonBuffer bson;
    std::vector<std::string_view> keys;

    // simdjson reads up to SIMDJSON_PADDING bytes past the input, so the input is copied into a
    // padded buffer (a string_view gives no such guarantee). `prefix`/`suffix` wrap the text.
    simdjson::padded_string_view pad(std::string_view json, std::string_view prefix = {},
                                     std::string_view suffix = {}) {
        size_t len = prefix.size() + json.size() + suffix.size();
        if (paddedCap < len + simdjson::SIMDJSON_PADDING) {
            paddedCap = len + simdjson::SIMDJSON_PADDING;
            padded = std::make_unique_for_overwrite<char[]>(paddedCap);
        }
        char* p = padded.get();
        copyBytes(p, prefix.data(), prefix.size());
        copyBytes(p + prefix.size(), json.data(), json.size());
        copyBytes(p + prefix.size() + json.size(), suffix.data(), suffix.size());
        std::memset(p + len, 0, simdjson::SIMDJSON_PADDING);
        return simdjson::padded_string_view(p, len, paddedCap);
    }

    void release() {
        if (paddedCap > kKeepBytes) {
            padded.reset();
            paddedCap = 0;
        }
        bson.shrinkTo(kKeepBytes);
        keys.clear();
        if (parser.capacity() > kKeepBytes) parser = od::parser();
    }
};

ThreadState& threadState() {
    thread_local ThreadState state;
    return state;
}

// Releases oversized buffers however the parse ends.
struct ReleaseOnExit {
    ThreadState& state;
    ~ReleaseOnExit() { state.release(); }
};

Status syntaxError(simdjson::error_code e) {
    return Status(ErrorCodes::FailedToParse,
                  std::string("invalid JSON: ") + simdjson::error_message(e));
}

// After the root value: only whitespace may follow.
Status checkAtEnd(od::document& doc) {
    auto location = doc.current_location();
    if (location.error() == simdjson::OUT_OF_BOUNDS) return Status::OK();
    return Status(ErrorCodes::FailedToParse, "invalid JSON: unexpected content after the value");
}

}  // namespace

StatusWith<BsonObj> parseJsonObject(std::string_view json, const JsonParseLimits& limits) {
    ThreadState& state = threadState();
    ReleaseOnExit release{state};
    od::document doc;
    if (auto e = state.parser.iterate(state.pad(json)).get(doc)) return syntaxError(e);
    od::json_type type;
    if (auto e = doc.type().get(type)) return syntaxError(e);
    if (type != od::json_type::object)
        return Status(ErrorCodes::FailedToParse, "invalid JSON: expected an object");
    od::object obj;
    if (auto e = doc.get_object().get(obj)) return syntaxError(e);

    state.bson.clear();
    JsonToBson translator(state.bson, state.keys, limits);
    if (!translator.rootDocument(obj)) return translator.status();
    MONGOSD_RETURN_IF_ERROR(checkAtEnd(doc));
    return BsonObj::copyOf(BsonView(state.bson.data(), state.bson.size()));
}

Status appendJsonValue(std::string_view json, std::string_view key, BsonBuilder& out,
                       const JsonParseLimits& limits) {
    if (key.find('\0') != std::string_view::npos)
        return Status(ErrorCodes::BadValue, "field names must not contain NUL characters");
    ThreadState& state = threadState();
    ReleaseOnExit release{state};
    // Wrapping the text as a one-element array lets scalars go through the same path as
    // containers ("[X]" is a one-element array exactly when X is one JSON value).
    od::document doc;
    if (auto e = state.parser.iterate(state.pad(json, "[", "]")).get(doc)) return syntaxError(e);
    od::array arr;
    if (auto e = doc.get_array().get(arr)) return syntaxError(e);

    state.bson.clear();
    size_t at = state.bson.beginDocument();
    JsonToBson translator(state.bson, state.keys, limits);
    size_t count = 0;
    for (auto item : arr) {
        od::value v;
        if (auto e = item.get(v)) return syntaxError(e);
        if (++count > 1)
            return Status(ErrorCodes::FailedToParse, "invalid JSON: expected a single value");
        if (!translator.element(v, key, 0)) return translator.status();
    }
    if (count == 0) return Status(ErrorCodes::FailedToParse, "invalid JSON: empty input");
    MONGOSD_RETURN_IF_ERROR(checkAtEnd(doc));
    state.bson.endDocument(at);

    // bson_t cannot grow past INT32_MAX, whatever limit the caller asks for.
    size_t limit = std::min<size_t>(limits.maxBsonSize, std::numeric_limits<int32_t>::max());
    size_t added = state.bson.size() - 5;  // the element without the wrapping document
    if (out.size() + added > limit)
        return Status(ErrorCodes::BSONObjectTooLarge, "document exceeds the maximum BSON size of " +
                                                          std::to_string(limit) + " bytes");
    bson_t element;
    bool ok = bson_init_static(&element, state.bson.data(), state.bson.size());
    invariant(ok);
    ok = bson_concat(out.get(), &element);
    invariant(ok);
    return Status::OK();
}

}  // namespace mongosd::json
