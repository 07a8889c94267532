#include "shard/storage/wt_util.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace mongosd::storage {

Status wtError(int ret, std::string_view context) {
    std::string what = std::string(context) + ": " + wiredtiger_strerror(ret);
    switch (ret) {
        case WT_ROLLBACK:
            return Status(ErrorCodes::WriteConflict, "write conflict (" + what + ")");
        case WT_DUPLICATE_KEY:
            return Status(ErrorCodes::DuplicateKey, what);
        case WT_CACHE_FULL:
            return Status(ErrorCodes::ExceededMemoryLimit, what);
        default:
            return Status(ErrorCodes::InternalError,
                          "WiredTiger error " + std::to_string(ret) + " in " + what);
    }
}

std::string tsToHex(Timestamp ts) {
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(ts.asULL()));
    return buf;
}

Timestamp tsFromHex(const char* hex) {
    if (hex == nullptr || *hex == '\0') return Timestamp{};
    return Timestamp::fromULL(std::strtoull(hex, nullptr, 16));
}

void encodeOplogKey(Timestamp ts, uint8_t (&out)[kOplogKeySize]) {
    uint64_t v = ts.asULL();
    for (size_t i = 0; i < kOplogKeySize; ++i) out[i] = uint8_t(v >> (8 * (kOplogKeySize - 1 - i)));
}

bool decodeOplogKey(const WT_ITEM& key, Timestamp* out) {
    if (key.size != kOplogKeySize) return false;
    auto* p = static_cast<const uint8_t*>(key.data);
    uint64_t v = 0;
    for (size_t i = 0; i < kOplogKeySize; ++i) v = (v << 8) | p[i];
    *out = Timestamp::fromULL(v);
    return true;
}

}  // namespace mongosd::storage
