#pragma once
// The statements `mongosd shell` accepts (API.md, "Shell syntax"), parsed without executing:
//   show dbs | show databases | show collections     use DB     it     exit | quit     help
//   db.METHOD(args)                 e.g. db.runCommand({...}), db.getCollectionNames()
//   db.COLL.METHOD(args)[.M(args)]  e.g. db.courses.find({level: 'x'}).sort({r: -1}).limit(5)
//   db.getCollection('name').METHOD(args)...
//   sh.METHOD(args), rs.METHOD(args)
// Arguments are relaxed JSON (relaxed_json.h). A trailing ';' is allowed. Pure; any thread.

#include <string>
#include <string_view>
#include <vector>

#include "common/bson.h"
#include "common/status.h"
#include "shell/relaxed_json.h"

namespace mongosd::shell {

struct MethodCall {
    std::string name;
    // The arguments as one array document ({"0": arg0, "1": arg1, ...}).
    BsonObj args;
    size_t argCount = 0;
};

struct Statement {
    enum class Kind { kEmpty, kShow, kUse, kIt, kExit, kHelp, kDb, kCollection, kHelper };
    Kind kind = Kind::kEmpty;
    // kShow: "dbs" | "collections"; kUse: the database; kHelper: "sh" | "rs";
    // kCollection: the collection name.
    std::string target;
    // kDb, kCollection, kHelper: the method called, then the chained cursor methods.
    std::vector<MethodCall> chain;
};

// FailedToParse with the line and column (also in *error) of what could not be read.
StatusWith<Statement> parseStatement(std::string_view text, ParseError* error = nullptr);

// Whether `text` ends inside an open bracket, brace, parenthesis, string or comment: the shell
// then reads another line before parsing (multi-line input).
bool isIncomplete(std::string_view text);

// Cuts a script (a file, standard input, --eval) into statements: at ';' and at line ends
// outside brackets, strings and comments; a line starting with '.' continues the statement
// before it. Blank pieces are dropped. An unterminated last statement is returned as is (its
// parse then reports what is missing).
std::vector<std::string> splitStatements(std::string_view script);

}  // namespace mongosd::shell
