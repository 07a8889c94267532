#include "shell/shell_commands.h"

#include <bson/bson.h>

namespace mongosd::shell {
namespace {

Status badArgs(const std::string& method, const std::string& why) {
    return Status(ErrorCodes::BadValue, method + "(): " + why);
}

// Argument i of a call, when present.
bool arg(const MethodCall& call, uint32_t i, bson_iter_t* out) {
    char buf[16];
    return i < call.argCount && call.args.view().find(arrayIndexKey(i, buf), out);
}

// Argument i as a document ({} when absent); BadValue when it is something else.
Status docArg(const MethodCall& call, uint32_t i, BsonView* out, bool required = false) {
    bson_iter_t it;
    if (!arg(call, i, &it)) {
        if (required)
            return badArgs(call.name, "argument " + std::to_string(i + 1) + " is required");
        *out = BsonView();
        return Status::OK();
    }
    if (!BSON_ITER_HOLDS_DOCUMENT(&it)) {
        return badArgs(call.name, "argument " + std::to_string(i + 1) + " must be an object");
    }
    *out = subDocument(it);
    return Status::OK();
}

// Appends `doc` under `key`, with a new ObjectId as its first field when it has no _id: as
// mongosh, the shell names the documents it inserts, so it can print their ids.
void appendWithId(BsonBuilder& out, std::string_view key, BsonView doc) {
    if (doc.hasField("_id")) {
        out.appendDocument(key, doc);
        return;
    }
    out.appendDocument(key, [&](BsonBuilder& withId) {
        bson_oid_t oid;
        bson_oid_init(&oid, nullptr);
        withId.appendOid("_id", oid);
        withId.appendAll(doc);
    });
}

CommandPlan withDb(BsonBuilder& cmd, const std::string& db, bool cursor = false) {
    cmd.appendString("$db", db);
    CommandPlan plan;
    plan.command = cmd.obj();
    plan.cursor = cursor;
    return plan;
}

StatusWith<CommandPlan> findCommand(const Statement& s, const std::string& db) {
    const MethodCall& find = s.chain[0];
    BsonView filter, projection, sort;
    MONGOSD_RETURN_IF_ERROR(docArg(find, 0, &filter));
    MONGOSD_RETURN_IF_ERROR(docArg(find, 1, &projection));
    int64_t limit = 0, skip = 0;
    bool count = false, explain = false;
    BsonBuilder hint;
    for (size_t i = 1; i < s.chain.size(); ++i) {
        const MethodCall& m = s.chain[i];
        bson_iter_t a;
        if (m.name == "sort") {
            MONGOSD_RETURN_IF_ERROR(docArg(m, 0, &sort, true));
        } else if (m.name == "projection") {
            MONGOSD_RETURN_IF_ERROR(docArg(m, 0, &projection, true));
        } else if (m.name == "limit" || m.name == "skip" || m.name == "batchSize") {
            if (!arg(m, 0, &a) || !BSON_ITER_HOLDS_NUMBER(&a))
                return badArgs(m.name, "expects a number");
            if (m.name == "limit") limit = bson_iter_as_int64(&a);
            if (m.name == "skip") skip = bson_iter_as_int64(&a);
        } else if (m.name == "hint") {
            if (!arg(m, 0, &a)) return badArgs(m.name, "expects an index name or key pattern");
            hint.appendIter("hint", a);
        } else if (m.name == "count") {
            count = true;
        } else if (m.name == "explain") {
            explain = true;
        } else if (m.name != "toArray" && m.name != "pretty" && m.name != "itcount") {
            return badArgs(m.name, "is not a cursor method here");
        }
    }
    BsonBuilder cmd;
    if (count) {
        cmd.appendString("count", s.target);
        cmd.appendDocument("query", filter);
        if (limit) cmd.appendInt64("limit", limit);
        if (skip) cmd.appendInt64("skip", skip);
        cmd.appendAll(hint.obj().view());
        CommandPlan plan = withDb(cmd, db);
        plan.countOnly = true;
        return plan;
    }
    BsonBuilder find_;
    find_.appendString("find", s.target);
    find_.appendDocument("filter", filter);
    if (!projection.isEmpty()) find_.appendDocument("projection", projection);
    if (!sort.isEmpty()) find_.appendDocument("sort", sort);
    if (limit) find_.appendInt64("limit", limit);
    if (skip) find_.appendInt64("skip", skip);
    find_.appendAll(hint.obj().view());
    if (explain) {
        cmd.appendDocument("explain", find_.obj().view());
        cmd.appendString("verbosity", "queryPlanner");
        CommandPlan plan = withDb(cmd, db);
        plan.explain = true;
        return plan;
    }
    find_.appendInt32("batchSize", kShellBatchSize);
    return withDb(find_, db, /*cursor=*/true);
}

StatusWith<CommandPlan> collectionCommand(const Statement& s, const std::string& db) {
    const MethodCall& m = s.chain[0];
    const std::string& name = m.name;
    if (name == "find" || name == "findOne") {
        if (name == "findOne") {
            Statement one = s;
            one.chain.resize(1);
            one.chain[0].name = "find";
            auto plan = findCommand(one, db);
            if (!plan.isOK()) return plan;
            BsonBuilder cmd;
            bson_iter_t it;
            plan.getValue().command.view().iterInit(&it);
            while (bson_iter_next(&it)) {
                std::string_view k = bson_iter_key(&it);
                if (k != "batchSize" && k != "$db") cmd.appendIter(k, it);
            }
            cmd.appendInt32("limit", 1);
            cmd.appendBool("singleBatch", true);
            return withDb(cmd, db, true);
        }
        return findCommand(s, db);
    }
    if (s.chain.size() > 1 && name != "aggregate") {
        return badArgs(s.chain[1].name, "cannot follow " + name + "()");
    }
    BsonBuilder cmd;
    BsonView a0, a1, a2;
    if (name == "insertOne" || name == "insertMany") {
        bson_iter_t it;
        if (!arg(m, 0, &it)) return badArgs(name, "argument 1 is required");
        const bool many = name == "insertMany";
        if (many ? !BSON_ITER_HOLDS_ARRAY(&it) : !BSON_ITER_HOLDS_DOCUMENT(&it))
            return badArgs(name, many ? "expects an array of documents" : "expects a document");
        cmd.appendString("insert", s.target);
        cmd.appendArray("documents", [&](BsonBuilder& docs) {
            if (!many) {
                appendWithId(docs, "0", subDocument(it));
                return;
            }
            bson_iter_t d;
            bson_iter_recurse(&it, &d);
            while (bson_iter_next(&d)) {
                if (BSON_ITER_HOLDS_DOCUMENT(&d))
                    appendWithId(docs, iterKey(d), subDocument(d));
                else
                    docs.appendIter(iterKey(d), d);  // the server rejects it with its code
            }
        });
        return withDb(cmd, db);
    }
    if (name == "updateOne" || name == "updateMany" || name == "replaceOne") {
        MONGOSD_RETURN_IF_ERROR(docArg(m, 0, &a0, true));
        bson_iter_t update;
        if (!arg(m, 1, &update) ||
            !(BSON_ITER_HOLDS_DOCUMENT(&update) || BSON_ITER_HOLDS_ARRAY(&update)))
            return badArgs(name, "argument 2 must be an update document or pipeline");
        MONGOSD_RETURN_IF_ERROR(docArg(m, 2, &a2));
        cmd.appendString("update", s.target);
        cmd.appendArray("updates", [&](BsonBuilder& u) {
            u.appendDocument("0", [&](BsonBuilder& st) {
                st.appendDocument("q", a0);
                st.appendIter("u", update);
                st.appendBool("multi", name == "updateMany");
                bson_iter_t opt;
                if (a2.find("upsert", &opt)) st.appendIter("upsert", opt);
                if (a2.find("arrayFilters", &opt)) st.appendIter("arrayFilters", opt);
            });
        });
        return withDb(cmd, db);
    }
    if (name == "deleteOne" || name == "deleteMany") {
        MONGOSD_RETURN_IF_ERROR(docArg(m, 0, &a0, true));
        cmd.appendString("delete", s.target);
        cmd.appendArray("deletes", [&](BsonBuilder& d) {
            d.appendDocument("0", [&](BsonBuilder& st) {
                st.appendDocument("q", a0);
                st.appendInt32("limit", name == "deleteOne" ? 1 : 0);
            });
        });
        return withDb(cmd, db);
    }
    if (name == "aggregate") {
        bson_iter_t pipeline;
        if (!arg(m, 0, &pipeline) || !BSON_ITER_HOLDS_ARRAY(&pipeline))
            return badArgs(name, "expects an array of stages");
        cmd.appendString("aggregate", s.target);
        cmd.appendIter("pipeline", pipeline);
        cmd.appendDocument("cursor",
                           [](BsonBuilder& c) { c.appendInt32("batchSize", kShellBatchSize); });
        return withDb(cmd, db, true);
    }
    if (name == "countDocuments" || name == "count") {
        MONGOSD_RETURN_IF_ERROR(docArg(m, 0, &a0));
        cmd.appendString("count", s.target);
        cmd.appendDocument("query", a0);
        CommandPlan plan = withDb(cmd, db);
        plan.countOnly = true;
        return plan;
    }
    if (name == "estimatedDocumentCount") {
        cmd.appendString("count", s.target);
        CommandPlan plan = withDb(cmd, db);
        plan.countOnly = true;
        return plan;
    }
    if (name == "distinct") {
        bson_iter_t key;
        if (!arg(m, 0, &key) || !BSON_ITER_HOLDS_UTF8(&key))
            return badArgs(name, "expects a field name");
        MONGOSD_RETURN_IF_ERROR(docArg(m, 1, &a1));
        cmd.appendString("distinct", s.target);
        cmd.appendIter("key", key);
        cmd.appendDocument("query", a1);
        return withDb(cmd, db);
    }
    if (name == "createIndex") {
        MONGOSD_RETURN_IF_ERROR(docArg(m, 0, &a0, true));
        MONGOSD_RETURN_IF_ERROR(docArg(m, 1, &a1));
        cmd.appendString("createIndexes", s.target);
        cmd.appendArray("indexes", [&](BsonBuilder& arr) {
            arr.appendDocument("0", [&](BsonBuilder& spec) {
                spec.appendDocument("key", a0);
                spec.appendAll(a1);
            });
        });
        return withDb(cmd, db);
    }
    if (name == "getIndexes") {
        cmd.appendString("listIndexes", s.target);
        return withDb(cmd, db, true);
    }
    if (name == "dropIndex") {
        bson_iter_t index;
        if (!arg(m, 0, &index)) return badArgs(name, "expects an index name or key pattern");
        cmd.appendString("dropIndexes", s.target);
        cmd.appendIter("index", index);
        return withDb(cmd, db);
    }
    if (name == "drop") {
        cmd.appendString("drop", s.target);
        return withDb(cmd, db);
    }
    return badArgs(name, "is not a collection method the shell knows");
}

StatusWith<CommandPlan> dbCommand(const Statement& s, const std::string& db) {
    const MethodCall& m = s.chain[0];
    BsonBuilder cmd;
    if (m.name == "runCommand" || m.name == "adminCommand") {
        BsonView c;
        MONGOSD_RETURN_IF_ERROR(docArg(m, 0, &c, true));
        cmd.appendAll(c);
        return withDb(cmd, m.name == "adminCommand" ? "admin" : db);
    }
    if (m.name == "getCollectionNames") {
        cmd.appendInt32("listCollections", 1);
        cmd.appendBool("nameOnly", true);
        return withDb(cmd, db, true);
    }
    if (m.name == "dropDatabase") {
        cmd.appendInt32("dropDatabase", 1);
        return withDb(cmd, db);
    }
    return badArgs(m.name, "is not a db method the shell knows");
}

StatusWith<CommandPlan> helperCommand(const Statement& s) {
    const MethodCall& m = s.chain[0];
    const std::string name = s.target + "." + m.name;
    // helper → (command, argument shape): the argument i goes into field fields[i].
    struct Mapping {
        const char* helper;
        const char* command;
        const char* firstArgField;  // nullptr: the command's value is 1 (or the first argument)
    };
    static const Mapping kMappings[] = {
        {"sh.status", "shardingStatus", nullptr},
        {"sh.addShard", "addShard", nullptr},
        {"sh.removeShard", "removeShard", nullptr},
        {"sh.enableSharding", "enableSharding", nullptr},
        {"sh.shardCollection", "shardCollection", "key"},
        {"sh.startBalancer", "balancerStart", nullptr},
        {"sh.stopBalancer", "balancerStop", nullptr},
        {"rs.status", "replSetGetStatus", nullptr},
        {"rs.conf", "replSetGetConfig", nullptr},
        {"rs.initiate", "replSetInitiate", nullptr},
        {"rs.reconfig", "replSetReconfig", nullptr},
        {"rs.stepDown", "replSetStepDown", nullptr},
    };
    for (const auto& map : kMappings) {
        if (name != map.helper) continue;
        BsonBuilder cmd;
        bson_iter_t a;
        if (arg(m, 0, &a)) {
            cmd.appendIter(map.command, a);
        } else {
            cmd.appendInt32(map.command, 1);
        }
        if (map.firstArgField && arg(m, 1, &a)) cmd.appendIter(map.firstArgField, a);
        return withDb(cmd, "admin");
    }
    return badArgs(name, "is not a helper the shell knows");
}

}  // namespace

StatusWith<CommandPlan> commandFor(const Statement& statement, const std::string& db) {
    switch (statement.kind) {
        case Statement::Kind::kShow: {
            BsonBuilder cmd;
            if (statement.target == "dbs") {
                cmd.appendInt32("listDatabases", 1);
                return withDb(cmd, "admin");
            }
            cmd.appendInt32("listCollections", 1);
            cmd.appendBool("nameOnly", true);
            return withDb(cmd, db, true);
        }
        case Statement::Kind::kCollection:
            return collectionCommand(statement, db);
        case Statement::Kind::kDb:
            return dbCommand(statement, db);
        case Statement::Kind::kHelper:
            return helperCommand(statement);
        default:
            return Status(ErrorCodes::InternalError, "this statement runs no command");
    }
}

}  // namespace mongosd::shell
