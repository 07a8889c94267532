#include "shell/shell_session.h"

#include <cstdio>
#include <ostream>

#include "common/error_codes.h"
#include "common/json/ejson.h"
#include "query/index_key.h"
#include "shell/shell_syntax.h"

namespace mongosd::shell {
namespace {

constexpr const char* kHelpText =
    "  show dbs | show collections        list databases / collections of the current one\n"
    "  use DB                             switch the current database\n"
    "  db.C.find(filter, projection)      then .sort({f: 1}) .skip(n) .limit(n) .hint(index)\n"
    "                                     .count() .toArray() .itcount() .explain()\n"
    "  it                                 the next 20 documents of the last find/aggregate\n"
    "  db.C.findOne insertOne insertMany updateOne updateMany replaceOne deleteOne\n"
    "       deleteMany aggregate countDocuments estimatedDocumentCount distinct\n"
    "       createIndex getIndexes dropIndex drop\n"
    "  db.runCommand({...}) db.adminCommand({...}) db.getCollectionNames() db.dropDatabase()\n"
    "  sh.status() sh.addShard(h) sh.removeShard(s) sh.enableSharding(db)\n"
    "  sh.shardCollection(ns, key) sh.startBalancer() sh.stopBalancer()\n"
    "  rs.status() rs.conf() rs.initiate(cfg) rs.reconfig(cfg) rs.stepDown(secs)\n"
    "  exit | quit | Ctrl-D               leave; Ctrl-C abandons the line being typed\n"
    "Arguments are relaxed JSON: unquoted keys, 'single quotes', trailing commas, comments,\n"
    "ObjectId(\"…\") ISODate(\"…\") NumberLong(…) NumberInt(…) NumberDecimal(\"…\") /re/flags.\n";

// A field of a reply as a number (0 when absent).
int64_t numberField(BsonView doc, std::string_view field) {
    bson_iter_t it;
    return doc.find(field, &it) && BSON_ITER_HOLDS_NUMBER(&it) ? bson_iter_as_int64(&it) : 0;
}

BsonView documentField(BsonView doc, std::string_view field) {
    bson_iter_t it;
    if (!doc.find(field, &it) ||
        !(BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it)))
        return BsonView();
    return subDocument(it);
}

std::string stringField(BsonView doc, std::string_view field) {
    bson_iter_t it;
    if (!doc.find(field, &it) || !BSON_ITER_HOLDS_UTF8(&it)) return "";
    uint32_t len = 0;
    const char* s = bson_iter_utf8(&it, &len);
    return std::string(s, len);
}

// A count as mongosh shows it: a plain number (int32 when it fits).
void appendCount(BsonBuilder& out, std::string_view key, int64_t n) {
    if (n >= INT32_MIN && n <= INT32_MAX)
        out.appendInt32(key, int32_t(n));
    else
        out.appendInt64(key, n);
}

// "1.50 KiB" as mongosh's `show dbs` prints sizes.
std::string humanSize(double bytes) {
    static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t unit = 0;
    while (bytes >= 1024 && unit + 1 < std::size(kUnits)) {
        bytes /= 1024;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %s", bytes, kUnits[unit]);
    return buf;
}

bool hasCall(const Statement& s, std::string_view name) {
    for (size_t i = 1; i < s.chain.size(); ++i)
        if (s.chain[i].name == name) return true;
    return false;
}

// The first argument of a statement's first call, when it is a document.
BsonView firstArgDocument(const Statement& s, uint32_t index) {
    char buf[16];
    bson_iter_t it;
    if (s.chain.empty() || !s.chain[0].args.view().find(arrayIndexKey(index, buf), &it) ||
        !BSON_ITER_HOLDS_DOCUMENT(&it))
        return BsonView();
    return subDocument(it);
}

// mongosh's result object for a write (insertOne ... deleteMany); {} for other methods. The
// shell gave every inserted document its _id (shell_commands.h), so it can report them.
BsonObj writeResult(const std::string& method, BsonView command, BsonView reply) {
    BsonBuilder result;
    bson_iter_t it, id;
    if (method == "insertOne" || method == "insertMany") {
        result.appendBool("acknowledged", true);
        BsonView docs = documentField(command, "documents");
        docs.iterInit(&it);
        if (method == "insertOne") {
            if (bson_iter_next(&it) && subDocument(it).find("_id", &id))
                result.appendIter("insertedId", id);
        } else {
            result.appendDocument("insertedIds", [&](BsonBuilder& ids) {
                while (bson_iter_next(&it))
                    if (subDocument(it).find("_id", &id)) ids.appendIter(iterKey(it), id);
            });
        }
    } else if (method == "updateOne" || method == "updateMany" || method == "replaceOne") {
        result.appendBool("acknowledged", true);
        BsonView upserted = documentField(reply, "upserted");
        int64_t upsertedCount = 0;
        if (upserted.iterInit(&it) && bson_iter_next(&it) && subDocument(it).find("_id", &id)) {
            result.appendIter("insertedId", id);
            upsertedCount = 1;
        } else {
            result.appendNull("insertedId");
        }
        appendCount(result, "matchedCount", numberField(reply, "n") - upsertedCount);
        appendCount(result, "modifiedCount", numberField(reply, "nModified"));
        appendCount(result, "upsertedCount", upsertedCount);
    } else if (method == "deleteOne" || method == "deleteMany") {
        result.appendBool("acknowledged", true);
        appendCount(result, "deletedCount", numberField(reply, "n"));
    }
    return result.obj();
}

// The "name" fields of an array of documents, as an array of strings.
BsonObj namesOf(BsonView documents) {
    BsonBuilder names;
    bson_iter_t it;
    documents.iterInit(&it);
    char buf[16];
    uint32_t i = 0;
    while (bson_iter_next(&it))
        names.appendString(arrayIndexKey(i++, buf), stringField(subDocument(it), "name"));
    return names.obj();
}

int64_t numberOfElements(BsonView array) {
    int64_t n = 0;
    bson_iter_t it;
    array.iterInit(&it);
    while (bson_iter_next(&it)) ++n;
    return n;
}

}  // namespace

ShellSession::ShellSession(CommandTransport& transport, std::ostream& out, std::ostream& err,
                           SessionOptions options)
    : _transport(transport), _out(out), _err(err), _options(std::move(options)) {
    _format.color = _options.color;
}

ShellSession::Outcome ShellSession::run(std::string_view text) {
    ParseError where;
    auto parsed = parseStatement(text, &where);
    if (!parsed.isOK()) {
        _err << "SyntaxError: " << parsed.getStatus().reason() << '\n';
        // The offending line with a caret under the column.
        size_t lineStart = where.offset - std::min(where.offset, where.column - 1);
        size_t lineEnd = text.find('\n', lineStart);
        std::string_view line = text.substr(lineStart, lineEnd == std::string_view::npos
                                                           ? std::string_view::npos
                                                           : lineEnd - lineStart);
        _err << "  " << line << '\n' << std::string(where.column + 1, ' ') << "^\n";
        return Outcome::kFailed;
    }
    const Statement& st = parsed.getValue();
    switch (st.kind) {
        case Statement::Kind::kEmpty:
            return Outcome::kOk;
        case Statement::Kind::kExit:
            return Outcome::kExit;
        case Statement::Kind::kUse:
            _options.db = st.target;
            if (!_options.json) printLine("switched to db " + st.target);
            return Outcome::kOk;
        case Statement::Kind::kIt:
            return nextPage() ? Outcome::kOk : Outcome::kFailed;
        case Statement::Kind::kHelp:
            _out << kHelpText;
            return Outcome::kOk;
        default:
            break;
    }
    auto plan = commandFor(st, _options.db);
    if (!plan.isOK()) {
        _err << "MongoshInvalidInputError: " << plan.getStatus().reason() << '\n';
        return Outcome::kFailed;
    }
    return runPlan(st, plan.getValue());
}

bool ShellSession::send(BsonView command, BsonObj* reply) {
    auto r = _transport.runCommand(command);
    if (!r.isOK()) {
        _err << "MongoNetworkError: cannot reach mongosd at " << _transport.address() << ": "
             << r.getStatus().reason() << '\n';
        return false;
    }
    *reply = std::move(r.getValue());
    return !printServerError(reply->view());
}

// Prints the error a reply carries (ok: 0 or a write error) and says whether there was one.
bool ShellSession::printServerError(BsonView reply) {
    BsonView error = reply;
    BsonView writeErrors = documentField(reply, "writeErrors");
    bson_iter_t it;
    if (!writeErrors.isEmpty() && writeErrors.iterInit(&it) && bson_iter_next(&it) &&
        BSON_ITER_HOLDS_DOCUMENT(&it)) {
        error = subDocument(it);
    } else if (!reply.find("ok", &it) || bson_iter_as_double(&it) == 1.0) {
        return false;
    }
    const int code = int(numberField(error, "code"));
    std::string codeName = stringField(error, "codeName");
    if (codeName.empty()) codeName = std::string(ErrorCodes::name(ErrorCodes::Error(code)));
    _err << "MongoServerError[" << codeName << "]: " << stringField(error, "errmsg") << '\n';
    if (!writeErrors.isEmpty() && numberField(reply, "n") > 0) {
        _err << numberField(reply, "n") << " write(s) succeeded before the error\n";
    }
    return true;
}

ShellSession::Outcome ShellSession::runPlan(const Statement& st, const CommandPlan& plan) {
    BsonObj replyObj;
    if (!send(plan.command.view(), &replyObj)) return Outcome::kFailed;
    BsonView reply = replyObj.view();
    bool ok = printResult(st, plan, reply);
    BsonView wce = documentField(reply, "writeConcernError");
    if (!wce.isEmpty()) {
        _err << "MongoWriteConcernError[" << stringField(wce, "codeName")
             << "]: " << stringField(wce, "errmsg") << '\n';
        ok = false;
    }
    return ok ? Outcome::kOk : Outcome::kFailed;
}

bool ShellSession::printResult(const Statement& st, const CommandPlan& plan, BsonView reply) {
    const std::string method = st.chain.empty() ? "" : st.chain[0].name;
    const bool isQuery = plan.cursor && (method == "find" || method == "aggregate");
    if (plan.explain) {
        printDocument(reply);
    } else if (plan.countOnly) {
        bson_iter_t n;
        if (reply.find("n", &n)) printValue(n);
    } else if (st.kind == Statement::Kind::kShow && st.target == "dbs") {
        showDatabases(reply);
    } else if (isQuery && (hasCall(st, "toArray") || hasCall(st, "itcount"))) {
        // The whole result, not a page: an array, or how many documents there are.
        BsonObj all;
        if (!drainCursor(reply, &all)) return false;
        if (hasCall(st, "itcount")) {
            BsonBuilder n;
            appendCount(n, "n", numberOfElements(all.view()));
            printOnlyValue(n.obj());
        } else {
            printArray(all.view());
        }
    } else if (isQuery) {
        startCursor(documentField(reply, "cursor"));
    } else if (method == "findOne") {
        BsonView batch = documentField(documentField(reply, "cursor"), "firstBatch");
        bson_iter_t it;
        if (batch.iterInit(&it) && bson_iter_next(&it)) {
            printDocument(subDocument(it));
        } else {
            printLine(_options.json ? "{\"result\":null}" : "null");
        }
    } else if (st.kind == Statement::Kind::kShow || method == "getIndexes" ||
               method == "getCollectionNames") {
        BsonObj all;
        if (!drainCursor(reply, &all)) return false;
        if (method == "getIndexes") {
            printArray(all.view());
        } else if (method == "getCollectionNames") {
            printArray(namesOf(all.view()).view());
        } else {
            showCollections(all.view());
        }
    } else if (BsonObj result = writeResult(method, plan.command.view(), reply);
               !result.isEmpty()) {
        printDocument(result.view());
    } else if (method == "distinct") {
        printArray(documentField(reply, "values"));
    } else if (method == "createIndex") {
        std::string name = stringField(firstArgDocument(st, 1), "name");
        if (name.empty()) name = query::defaultIndexName(firstArgDocument(st, 0));
        BsonBuilder value;
        value.appendString("v", name);
        printOnlyValue(value.obj());
    } else if (method == "drop") {
        BsonBuilder value;
        value.appendBool("v", true);
        printOnlyValue(value.obj());
    } else {
        // runCommand, adminCommand, dropIndex, dropDatabase, sh.*, rs.*: the reply as is.
        printDocument(reply);
    }
    return true;
}

void ShellSession::startCursor(BsonView cursor) {
    // A new cursor replaces the one `it` was paging; the old one is closed on the server.
    if (_cursorId != 0) {
        BsonBuilder kill;
        kill.appendString("killCursors", _cursorCollection);
        kill.appendArray("cursors", [&](BsonBuilder& a) { a.appendInt64("0", _cursorId); });
        kill.appendString("$db", _cursorDb);
        (void)_transport.runCommand(kill.obj().view());
    }
    _cursorId = numberField(cursor, "id");
    std::string ns = stringField(cursor, "ns");
    size_t dot = ns.find('.');
    _cursorDb = ns.substr(0, dot);
    _cursorCollection = dot == std::string::npos ? "" : ns.substr(dot + 1);
    showCursorBatch(cursor, "firstBatch", _cursorId != 0);
}

void ShellSession::showCollections(BsonView collections) {
    bson_iter_t it;
    collections.iterInit(&it);
    while (bson_iter_next(&it)) {
        BsonView c = subDocument(it);
        if (_options.json)
            printDocument(c);
        else
            printLine(stringField(c, "name"));
    }
}

void ShellSession::showCursorBatch(BsonView cursor, const char* batchField, bool more) {
    BsonView batch = documentField(cursor, batchField);
    if (_options.json) {
        printArray(batch);
        if (more) _err << "Type \"it\" for more\n";
        return;
    }
    if (!batch.isEmpty()) printArray(batch);
    if (more) printLine("Type \"it\" for more");
}

bool ShellSession::nextPage() {
    if (_cursorId == 0) {
        printLine("no cursor");
        return true;
    }
    BsonBuilder cmd;
    cmd.appendInt64("getMore", _cursorId);
    cmd.appendString("collection", _cursorCollection);
    cmd.appendInt32("batchSize", kShellBatchSize);
    cmd.appendString("$db", _cursorDb);
    BsonObj reply;
    if (!send(cmd.obj().view(), &reply)) {
        _cursorId = 0;
        return false;
    }
    BsonView cursor = documentField(reply.view(), "cursor");
    _cursorId = numberField(cursor, "id");
    showCursorBatch(cursor, "nextBatch", _cursorId != 0);
    return true;
}

// Every document of a cursor reply (first batch and all getMores), as one array.
bool ShellSession::drainCursor(BsonView reply, BsonObj* all) {
    BsonBuilder into;
    uint32_t count = 0;
    BsonObj current = BsonObj::copyOf(reply);
    const char* batchField = "firstBatch";
    while (true) {
        BsonView cursor = documentField(current.view(), "cursor");
        bson_iter_t it;
        char buf[16];
        if (documentField(cursor, batchField).iterInit(&it)) {
            while (bson_iter_next(&it)) into.appendIter(arrayIndexKey(count++, buf), it);
        }
        const int64_t id = numberField(cursor, "id");
        if (id == 0) break;
        std::string ns = stringField(cursor, "ns");
        size_t dot = ns.find('.');
        BsonBuilder more;
        more.appendInt64("getMore", id);
        more.appendString("collection", dot == std::string::npos ? ns : ns.substr(dot + 1));
        more.appendString("$db", ns.substr(0, dot));
        if (!send(more.obj().view(), &current)) return false;
        batchField = "nextBatch";
    }
    *all = into.obj();
    return true;
}

void ShellSession::showDatabases(BsonView reply) {
    BsonView dbs = documentField(reply, "databases");
    size_t width = 0;
    bson_iter_t it;
    dbs.iterInit(&it);
    while (bson_iter_next(&it)) width = std::max(width, stringField(subDocument(it), "name").size());
    dbs.iterInit(&it);
    while (bson_iter_next(&it)) {
        BsonView db = subDocument(it);
        if (_options.json) {
            printDocument(db);
            continue;
        }
        std::string name = stringField(db, "name");
        bson_iter_t size;
        double bytes = db.find("sizeOnDisk", &size) ? bson_iter_as_double(&size) : 0;
        printLine(name + std::string(width - name.size() + 2, ' ') + humanSize(bytes));
    }
}

void ShellSession::printDocument(BsonView doc) {
    printLine(_options.json ? json::toJson(doc) : formatDocument(doc, _format));
}

void ShellSession::printArray(BsonView array) {
    if (!_options.json) {
        printLine(formatArray(array, _format));
        return;
    }
    bson_iter_t it;
    if (!array.iterInit(&it)) return;
    while (bson_iter_next(&it)) {
        if (BSON_ITER_HOLDS_DOCUMENT(&it))
            printDocument(subDocument(it));
        else
            printValue(it);
    }
}

void ShellSession::printValue(const bson_iter_t& value) {
    if (!_options.json) {
        printLine(formatValue(value, _format));
        return;
    }
    std::string line = "{\"result\":";
    json::appendJsonElement(value, json::JsonMode::kRelaxed, line);
    line += '}';
    printLine(line);
}

void ShellSession::printOnlyValue(const BsonObj& holder) {
    bson_iter_t it;
    if (holder.view().iterInit(&it) && bson_iter_next(&it)) printValue(it);
}

void ShellSession::printLine(const std::string& text) { _out << text << '\n'; }

}  // namespace mongosd::shell
