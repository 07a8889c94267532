// mongosd: one binary, one subcommand per role (DESIGN.md §1). Wiring only.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "mongosd/shard_main.h"
#include "mongosd/shell_main.h"

int main(int argc, char** argv) {
    CLI::App app{"mongosd: a MongoDB-like sharded document database"};
    app.require_subcommand(1);

    mongosd::ShardMainOptions shard;
    CLI::App* shardCmd = app.add_subcommand("shard", "run a shard member (standalone: a one-member set)");
    shardCmd->add_option("--dbpath", shard.dbpath, "data directory")->required();
    shardCmd->add_option("--port", shard.port, "binary-protocol port (0: pick a free one)")
        ->capture_default_str();
    shardCmd->add_option("--http-port", shard.httpPort, "HTTP API port (0: pick a free one)")
        ->capture_default_str();
    shardCmd->add_option("--bind-ip", shard.bindIp, "address to listen on")->capture_default_str();
    shardCmd->add_option("--checkpoint-interval-ms", shard.checkpointIntervalMs,
                         "how often to checkpoint")
        ->capture_default_str();
    shardCmd->add_option("--ttl-monitor-interval-ms", shard.ttlMonitorIntervalMs,
                         "how often the TTL monitor deletes expired documents")
        ->capture_default_str();
    shardCmd->add_option("--failpoint", shard.failpoints,
                         "name=value: enable a test failpoint (repeatable)");
    shardCmd->add_option("--load-sample", shard.samplePath,
                         "JSON file of starGrad courses to load when stargrad.courses is empty");
    shardCmd->add_option("--port-file", shard.portFile,
                         "write the bound ports here as JSON once listening (for tests)");
    shardCmd->add_option("--log-level", shard.logLevel, "trace|debug|info|warn|error")
        ->capture_default_str();

    mongosd::ShellMainOptions shell;
    CLI::App* shellCmd = app.add_subcommand("shell", "the mongosh-like client over the HTTP API");
    shellCmd->add_option("args", shell.args,
                         "[URL] [FILE.js ...]: server (default http://127.0.0.1:8080, "
                         "http://host:port/db picks the database) and scripts to run");
    shellCmd->add_option("--eval", shell.eval, "run these statements and exit");
    shellCmd->add_flag("--json", shell.json, "print one Extended JSON document per line");
    shellCmd->add_flag("--quiet", shell.quiet, "no banner");
    shellCmd->add_option("--timeout-ms", shell.timeoutMs,
                         "give up on a command after this long (0: never)")
        ->capture_default_str();

    CLI11_PARSE(app, argc, argv);
    if (shardCmd->parsed()) return mongosd::runShard(shard);
    if (shellCmd->parsed()) return mongosd::runShell(shell);
    return 2;
}
