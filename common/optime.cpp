#include "common/optime.h"

namespace mongosd {

std::string Timestamp::toString() const {
    return "Timestamp(" + std::to_string(secs) + ", " + std::to_string(inc) + ")";
}

std::string OpTime::toString() const {
    return "{ ts: " + ts.toString() + ", t: " + std::to_string(term) + " }";
}

}  // namespace mongosd
