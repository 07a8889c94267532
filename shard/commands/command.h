#pragma once
// The shard's command registry. A command is MongoDB's: a document whose first field names it
// ({find: "courses", filter: {...}, $db: "stargrad"}). Every transport (HTTP, binary protocol)
// ends in ShardService::runCommand, which looks the command up here and runs it on the calling
// thread. Commands are stateless singletons; per-request state lives in OperationContext.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/bson.h"
#include "shard/commands/command_args.h"

namespace mongosd::shard {

class ShardService;

// Per-request state. One thread.
struct OperationContext {
    ShardService& service;
    std::string db;    // $db
    std::string peer;  // "ip:port" of the client, for logs
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

    // MaxTimeMSExpired once the deadline (maxTimeMS) has passed.
    Status checkForInterrupt() const;
    // "db.coll"
    std::string ns(std::string_view coll) const { return db + "." + std::string(coll); }
};

class Command {
public:
    virtual ~Command() = default;
    virtual std::string_view name() const = 0;
    // Appends the reply's fields (without "ok") to `reply`; a non-OK Status becomes an error
    // reply {ok: 0, errmsg, code, codeName} (fields already appended are discarded).
    virtual Status run(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) const = 0;
    // Whether the command may run without $db naming a real database (admin commands).
    virtual bool adminOnly() const { return false; }
};

class CommandRegistry {
public:
    // The registry of every shard command (built once, immutable afterwards).
    static const CommandRegistry& shard();
    const Command* find(std::string_view name) const;
    void add(std::unique_ptr<Command> cmd);
    // Also answers to `alias` (isMaster for hello).
    void addAlias(std::string alias, std::string_view target);
    std::vector<std::string> names() const;

private:
    std::map<std::string, std::shared_ptr<Command>, std::less<>> _commands;
};

// One registration function per command family (one file each).
void registerBasicCommands(CommandRegistry& r);
void registerCatalogCommands(CommandRegistry& r);
void registerWriteCommands(CommandRegistry& r);
void registerFindCommands(CommandRegistry& r);
void registerFindAndModifyCommand(CommandRegistry& r);
void registerAggregateCommand(CommandRegistry& r);
void registerIndexCommands(CommandRegistry& r);
void registerExplainCommand(CommandRegistry& r);

// InvalidNamespace when "<$db>.<coll>" is a namespace MongoDB would refuse.
Status checkNamespace(const OperationContext& opCtx, std::string_view coll);

// Helper for the many commands whose body is a single lambda.
template <typename Fn>
class LambdaCommand final : public Command {
public:
    LambdaCommand(std::string name, Fn fn, bool admin = false)
        : _name(std::move(name)), _fn(std::move(fn)), _admin(admin) {}
    std::string_view name() const override { return _name; }
    bool adminOnly() const override { return _admin; }
    Status run(OperationContext& opCtx, const CommandArgs& args, BsonBuilder& reply) const override {
        return _fn(opCtx, args, reply);
    }

private:
    std::string _name;
    Fn _fn;
    bool _admin;
};

template <typename Fn>
void addCommand(CommandRegistry& r, std::string name, Fn fn, bool admin = false) {
    r.add(std::make_unique<LambdaCommand<Fn>>(std::move(name), std::move(fn), admin));
}

}  // namespace mongosd::shard
