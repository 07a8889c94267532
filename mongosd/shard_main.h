#pragma once
// `mongosd shard`: starts a shard member with its HTTP and binary-protocol listeners and runs
// until SIGINT/SIGTERM, then shuts down cleanly (listeners first, then storage).

#include <cstdint>
#include <string>
#include <vector>

namespace mongosd {

struct ShardMainOptions {
    std::string dbpath;
    std::string bindIp = "127.0.0.1";
    uint16_t port = 27018;
    uint16_t httpPort = 8080;
    int64_t checkpointIntervalMs = 60000;
    int64_t ttlMonitorIntervalMs = 60000;
    std::vector<std::string> failpoints;  // name=value, tests only
    std::string samplePath;
    std::string portFile;
    std::string logLevel = "info";
};

// Returns the process exit code.
int runShard(const ShardMainOptions& options);

}  // namespace mongosd
