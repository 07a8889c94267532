#include "common/net/data_api.h"

#include <charconv>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <vector>

namespace mongosd::net {
namespace {

bool find(BsonView doc, std::string_view field, bson_iter_t* out) { return doc.find(field, out); }

// Fields every action accepts (API.md); the rest are per action.
const std::set<std::string_view> kCommonFields = {"database", "collection", "dataSource",
                                                  "readPreference", "readConcern", "writeConcern",
                                                  "maxTimeMS"};

enum class FieldType { kDocument, kArray, kDocOrArray, kNumber, kBool, kString, kAny };

struct FieldRule {
    std::string_view bodyName;
    std::string_view commandName;  // "" when the action maps it by hand
    FieldType type;
};

bool typeOk(const bson_iter_t& it, FieldType t) {
    switch (t) {
        case FieldType::kDocument:
            return BSON_ITER_HOLDS_DOCUMENT(&it);
        case FieldType::kArray:
            return BSON_ITER_HOLDS_ARRAY(&it);
        case FieldType::kDocOrArray:
            return BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it);
        case FieldType::kNumber:
            return BSON_ITER_HOLDS_NUMBER(&it);
        case FieldType::kBool:
            return BSON_ITER_HOLDS_BOOL(&it);
        case FieldType::kString:
            return BSON_ITER_HOLDS_UTF8(&it);
        case FieldType::kAny:
            return true;
    }
    return false;
}

std::string_view typeName(FieldType t) {
    switch (t) {
        case FieldType::kDocument:
            return "an object";
        case FieldType::kArray:
            return "an array";
        case FieldType::kDocOrArray:
            return "an object or an array";
        case FieldType::kNumber:
            return "a number";
        case FieldType::kBool:
            return "a boolean";
        case FieldType::kString:
            return "a string";
        case FieldType::kAny:
            return "a value";
    }
    return "";
}

// Checks the body's fields against the action's rules and the common ones.
Status checkFields(std::string_view action, BsonView body, const std::vector<FieldRule>& rules) {
    bson_iter_t it;
    body.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view k = iterKey(it);
        if (kCommonFields.count(k)) continue;
        const FieldRule* rule = nullptr;
        for (const auto& r : rules)
            if (r.bodyName == k) rule = &r;
        if (!rule)
            return Status(ErrorCodes::BadValue, "unknown field '" + std::string(k) +
                                                    "' for action '" + std::string(action) + "'");
        if (!typeOk(it, rule->type))
            return Status(ErrorCodes::TypeMismatch, "field '" + std::string(k) + "' must be " +
                                                        std::string(typeName(rule->type)));
    }
    for (std::string_view required : {"database", "collection"}) {
        bson_iter_t f;
        if (!find(body, required, &f))
            return Status(ErrorCodes::BadValue, "the request body must name '" +
                                                    std::string(required) + "'");
        if (!BSON_ITER_HOLDS_UTF8(&f))
            return Status(ErrorCodes::TypeMismatch, "'" + std::string(required) + "' must be a string");
    }
    return Status::OK();
}

std::string stringField(BsonView body, std::string_view field) {
    bson_iter_t it;
    if (!find(body, field, &it) || !BSON_ITER_HOLDS_UTF8(&it)) return {};
    uint32_t n = 0;
    const char* s = bson_iter_utf8(&it, &n);
    return std::string(s, n);
}

// Copies the common options into command form: readConcern, writeConcern, maxTimeMS and
// readPreference (as $readPreference, normalised to {mode: ...}), then $db.
Status appendCommon(BsonView body, BsonBuilder& cmd) {
    bson_iter_t it;
    if (find(body, "readConcern", &it)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&it))
            return Status(ErrorCodes::TypeMismatch, "'readConcern' must be an object");
        cmd.appendIter("readConcern", it);
    }
    if (find(body, "writeConcern", &it)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&it))
            return Status(ErrorCodes::TypeMismatch, "'writeConcern' must be an object");
        cmd.appendIter("writeConcern", it);
    }
    if (find(body, "maxTimeMS", &it)) {
        if (!BSON_ITER_HOLDS_NUMBER(&it))
            return Status(ErrorCodes::TypeMismatch, "'maxTimeMS' must be a number");
        cmd.appendIter("maxTimeMS", it);
    }
    if (find(body, "readPreference", &it)) {
        if (BSON_ITER_HOLDS_UTF8(&it)) {
            std::string mode = bson_iter_utf8(&it, nullptr);
            cmd.appendDocument("$readPreference",
                               [&](BsonBuilder& rp) { rp.appendString("mode", mode); });
        } else if (BSON_ITER_HOLDS_DOCUMENT(&it)) {
            cmd.appendIter("$readPreference", it);
        } else {
            return Status(ErrorCodes::TypeMismatch, "'readPreference' must be a string or an object");
        }
    }
    cmd.appendString("$db", stringField(body, "database"));
    return Status::OK();
}

// Copies the body fields whose rule names a command field.
void appendMapped(BsonView body, const std::vector<FieldRule>& rules, BsonBuilder& cmd) {
    for (const auto& r : rules) {
        if (r.commandName.empty()) continue;
        bson_iter_t it;
        if (find(body, r.bodyName, &it)) cmd.appendIter(r.commandName, it);
    }
}

// The first batch and cursor id of a cursor reply, as {"documents": [...], "cursorId": "<id>"}.
BsonObj documentsResponse(BsonView reply) {
    BsonBuilder out;
    bson_iter_t cursor, field;
    if (find(reply, "cursor", &cursor) && BSON_ITER_HOLDS_DOCUMENT(&cursor)) {
        BsonView c = subDocument(cursor);
        if (find(c, "firstBatch", &field) || find(c, "nextBatch", &field))
            out.appendIter("documents", field);
        if (find(c, "id", &field) && bson_iter_as_int64(&field) != 0)
            out.appendString("cursorId", std::to_string(bson_iter_as_int64(&field)));
    }
    return out.obj();
}

int64_t int64Field(BsonView doc, std::string_view field) {
    bson_iter_t it;
    return find(doc, field, &it) && BSON_ITER_HOLDS_NUMBER(&it) ? bson_iter_as_int64(&it) : 0;
}

void copyIfPresent(BsonView from, std::string_view field, BsonBuilder& to,
                   std::string_view as = {}) {
    bson_iter_t it;
    if (find(from, field, &it)) to.appendIter(as.empty() ? field : as, it);
}

// An action given by a build function and a render function.
class TableAction final : public DataAction {
public:
    using Build = std::function<Status(BsonView body, BsonBuilder& cmd)>;
    using Render = std::function<void(BsonView cmd, BsonView reply, BsonBuilder& out)>;

    TableAction(std::string name, std::vector<FieldRule> rules, Build build, Render render)
        : _name(std::move(name)), _rules(std::move(rules)), _build(std::move(build)),
          _render(std::move(render)) {}

    StatusWith<BsonObj> toCommand(BsonView body) const override {
        MONGOSD_RETURN_IF_ERROR(checkFields(_name, body, _rules));
        BsonBuilder cmd;
        MONGOSD_RETURN_IF_ERROR(_build(body, cmd));
        appendMapped(body, _rules, cmd);
        MONGOSD_RETURN_IF_ERROR(appendCommon(body, cmd));
        return cmd.obj();
    }
    BsonObj toResponse(BsonView cmd, BsonView reply) const override {
        BsonBuilder out;
        _render(cmd, reply, out);
        if (bson_iter_t wce; find(reply, "writeConcernError", &wce))
            out.appendIter("writeConcernError", wce);
        return out.obj();
    }

private:
    std::string _name;
    std::vector<FieldRule> _rules;
    Build _build;
    Render _render;
};

void appendOidFirst(BsonView doc, BsonBuilder& out) {
    // Generates _id here, as drivers do, so the response can name it.
    if (doc.hasField("_id")) {
        out.appendAll(doc);
        return;
    }
    bson_oid_t oid;
    bson_oid_init(&oid, nullptr);
    out.appendOid("_id", oid);
    out.appendAll(doc);
}

Status buildInsert(BsonView body, BsonBuilder& cmd, bool many) {
    cmd.appendString("insert", stringField(body, "collection"));
    bson_iter_t it;
    if (!find(body, many ? "documents" : "document", &it))
        return Status(ErrorCodes::BadValue, std::string("the request body must name '") +
                                                (many ? "documents" : "document") + "'");
    Status st = Status::OK();
    cmd.appendArray("documents", [&](BsonBuilder& arr) {
        char buf[16];
        if (!many) {
            arr.appendDocument("0", [&](BsonBuilder& d) { appendOidFirst(subDocument(it), d); });
            return;
        }
        bson_iter_t elem;
        bson_iter_recurse(&it, &elem);
        uint32_t i = 0;
        while (bson_iter_next(&elem)) {
            if (!BSON_ITER_HOLDS_DOCUMENT(&elem)) {
                st = Status(ErrorCodes::TypeMismatch, "each of 'documents' must be an object");
                return;
            }
            arr.appendDocument(arrayIndexKey(i++, buf),
                               [&](BsonBuilder& d) { appendOidFirst(subDocument(elem), d); });
        }
        if (i == 0) st = Status(ErrorCodes::BadValue, "'documents' must not be empty");
    });
    return st;
}

// {key: v} from {"": v}.
BsonObj renamed(const BsonObj& holder, std::string_view key) {
    bson_iter_t v;
    holder.view().iterInit(&v);
    bson_iter_next(&v);
    BsonBuilder b;
    b.appendIter(key, v);
    return b.obj();
}

// The _ids of the inserted documents: all of them, less those with write errors (and, when
// ordered, everything after the first error).
void renderInsertedIds(BsonView cmd, BsonView reply, BsonBuilder& out, bool many) {
    std::set<int64_t> failed;
    int64_t firstFailure = INT64_MAX;
    bson_iter_t errs;
    if (find(reply, "writeErrors", &errs) && BSON_ITER_HOLDS_ARRAY(&errs)) {
        bson_iter_t e;
        bson_iter_recurse(&errs, &e);
        while (bson_iter_next(&e)) {
            int64_t idx = int64Field(subDocument(e), "index");
            failed.insert(idx);
            firstFailure = std::min(firstFailure, idx);
        }
    }
    bool ordered = true;
    if (bson_iter_t o; find(cmd, "ordered", &o)) ordered = bson_iter_as_bool(&o);
    bson_iter_t docs;
    find(cmd, "documents", &docs);
    bson_iter_t d;
    bson_iter_recurse(&docs, &d);
    // Copies, not iterators: bson_iter_t is over-aligned (128) and cannot live in an array.
    std::vector<BsonObj> ids;
    int64_t idx = 0;
    while (bson_iter_next(&d)) {
        bool ok = !failed.count(idx) && !(ordered && idx > firstFailure);
        bson_iter_t id;
        if (ok && find(subDocument(d), "_id", &id)) ids.push_back(copyValue(id));
        ++idx;
    }
    if (!many) {
        if (!ids.empty()) out.appendAll(renamed(ids[0], "insertedId"));
        return;
    }
    out.appendArray("insertedIds", [&](BsonBuilder& arr) {
        char buf[16];
        uint32_t i = 0;
        for (const auto& id : ids) arr.appendAll(renamed(id, arrayIndexKey(i++, buf)));
    });
}

Status buildUpdate(BsonView body, BsonBuilder& cmd, bool multi, bool replace) {
    cmd.appendString("update", stringField(body, "collection"));
    bson_iter_t u;
    const char* field = replace ? "replacement" : "update";
    if (!find(body, field, &u))
        return Status(ErrorCodes::BadValue, std::string("the request body must name '") + field + "'");
    if (replace) {
        std::string_view first = subDocument(u).firstFieldName();
        if (!first.empty() && first[0] == '$')
            return Status(ErrorCodes::BadValue, "a replacement document must not contain update "
                                                "operators");
    } else if (BSON_ITER_HOLDS_DOCUMENT(&u)) {
        std::string_view first = subDocument(u).firstFieldName();
        if (first.empty() || first[0] != '$')
            return Status(ErrorCodes::BadValue, "an update document must contain only update "
                                                "operators (use replaceOne to replace a document)");
    }
    cmd.appendArray("updates", [&](BsonBuilder& arr) {
        arr.appendDocument("0", [&](BsonBuilder& s) {
            bson_iter_t f;
            if (find(body, "filter", &f))
                s.appendIter("q", f);
            else
                s.appendDocument("q", BsonView());
            s.appendIter("u", u);
            s.appendBool("multi", multi);
            if (find(body, "upsert", &f)) s.appendIter("upsert", f);
            if (find(body, "arrayFilters", &f)) s.appendIter("arrayFilters", f);
            if (find(body, "hint", &f)) s.appendIter("hint", f);
        });
    });
    return Status::OK();
}

void renderUpdate(BsonView, BsonView reply, BsonBuilder& out) {
    int64_t n = int64Field(reply, "n");
    bson_iter_t upserted, id;
    bool didUpsert = false;
    if (find(reply, "upserted", &upserted) && BSON_ITER_HOLDS_ARRAY(&upserted)) {
        bson_iter_t first;
        bson_iter_recurse(&upserted, &first);
        if (bson_iter_next(&first) && find(subDocument(first), "_id", &id)) didUpsert = true;
    }
    out.appendInt64("matchedCount", didUpsert ? n - 1 : n);
    out.appendInt64("modifiedCount", int64Field(reply, "nModified"));
    if (didUpsert) out.appendIter("upsertedId", id);
}

Status buildFindAndModify(BsonView body, BsonBuilder& cmd, std::string_view kind) {
    cmd.appendString("findAndModify", stringField(body, "collection"));
    bson_iter_t f;
    if (find(body, "filter", &f)) cmd.appendIter("query", f);
    if (kind == "delete") {
        cmd.appendBool("remove", true);
    } else {
        const char* field = kind == "update" ? "update" : "replacement";
        if (!find(body, field, &f))
            return Status(ErrorCodes::BadValue, std::string("the request body must name '") + field + "'");
        cmd.appendIter("update", f);
        bson_iter_t rd;
        if (find(body, "returnDocument", &rd)) {
            std::string v = BSON_ITER_HOLDS_UTF8(&rd) ? bson_iter_utf8(&rd, nullptr) : "";
            if (v != "before" && v != "after")
                return Status(ErrorCodes::BadValue,
                              "returnDocument must be \"before\" or \"after\"");
            cmd.appendBool("new", v == "after");
        }
    }
    return Status::OK();
}

void renderDocument(BsonView, BsonView reply, BsonBuilder& out) {
    bson_iter_t v;
    if (find(reply, "value", &v) && BSON_ITER_HOLDS_DOCUMENT(&v))
        out.appendIter("document", v);
    else
        out.appendNull("document");
}

std::map<std::string, std::unique_ptr<DataAction>, std::less<>> buildTable() {
    using FT = FieldType;
    std::map<std::string, std::unique_ptr<DataAction>, std::less<>> t;
    auto add = [&](std::string name, std::vector<FieldRule> rules, TableAction::Build b,
                   TableAction::Render r) {
        t.emplace(name, std::make_unique<TableAction>(name, std::move(rules), std::move(b),
                                                      std::move(r)));
    };
    auto coll = [](std::string_view cmdName) {
        return [cmdName](BsonView body, BsonBuilder& cmd) {
            cmd.appendString(cmdName, stringField(body, "collection"));
            return Status::OK();
        };
    };

    add("findOne",
        {{"filter", "filter", FT::kDocument}, {"projection", "projection", FT::kDocument},
         {"sort", "sort", FT::kDocument}, {"skip", "skip", FT::kNumber}},
        [](BsonView body, BsonBuilder& cmd) {
            cmd.appendString("find", stringField(body, "collection"));
            cmd.appendInt32("limit", 1);
            cmd.appendBool("singleBatch", true);
            return Status::OK();
        },
        [](BsonView, BsonView reply, BsonBuilder& out) {
            bson_iter_t c, b, first;
            if (find(reply, "cursor", &c) && find(subDocument(c), "firstBatch", &b) &&
                bson_iter_recurse(&b, &first) && bson_iter_next(&first))
                out.appendIter("document", first);
            else
                out.appendNull("document");
        });
    add("find",
        {{"filter", "filter", FT::kDocument}, {"projection", "projection", FT::kDocument},
         {"sort", "sort", FT::kDocument}, {"limit", "limit", FT::kNumber},
         {"skip", "skip", FT::kNumber}, {"batchSize", "", FT::kNumber},
         {"hint", "hint", FT::kAny}},
        [](BsonView body, BsonBuilder& cmd) {
            cmd.appendString("find", stringField(body, "collection"));
            // Default: one batch of up to 16 MiB (API.md), so no document-count cap.
            bson_iter_t bs;
            if (find(body, "batchSize", &bs))
                cmd.appendIter("batchSize", bs);
            else
                cmd.appendInt64("batchSize", INT32_MAX);
            return Status::OK();
        },
        [](BsonView, BsonView reply, BsonBuilder& out) { out.appendAll(documentsResponse(reply)); });
    add("getMore", {{"cursorId", "", FT::kAny}, {"batchSize", "batchSize", FT::kNumber}},
        [](BsonView body, BsonBuilder& cmd) {
            bson_iter_t id;
            int64_t cursorId = 0;
            if (!find(body, "cursorId", &id))
                return Status(ErrorCodes::BadValue, "the request body must name 'cursorId'");
            if (BSON_ITER_HOLDS_UTF8(&id)) {
                uint32_t n = 0;
                const char* s = bson_iter_utf8(&id, &n);
                auto [p, ec] = std::from_chars(s, s + n, cursorId);
                if (ec != std::errc() || p != s + n)
                    return Status(ErrorCodes::BadValue, "'cursorId' must be a decimal string");
            } else if (BSON_ITER_HOLDS_INT32(&id) || BSON_ITER_HOLDS_INT64(&id)) {
                cursorId = bson_iter_as_int64(&id);
            } else {
                return Status(ErrorCodes::TypeMismatch, "'cursorId' must be a string");
            }
            cmd.appendInt64("getMore", cursorId);
            cmd.appendString("collection", stringField(body, "collection"));
            return Status::OK();
        },
        [](BsonView, BsonView reply, BsonBuilder& out) { out.appendAll(documentsResponse(reply)); });
    add("insertOne", {{"document", "", FT::kDocument}},
        [](BsonView body, BsonBuilder& cmd) { return buildInsert(body, cmd, false); },
        [](BsonView cmd, BsonView reply, BsonBuilder& out) {
            renderInsertedIds(cmd, reply, out, false);
        });
    add("insertMany", {{"documents", "", FT::kArray}, {"ordered", "ordered", FT::kBool}},
        [](BsonView body, BsonBuilder& cmd) { return buildInsert(body, cmd, true); },
        [](BsonView cmd, BsonView reply, BsonBuilder& out) {
            renderInsertedIds(cmd, reply, out, true);
        });
    std::vector<FieldRule> updateRules = {{"filter", "", FT::kDocument},
                                          {"update", "", FT::kDocOrArray},
                                          {"upsert", "", FT::kBool},
                                          {"arrayFilters", "", FT::kArray},
                                          {"hint", "", FT::kAny}};
    add("updateOne", updateRules,
        [](BsonView body, BsonBuilder& cmd) { return buildUpdate(body, cmd, false, false); },
        renderUpdate);
    add("updateMany", updateRules,
        [](BsonView body, BsonBuilder& cmd) { return buildUpdate(body, cmd, true, false); },
        renderUpdate);
    add("replaceOne",
        {{"filter", "", FT::kDocument}, {"replacement", "", FT::kDocument}, {"upsert", "", FT::kBool}},
        [](BsonView body, BsonBuilder& cmd) { return buildUpdate(body, cmd, false, true); },
        renderUpdate);
    for (bool many : {false, true}) {
        add(many ? "deleteMany" : "deleteOne", {{"filter", "", FT::kDocument}},
            [many](BsonView body, BsonBuilder& cmd) {
                cmd.appendString("delete", stringField(body, "collection"));
                cmd.appendArray("deletes", [&](BsonBuilder& arr) {
                    arr.appendDocument("0", [&](BsonBuilder& s) {
                        bson_iter_t f;
                        if (find(body, "filter", &f))
                            s.appendIter("q", f);
                        else
                            s.appendDocument("q", BsonView());
                        s.appendInt32("limit", many ? 0 : 1);
                    });
                });
                return Status::OK();
            },
            [](BsonView, BsonView reply, BsonBuilder& out) {
                out.appendInt64("deletedCount", int64Field(reply, "n"));
            });
    }
    std::vector<FieldRule> famBase = {{"filter", "", FT::kDocument},
                                      {"projection", "fields", FT::kDocument},
                                      {"sort", "sort", FT::kDocument}};
    auto famRules = [&](std::vector<FieldRule> extra) {
        auto r = famBase;
        r.insert(r.end(), extra.begin(), extra.end());
        return r;
    };
    add("findOneAndUpdate",
        famRules({{"update", "", FT::kDocOrArray}, {"upsert", "upsert", FT::kBool},
                  {"returnDocument", "", FT::kString}, {"arrayFilters", "arrayFilters", FT::kArray}}),
        [](BsonView body, BsonBuilder& cmd) { return buildFindAndModify(body, cmd, "update"); },
        renderDocument);
    add("findOneAndReplace",
        famRules({{"replacement", "", FT::kDocument}, {"upsert", "upsert", FT::kBool},
                  {"returnDocument", "", FT::kString}}),
        [](BsonView body, BsonBuilder& cmd) { return buildFindAndModify(body, cmd, "replace"); },
        renderDocument);
    add("findOneAndDelete", famBase,
        [](BsonView body, BsonBuilder& cmd) { return buildFindAndModify(body, cmd, "delete"); },
        renderDocument);
    add("aggregate", {{"pipeline", "pipeline", FT::kArray}, {"batchSize", "", FT::kNumber}},
        [](BsonView body, BsonBuilder& cmd) {
            cmd.appendString("aggregate", stringField(body, "collection"));
            bson_iter_t bs;
            bool has = find(body, "batchSize", &bs);
            cmd.appendDocument("cursor", [&](BsonBuilder& c) {
                if (has)
                    c.appendIter("batchSize", bs);
                else
                    c.appendInt64("batchSize", INT32_MAX);
            });
            if (!body.hasField("pipeline"))
                return Status(ErrorCodes::BadValue, "the request body must name 'pipeline'");
            return Status::OK();
        },
        [](BsonView, BsonView reply, BsonBuilder& out) { out.appendAll(documentsResponse(reply)); });
    add("countDocuments",
        {{"filter", "query", FT::kDocument}, {"skip", "skip", FT::kNumber},
         {"limit", "limit", FT::kNumber}},
        coll("count"),
        [](BsonView, BsonView reply, BsonBuilder& out) { out.appendInt64("count", int64Field(reply, "n")); });
    add("estimatedDocumentCount", {}, coll("count"),
        [](BsonView, BsonView reply, BsonBuilder& out) { out.appendInt64("count", int64Field(reply, "n")); });
    add("distinct", {{"key", "key", FT::kString}, {"filter", "query", FT::kDocument}},
        [](BsonView body, BsonBuilder& cmd) {
            cmd.appendString("distinct", stringField(body, "collection"));
            if (!body.hasField("key"))
                return Status(ErrorCodes::BadValue, "the request body must name 'key'");
            return Status::OK();
        },
        [](BsonView, BsonView reply, BsonBuilder& out) { copyIfPresent(reply, "values", out); });
    return t;
}

}  // namespace

const DataAction* findDataAction(std::string_view name) {
    static const auto table = buildTable();
    auto it = table.find(name);
    return it == table.end() ? nullptr : it->second.get();
}

}  // namespace mongosd::net
