#pragma once
// Status and StatusWith<T>: how errors cross module boundaries. A Status is OK or carries an
// ErrorCodes::Error plus a short human-readable reason. Cheap to move; any thread.

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/error_codes.h"
#include "common/invariant.h"

namespace mongosd {

class [[nodiscard]] Status {
public:
    static Status OK() { return Status(); }

    Status() = default;
    Status(ErrorCodes::Error code, std::string reason) : _code(code), _reason(std::move(reason)) {}

    bool isOK() const { return _code == ErrorCodes::OK; }
    ErrorCodes::Error code() const { return _code; }
    const std::string& reason() const { return _reason; }
    std::string_view codeName() const { return ErrorCodes::name(_code); }
    // Extra fields MongoDB puts next to code/errmsg for some errors (DuplicateKey's keyPattern
    // and keyValue): the bytes of a BSON document whose fields error replies append, or null.
    const std::string* extraInfo() const { return _extraInfo.get(); }
    Status withExtraInfo(std::string bsonDocument) const {
        Status s = *this;
        s._extraInfo = std::make_shared<const std::string>(std::move(bsonDocument));
        return s;
    }
    // "<codeName>: <reason>", for logs and test failure messages.
    std::string toString() const;

    // Prefixes the reason with context, keeping the code: "while parsing filter :: <reason>".
    Status withContext(std::string_view context) const;

    friend bool operator==(const Status& a, ErrorCodes::Error c) { return a._code == c; }

private:
    ErrorCodes::Error _code = ErrorCodes::OK;
    std::string _reason;
    std::shared_ptr<const std::string> _extraInfo;
};

// Either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusWith {
public:
    StatusWith(Status status) : _status(std::move(status)) { invariant(!_status.isOK()); }
    StatusWith(ErrorCodes::Error code, std::string reason) : _status(code, std::move(reason)) {}
    StatusWith(T value) : _value(std::move(value)) {}

    bool isOK() const { return _status.isOK(); }
    const Status& getStatus() const { return _status; }

    T& getValue() & {
        invariant(isOK());
        return *_value;
    }
    const T& getValue() const& {
        invariant(isOK());
        return *_value;
    }
    T&& getValue() && {
        invariant(isOK());
        return std::move(*_value);
    }

private:
    Status _status;
    std::optional<T> _value;
};

}  // namespace mongosd

// Returns a non-OK Status from the enclosing function.
#define MONGOSD_RETURN_IF_ERROR(expr)                   \
    do {                                                \
        ::mongosd::Status _st = (expr);                 \
        if (!_st.isOK()) return _st;                    \
    } while (false)
