// ycsb: a YCSB-compatible load generator for mongosd (HTTP and binary protocol) and PostgreSQL.
//   ycsb load --db mongosd-wire --port 27017 -w a --records 100000 --threads 8
//   ycsb run  --db postgres --pg "host=127.0.0.1 port=5432 dbname=ycsb" -w b --seconds 10
// Wiring only: flags -> workload, runner, report.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "bench/ycsb/report.h"
#include "bench/ycsb/runner.h"

namespace {

using namespace mongosd;
using namespace mongosd::ycsb;

struct Flags {
    std::string workload = "a";
    std::vector<std::string> properties;
    uint64_t records = 0;
    uint64_t ops = 0;
    std::string durability = "durable";
    bool json = false;
    DbOptions db;
    RunOptions run;
};

void addFlags(CLI::App& cmd, Flags& f) {
    cmd.add_option("--db", f.db.kind, "mongosd-http | mongosd-wire | postgres")->required();
    cmd.add_option("--url", f.db.url, "mongosd-http: http://HOST:PORT");
    cmd.add_option("--host", f.db.host, "mongosd-wire host")->capture_default_str();
    cmd.add_option("--port", f.db.port, "mongosd-wire port")->capture_default_str();
    cmd.add_option("--pg", f.db.pgConnInfo, "postgres: libpq connection string");
    cmd.add_option("--database", f.db.database, "mongosd database")->capture_default_str();
    cmd.add_option("-w,--workload", f.workload, "a..f (YCSB's workloads) or a properties file")
        ->capture_default_str();
    cmd.add_option("-p", f.properties, "NAME=VALUE: set a YCSB property (repeatable)");
    cmd.add_option("--records", f.records, "recordcount");
    cmd.add_option("--ops", f.ops, "operationcount (run phase)");
    cmd.add_option("--seconds", f.run.maxSeconds, "time limit (YCSB's maxexecutiontime)");
    cmd.add_option("--threads", f.run.threads, "client threads, one connection each")
        ->capture_default_str();
    cmd.add_option("--target", f.run.targetOpsPerSec,
                   "total ops/sec, open loop; latency from the scheduled send time");
    cmd.add_option("--seed", f.run.seed, "random seed")->capture_default_str();
    cmd.add_option("--durability", f.durability, "durable | relaxed")->capture_default_str();
    cmd.add_option("--status-interval", f.run.statusIntervalSeconds,
                   "seconds between [STATUS] lines on stderr (0: none)");
    cmd.add_flag("--json", f.json, "print one JSON object instead of the summary lines");
}

StatusWith<WorkloadProperties> buildProperties(const Flags& f) {
    WorkloadProperties props;
    auto preset = presetWorkload(f.workload);
    if (preset.isOK()) {
        props = preset.getValue();
    } else {
        MONGOSD_RETURN_IF_ERROR(applyPropertyFile(props, f.workload));
    }
    if (f.records) props.recordCount = f.records;
    if (f.ops) props.operationCount = f.ops;
    // A time-limited run without a count runs until the time is up.
    if (!f.ops && f.run.maxSeconds > 0) props.operationCount = 0;
    for (const std::string& p : f.properties) {
        size_t eq = p.find('=');
        if (eq == std::string::npos)
            return Status(ErrorCodes::BadValue, "-p wants NAME=VALUE, got " + p);
        MONGOSD_RETURN_IF_ERROR(applyProperty(props, p.substr(0, eq), p.substr(eq + 1)));
    }
    MONGOSD_RETURN_IF_ERROR(validateProperties(props));
    return props;
}

int runCommand(Flags& f, bool load) {
    if (f.durability != "durable" && f.durability != "relaxed") {
        std::fprintf(stderr, "ycsb: --durability must be durable or relaxed\n");
        return 2;
    }
    auto props = buildProperties(f);
    if (!props.isOK()) {
        std::fprintf(stderr, "ycsb: %s\n", props.getStatus().toString().c_str());
        return 2;
    }
    f.db.durability = f.durability == "durable" ? Durability::kDurable : Durability::kRelaxed;
    f.db.fieldCount = props.getValue().fieldCount;
    f.run.load = load;
    Workload workload(props.getValue());
    auto result = runPhase(workload, f.run, [&] { return makeDb(f.db); });
    if (!result.isOK()) {
        std::fprintf(stderr, "ycsb: %s\n", result.getStatus().toString().c_str());
        return 1;
    }
    RunDescription d{load ? "load" : "run", f.db.kind, f.workload, f.durability, f.run.threads,
                     f.run.targetOpsPerSec, f.run.seed};
    std::cout << (f.json ? formatJson(d, result.getValue()) : formatSummary(result.getValue()));
    // Errors are reported, and they fail the command so scripts cannot miss them.
    return result.getValue().errors ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ycsb: YCSB workloads against mongosd and PostgreSQL"};
    app.require_subcommand(1);
    Flags loadFlags, runFlags;
    CLI::App* load = app.add_subcommand("load", "insert the records (YCSB's load phase)");
    CLI::App* run = app.add_subcommand("run", "run the workload's operation mix");
    addFlags(*load, loadFlags);
    addFlags(*run, runFlags);
    CLI11_PARSE(app, argc, argv);
    return load->parsed() ? runCommand(loadFlags, true) : runCommand(runFlags, false);
}
