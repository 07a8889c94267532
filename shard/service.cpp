#include "shard/service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

#include "common/command_reply.h"
#include "query/matcher.h"
#include "shard/commands/command.h"
#include "shard/storage/namespace_util.h"
#include "shard/storage/storage_engine.h"

namespace mongosd::shard {
namespace {

StatusWith<std::chrono::steady_clock::time_point> deadlineFor(const CommandArgs& args) {
    auto ms = args.optionalInteger("maxTimeMS");
    if (!ms.isOK()) return ms.getStatus();
    if (!ms.getValue() || *ms.getValue() == 0) return std::chrono::steady_clock::time_point::max();
    if (*ms.getValue() > INT32_MAX)
        return Status(ErrorCodes::BadValue, "maxTimeMS must be at most 2147483647");
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(*ms.getValue());
}

// readConcern and $readPreference: on a one-member set every level reads the latest committed
// write and every mode reaches the primary, but malformed values are still refused.
Status checkReadOptions(const CommandArgs& args) {
    auto rc = args.optionalDocument("readConcern");
    if (!rc.isOK()) return rc.getStatus();
    auto level = CommandArgs(rc.getValue()).optionalString("level");
    if (!level.isOK()) return level.getStatus();
    if (level.getValue()) {
        static const char* kLevels[] = {"local", "available", "majority", "linearizable", "snapshot"};
        if (std::none_of(std::begin(kLevels), std::end(kLevels),
                         [&](const char* l) { return *level.getValue() == l; }))
            return Status(ErrorCodes::FailedToParse,
                          "readConcern level '" + *level.getValue() + "' is not valid");
    }
    auto rp = args.optionalDocument("$readPreference");
    if (!rp.isOK()) return rp.getStatus();
    auto mode = CommandArgs(rp.getValue()).optionalString("mode");
    if (!mode.isOK()) return mode.getStatus();
    if (mode.getValue()) {
        static const char* kModes[] = {"primary", "primaryPreferred", "secondary",
                                       "secondaryPreferred", "nearest"};
        if (std::none_of(std::begin(kModes), std::end(kModes),
                         [&](const char* m) { return *mode.getValue() == m; }))
            return Status(ErrorCodes::FailedToParse,
                          "readPreference mode '" + *mode.getValue() + "' is not valid");
    }
    return Status::OK();
}

}  // namespace

StatusWith<std::unique_ptr<ShardService>> ShardService::open(const ShardServiceOptions& options) {
    storage::StorageOptions so;
    so.dbpath = options.dbpath;
    so.cacheSizeMB = options.cacheSizeMB;
    so.checkpointInterval = options.checkpointInterval;
    auto engine = storage::StorageEngine::open(so);
    if (!engine.isOK()) return engine.getStatus();
    auto service = std::unique_ptr<ShardService>(
        new ShardService(options, std::move(engine.getValue())));
    service->_ttl.start();
    return service;
}

ShardService::ShardService(ShardServiceOptions options,
                           std::unique_ptr<storage::StorageEngine> engine)
    : _options(std::move(options)),
      _engine(std::move(engine)),
      _cursors(_options.cursorIdleTimeout),
      _start(std::chrono::steady_clock::now()),
      _ttl(*this, _options.ttlMonitorInterval) {}

ShardService::~ShardService() { _ttl.stop(); }

bool ShardService::isPointRequest(BsonView cmd) {
    const std::string_view name = cmd.firstFieldName();
    if (name == "ping" || name == "hello" || name == "isMaster" || name == "buildInfo") return true;
    if (name != "find" || cmd.hasField("hint")) return false;
    bson_iter_t filter;
    return cmd.find("filter", &filter) && BSON_ITER_HOLDS_DOCUMENT(&filter) &&
           query::extractIdEquality(subDocument(filter)).has_value();
}

BsonObj ShardService::runCommand(BsonView cmd, const std::string& peer) {
    _counters.command.fetch_add(1, std::memory_order_relaxed);
    CommandArgs args(cmd);
    std::string_view name = args.name();
    if (name.empty()) return commandErrorReply(Status(ErrorCodes::FailedToParse, "empty command document"));
    const Command* command = CommandRegistry::shard().find(name);
    if (!command)
        return commandErrorReply(Status(ErrorCodes::CommandNotFound,
                                 "no such command: '" + std::string(name) + "'"));
    if (shuttingDown())
        return commandErrorReply(Status(ErrorCodes::ShutdownInProgress, "the server is shutting down"));

    auto db = args.optionalString("$db");
    if (!db.isOK()) return commandErrorReply(db.getStatus());
    if (!db.getValue())
        return commandErrorReply(Status(ErrorCodes::FailedToParse, "a command requires a $db field"));
    if (Status valid = storage::validateDatabaseName(*db.getValue()); !valid.isOK())
        return commandErrorReply(valid);
    if (command->adminOnly() && *db.getValue() != "admin")
        return commandErrorReply(Status(ErrorCodes::Unauthorized,
                                 std::string(name) + " may only be run against the admin database"));
    if (Status st = checkReadOptions(args); !st.isOK()) return commandErrorReply(st);
    auto deadline = deadlineFor(args);
    if (!deadline.isOK()) return commandErrorReply(deadline.getStatus());

    OperationContext opCtx{*this, *db.getValue(), peer, deadline.getValue()};
    BsonBuilder reply;
    Status st = Status::OK();
    try {
        st = command->run(opCtx, args, reply);
    } catch (const std::exception& e) {
        spdlog::error("command {} from {} threw: {}", name, peer, e.what());
        st = Status(ErrorCodes::InternalError, "internal error while running " + std::string(name));
    }
    if (!st.isOK()) return commandErrorReply(st);
    if (reply.size() > kMaxInternalBsonSize)
        return commandErrorReply(Status(ErrorCodes::BSONObjectTooLarge, "reply exceeds the 16 MiB limit"));
    reply.appendDouble("ok", 1.0);
    return reply.obj();
}

}  // namespace mongosd::shard
