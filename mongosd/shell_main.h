#pragma once
// `mongosd shell [URL] [FILE.js ...]`: the mongosh-like client over the HTTP API (API.md,
// "Shell syntax"; docs/shell.md). Interactive on a terminal; otherwise it runs --eval, the
// files, or standard input as a script and stops at the first failing statement.

#include <cstdint>
#include <string>
#include <vector>

namespace mongosd {

struct ShellMainOptions {
    // A URL (http://host:port[/db], default http://127.0.0.1:8080) and script files: an
    // argument that ends in .js or names an existing file is a script.
    std::vector<std::string> args;
    std::string eval;
    bool json = false;   // one Extended JSON document per line
    bool quiet = false;  // no banner
    int64_t timeoutMs = 0;  // per command; 0: wait as long as the server takes
};

// Exit code: 0 when every statement succeeded, 1 when one failed, 2 for a usage error.
int runShell(const ShellMainOptions& options);

}  // namespace mongosd
