#include "common/status.h"

namespace mongosd {

std::string Status::toString() const {
    if (isOK()) return "OK";
    std::string out(codeName());
    out += ": ";
    out += _reason;
    return out;
}

Status Status::withContext(std::string_view context) const {
    if (isOK()) return *this;
    std::string r(context);
    r += " :: ";
    r += _reason;
    Status out(_code, std::move(r));
    out._extraInfo = _extraInfo;
    return out;
}

}  // namespace mongosd
