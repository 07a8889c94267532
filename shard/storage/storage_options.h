#pragma once
// How a StorageEngine is opened. Plain value.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace mongosd::storage {

struct StorageOptions {
    // Directory of the WiredTiger files; created when missing.
    std::string dbpath;
    size_t cacheSizeMB = 256;
    // How often a checkpoint is taken at the stable (durable) timestamp. Recovery replays the
    // oplog written since the last one, so this bounds restart time.
    std::chrono::milliseconds checkpointInterval{60000};
    // How often the background flusher makes w:1 writes durable (MongoDB's
    // journalCommitInterval); j:true writers do not wait for it, they flush (grouped).
    std::chrono::milliseconds journalCommitInterval{100};
    // The oplog keeps about this many bytes: older entries are truncated at checkpoints, but
    // never one newer than the last checkpoint (recovery replays those).
    uint64_t oplogMaxBytes = uint64_t(1) << 30;
};

}  // namespace mongosd::storage
