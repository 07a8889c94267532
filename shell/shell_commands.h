#pragma once
// What a shell statement asks the server: the MongoDB command each method and helper maps to
// (db.c.find(...).sort(...) → {find: "c", filter, sort, ...}, sh.addShard(h) → {addShard: h},
// rs.status() → {replSetGetStatus: 1}, ...). Pure: executing the command and paging the
// cursor belong to the shell's runner.

#include <string>

#include "common/bson.h"
#include "common/status.h"
#include "shell/shell_syntax.h"

namespace mongosd::shell {

// mongosh shows 20 documents per page (`it` for more).
constexpr int kShellBatchSize = 20;

struct CommandPlan {
    BsonObj command;         // with "$db"
    bool cursor = false;     // the reply holds a cursor to page through (find, aggregate, ...)
    bool countOnly = false;  // .count() on a find: print the number
    bool explain = false;    // .explain(): print the reply as is
};

// `db` is the current database (`use`). BadValue (2) for an unknown method or helper, or wrong
// arguments, with the method's name in the message. kShow maps to listDatabases /
// listCollections; kUse, kIt, kExit and kEmpty have no command (InternalError if asked).
StatusWith<CommandPlan> commandFor(const Statement& statement, const std::string& db);

}  // namespace mongosd::shell
