#pragma once
// Small helpers over the WiredTiger C API shared by the storage engine's files: error mapping,
// hex timestamps for config strings, WT_ITEM construction and the oplog's 8-byte keys.
// Pure functions; any thread.

#include <wiredtiger.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/optime.h"
#include "common/status.h"

namespace mongosd::storage {

// Maps a WiredTiger return code to a Status: WT_ROLLBACK -> WriteConflict (retriable),
// WT_DUPLICATE_KEY -> DuplicateKey, WT_CACHE_FULL -> ExceededMemoryLimit, anything else ->
// InternalError. `context` names the failed call. ret must be non-zero.
Status wtError(int ret, std::string_view context);

// Returns OK for 0, otherwise wtError(ret, context).
inline Status wtStatus(int ret, std::string_view context) {
    return ret == 0 ? Status::OK() : wtError(ret, context);
}

// WiredTiger timestamps in config strings are hexadecimal without a prefix.
std::string tsToHex(Timestamp ts);
// Parses the output of query_timestamp (hex); "0" or "" is the null Timestamp.
Timestamp tsFromHex(const char* hex);

inline WT_ITEM makeItem(const void* data, size_t size) {
    WT_ITEM item{};
    item.data = data;
    item.size = size;
    return item;
}
inline std::string_view itemView(const WT_ITEM& item) {
    return std::string_view(static_cast<const char*>(item.data), item.size);
}

// The oplog key: the packed Timestamp in big-endian so byte order == time order.
constexpr size_t kOplogKeySize = 8;
void encodeOplogKey(Timestamp ts, uint8_t (&out)[kOplogKeySize]);
// False when the key is not 8 bytes (a corrupt row).
bool decodeOplogKey(const WT_ITEM& key, Timestamp* out);

}  // namespace mongosd::storage
