#include "shard/commands/command.h"

#include "shard/service.h"

namespace mongosd::shard {

Status OperationContext::checkForInterrupt() const {
    if (std::chrono::steady_clock::now() > deadline)
        return Status(ErrorCodes::MaxTimeMSExpired, "operation exceeded time limit");
    if (service.shuttingDown())
        return Status(ErrorCodes::InterruptedAtShutdown, "interrupted at shutdown");
    return Status::OK();
}

const CommandRegistry& CommandRegistry::shard() {
    static const CommandRegistry registry = [] {
        CommandRegistry r;
        registerBasicCommands(r);
        registerCatalogCommands(r);
        registerWriteCommands(r);
        registerFindCommands(r);
        registerFindAndModifyCommand(r);
        registerAggregateCommand(r);
        registerIndexCommands(r);
        registerExplainCommand(r);
        return r;
    }();
    return registry;
}

const Command* CommandRegistry::find(std::string_view name) const {
    auto it = _commands.find(name);
    return it == _commands.end() ? nullptr : it->second.get();
}

void CommandRegistry::add(std::unique_ptr<Command> cmd) {
    std::string name(cmd->name());
    auto [_, inserted] = _commands.emplace(std::move(name), std::shared_ptr<Command>(std::move(cmd)));
    invariant(inserted);
}

void CommandRegistry::addAlias(std::string alias, std::string_view target) {
    auto it = _commands.find(target);
    invariant(it != _commands.end());
    auto cmd = it->second;
    _commands.emplace(std::move(alias), std::move(cmd));
}

std::vector<std::string> CommandRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& [name, _] : _commands) out.push_back(name);
    return out;
}

}  // namespace mongosd::shard
