// ping, hello (isMaster), buildInfo, serverStatus.
#include <unistd.h>

#include <chrono>

#include "common/version.h"
#include "shard/commands/command.h"
#include "shard/service.h"
#include "shard/storage/storage_engine.h"

namespace mongosd::shard {
namespace {

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Status runHello(OperationContext&, const CommandArgs&, BsonBuilder& reply) {
    // A standalone member: writable, no replica set name until replication is configured.
    reply.appendBool("isWritablePrimary", true);
    reply.appendBool("ismaster", true);
    reply.appendInt32("maxBsonObjectSize", static_cast<int32_t>(kMaxUserBsonSize));
    reply.appendInt32("maxMessageSizeBytes", 48'000'000);
    reply.appendInt32("maxWriteBatchSize", 100'000);
    reply.appendDateMs("localTime", nowMs());
    reply.appendInt32("logicalSessionTimeoutMinutes", 30);
    reply.appendInt32("minWireVersion", 0);
    reply.appendInt32("maxWireVersion", 17);
    reply.appendBool("readOnly", false);
    reply.appendString("msg", "mongosd shard");
    return Status::OK();
}

Status runBuildInfo(OperationContext&, const CommandArgs&, BsonBuilder& reply) {
    reply.appendString("version", kMongosdVersion);
    reply.appendString("gitVersion", kMongosdGitVersion);
    reply.appendArray("versionArray", [](BsonBuilder& a) {
        a.appendInt32("0", kMongosdVersionMajor)
            .appendInt32("1", kMongosdVersionMinor)
            .appendInt32("2", kMongosdVersionPatch)
            .appendInt32("3", 0);
    });
    reply.appendInt32("bits", 64);
    reply.appendBool("debug", false);
    reply.appendInt32("maxBsonObjectSize", static_cast<int32_t>(kMaxUserBsonSize));
    reply.appendArray("storageEngines", [](BsonBuilder& a) { a.appendString("0", "wiredTiger"); });
    return Status::OK();
}

Status runServerStatus(OperationContext& opCtx, const CommandArgs&, BsonBuilder& reply) {
    ShardService& svc = opCtx.service;
    auto up = std::chrono::steady_clock::now() - svc.startTime();
    char host[256] = {0};
    gethostname(host, sizeof(host) - 1);
    reply.appendString("host", host);
    reply.appendString("version", kMongosdVersion);
    reply.appendString("process", "mongosd");
    reply.appendString("role", "shard");
    reply.appendInt64("pid", getpid());
    reply.appendInt64("uptime", std::chrono::duration_cast<std::chrono::seconds>(up).count());
    reply.appendInt64("uptimeMillis",
                      std::chrono::duration_cast<std::chrono::milliseconds>(up).count());
    reply.appendDateMs("localTime", nowMs());
    const OpCounters& c = svc.counters();
    reply.appendDocument("opcounters", [&](BsonBuilder& o) {
        o.appendInt64("insert", c.insert.load())
            .appendInt64("query", c.query.load())
            .appendInt64("update", c.update.load())
            .appendInt64("delete", c.remove.load())
            .appendInt64("getmore", c.getmore.load())
            .appendInt64("command", c.command.load());
    });
    reply.appendDocument("metrics", [&](BsonBuilder& m) {
        m.appendDocument("cursor", [&](BsonBuilder& cur) {
            cur.appendInt64("timedOut", static_cast<int64_t>(svc.cursors().timedOutTotal()));
            cur.appendDocument("open", [&](BsonBuilder& open) {
                open.appendInt64("total", static_cast<int64_t>(svc.cursors().size()));
            });
        });
        m.appendDocument("ttl", [&](BsonBuilder& ttl) {
            ttl.appendInt64("deletedDocuments", int64_t(svc.ttlMonitor().deletedDocuments()));
            ttl.appendInt64("passes", int64_t(svc.ttlMonitor().passes()));
        });
        m.appendDocument("query", [&](BsonBuilder& q) {
            q.appendInt64("planCacheEntries", int64_t(svc.planCache().size()));
        });
    });
    const storage::RecoveryInfo recovery = svc.engine().recoveryInfo();
    reply.appendDocument("storageEngine", [&](BsonBuilder& s) {
        s.appendString("name", "wiredTiger");
        s.appendBool("supportsCommittedReads", true);
        s.appendBool("persistent", true);
        // What startup recovery did (mongosd's own section).
        s.appendDocument("recovery", [&](BsonBuilder& r) {
            r.appendInt64("entriesReplayed", int64_t(recovery.entriesReplayed));
            r.appendInt64("entriesSkipped", int64_t(recovery.entriesSkipped));
            r.appendInt64("orphanTablesDropped", int64_t(recovery.orphanTablesDropped));
            r.appendInt64("indexesRebuilt", int64_t(recovery.indexesRebuilt));
        });
    });
    return Status::OK();
}

}  // namespace

void registerBasicCommands(CommandRegistry& r) {
    addCommand(r, "ping", [](OperationContext&, const CommandArgs&, BsonBuilder&) {
        return Status::OK();
    });
    addCommand(r, "hello", runHello);
    r.addAlias("isMaster", "hello");
    r.addAlias("ismaster", "hello");
    addCommand(r, "buildInfo", runBuildInfo);
    r.addAlias("buildinfo", "buildInfo");
    addCommand(r, "serverStatus", runServerStatus);
}

}  // namespace mongosd::shard
