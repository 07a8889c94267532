#pragma once
// ShellSession: runs shell statements against a server and prints what mongosh would print.
// It holds the state a user sees between statements: the current database (`use`) and the
// cursor `it` continues (20 documents a page).
//
// Output: results on `out` (mongosh's layout, or one Extended JSON document per line with
// `json`), errors on `err` as mongosh names them:
//   SyntaxError: line L, column C: …           the statement could not be parsed
//   MongoshInvalidInputError: find(): …        the statement parsed but its arguments are wrong
//   MongoServerError[codeName]: message        the server refused (ok: 0, a write error)
//   MongoWriteConcernError[codeName]: message  written, but the write concern was not met
//   MongoNetworkError: …                       no reply (server down, connection broken)
// Not thread-safe: one session per shell.

#include <iosfwd>
#include <string>
#include <string_view>

#include "common/bson.h"
#include "shell/command_transport.h"
#include "shell/shell_commands.h"
#include "shell/shell_format.h"

namespace mongosd::shell {

struct SessionOptions {
    std::string db = "test";
    bool color = false;  // ANSI colours (a terminal)
    bool json = false;   // one Relaxed Extended JSON document per line (scalars as {result: v})
};

class ShellSession {
public:
    enum class Outcome { kOk, kFailed, kExit };

    ShellSession(CommandTransport& transport, std::ostream& out, std::ostream& err,
                 SessionOptions options);

    // Runs one complete statement (see shell_syntax.h; splitStatements() cuts a script).
    Outcome run(std::string_view statement);

    const std::string& db() const { return _options.db; }

private:
    // Sends `command`; false when there was no reply or it was an error (printed already).
    bool send(BsonView command, BsonObj* reply);
    bool printServerError(BsonView reply);

    Outcome runPlan(const Statement& statement, const CommandPlan& plan);
    // Prints what the statement returns; false when a further round trip (getMore) failed.
    bool printResult(const Statement& statement, const CommandPlan& plan, BsonView reply);
    void startCursor(BsonView cursor);
    void showCursorBatch(BsonView cursor, const char* batchField, bool more);
    bool drainCursor(BsonView reply, BsonObj* all);
    bool nextPage();
    void showDatabases(BsonView reply);
    void showCollections(BsonView collections);

    void printDocument(BsonView doc);
    void printArray(BsonView array);
    void printValue(const bson_iter_t& value);
    // Prints the first (only) field of `holder` as a value: a count, a name, true.
    void printOnlyValue(const BsonObj& holder);
    void printLine(const std::string& text);

    CommandTransport& _transport;
    std::ostream& _out;
    std::ostream& _err;
    SessionOptions _options;
    FormatOptions _format;

    // The cursor `it` continues: its id and namespace (0 when exhausted or none).
    int64_t _cursorId = 0;
    std::string _cursorDb;
    std::string _cursorCollection;
};

}  // namespace mongosd::shell
