#include "mongosd/shard_main.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "common/failpoint.h"
#include "common/json/ejson.h"
#include "common/net/http_api.h"
#include "common/net/http_server.h"
#include "common/net/wire_server.h"
#include "shard/service.h"

namespace mongosd {
namespace {

// Loads {"courses": [...]} into stargrad.courses when that collection is empty.
Status loadSample(shard::ShardService& svc, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(ErrorCodes::BadValue, "cannot read sample file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = json::parseJsonObject(ss.str());
    if (!doc.isOK()) return doc.getStatus().withContext("parsing " + path);

    BsonBuilder count;
    count.appendString("count", "courses").appendString("$db", "stargrad");
    BsonObj counted = svc.runCommand(count.obj(), "loader");
    bson_iter_t n;
    if (counted.view().find("n", &n) && bson_iter_as_int64(&n) > 0) return Status::OK();

    bson_iter_t courses;
    if (!doc.getValue().view().find("courses", &courses) || !BSON_ITER_HOLDS_ARRAY(&courses))
        return Status(ErrorCodes::BadValue, path + " must hold {\"courses\": [...]}");
    BsonBuilder insert;
    insert.appendString("insert", "courses");
    insert.appendIter("documents", courses);
    insert.appendString("$db", "stargrad");
    BsonObj reply = svc.runCommand(insert.obj(), "loader");
    bson_iter_t inserted;
    reply.view().find("n", &inserted);
    spdlog::info("loaded {} sample courses into stargrad.courses", bson_iter_as_int64(&inserted));
    return Status::OK();
}

void writePortFile(const std::string& path, uint16_t port, uint16_t httpPort) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << "{\"port\": " << port << ", \"httpPort\": " << httpPort << ", \"pid\": " << getpid()
            << "}\n";
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace

int runShard(const ShardMainOptions& o) {
    spdlog::set_level(spdlog::level::from_str(o.logLevel));
    // Signals are taken synchronously by this thread; every other thread inherits the mask.
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
    signal(SIGPIPE, SIG_IGN);

    std::error_code ec;
    std::filesystem::create_directories(o.dbpath, ec);
    if (ec) {
        spdlog::error("cannot create --dbpath {}: {}", o.dbpath, ec.message());
        return 1;
    }
    for (const auto& fp : o.failpoints) {
        if (Status st = setFailpoint(fp); !st.isOK()) {
            spdlog::error("--failpoint {}: {}", fp, st.reason());
            return 1;
        }
        spdlog::warn("failpoint set: {}", fp);
    }
    shard::ShardServiceOptions so;
    so.dbpath = o.dbpath;
    so.checkpointInterval = std::chrono::milliseconds(o.checkpointIntervalMs);
    so.ttlMonitorInterval = std::chrono::milliseconds(o.ttlMonitorIntervalMs);
    auto svc = shard::ShardService::open(so);
    if (!svc.isOK()) {
        spdlog::error("cannot open storage at {}: {}", o.dbpath, svc.getStatus().toString());
        return 1;
    }
    shard::ShardService& service = *svc.getValue();
    if (!o.samplePath.empty()) {
        Status st = loadSample(service, o.samplePath);
        if (!st.isOK()) spdlog::warn("sample data not loaded: {}", st.toString());
    }

    auto runner = [&service](BsonView cmd, const std::string& peer) {
        return service.runCommand(cmd, peer);
    };
    net::HttpApi api("shard", runner);
    net::HttpServerOptions ho;
    ho.bindIp = o.bindIp;
    ho.port = o.httpPort;
    auto http = net::HttpServer::start(ho, [&api](const net::HttpRequest& r) { return api.handle(r); });
    if (!http.isOK()) {
        spdlog::error("cannot listen for HTTP on {}:{}: {}", o.bindIp, o.httpPort,
                      http.getStatus().toString());
        return 1;
    }
    net::WireServerOptions wo;
    wo.bindIp = o.bindIp;
    wo.port = o.port;
    wo.runsInline = &shard::ShardService::isPointRequest;
    auto wire = net::WireServer::start(wo, runner);
    if (!wire.isOK()) {
        spdlog::error("cannot listen on {}:{}: {}", o.bindIp, o.port, wire.getStatus().toString());
        return 1;
    }
    uint16_t httpPort = http.getValue()->port(), port = wire.getValue()->port();
    if (!o.portFile.empty()) writePortFile(o.portFile, port, httpPort);
    spdlog::info("mongosd shard ready: HTTP http://{}:{}  binary {}:{}  dbpath {}", o.bindIp,
                 httpPort, o.bindIp, port, o.dbpath);

    int sig = 0;
    sigwait(&sigs, &sig);
    spdlog::info("signal {} received: shutting down", sig);
    service.beginShutdown();
    http.getValue()->stop();
    wire.getValue()->stop();
    svc.getValue().reset();  // closes storage with a final checkpoint
    spdlog::info("shutdown complete");
    return 0;
}

}  // namespace mongosd
