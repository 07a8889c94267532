// The PostgreSQL backend, in the shape of YCSB's postgrenosql binding: one table
// usertable(YCSB_KEY varchar primary key, YCSB_VALUE jsonb), prepared statements over libpq:
//   read   SELECT YCSB_VALUE FROM t WHERE YCSB_KEY = $1
//   scan   SELECT YCSB_KEY, YCSB_VALUE FROM t WHERE YCSB_KEY >= $1 ORDER BY YCSB_KEY LIMIT $2
//   update UPDATE t SET YCSB_VALUE = YCSB_VALUE || $2::jsonb WHERE YCSB_KEY = $1
//   insert INSERT INTO t (YCSB_KEY, YCSB_VALUE) VALUES ($1, $2::jsonb)
// Durability per session: SET synchronous_commit = on (durable) | off (relaxed).
// Returned values are parsed as JSON and their fields counted, as the mongosd HTTP backend does.

#include <libpq-fe.h>

#include <memory>

#include "bench/ycsb/db.h"
#include "common/json/ejson.h"

namespace mongosd::ycsb {
namespace {

struct PgResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

struct PgConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};

void appendJsonString(std::string_view s, std::string& out) {
    out.push_back('"');
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char kHex[] = "0123456789abcdef";
            out.append("\\u00");
            out.push_back(kHex[(c >> 4) & 0xf]);
            out.push_back(kHex[c & 0xf]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

std::string fieldsAsJson(const Fields& values) {
    std::string json = "{";
    for (const auto& [name, value] : values) {
        if (json.size() > 1) json.push_back(',');
        appendJsonString(name, json);
        json.push_back(':');
        appendJsonString(value, json);
    }
    json.push_back('}');
    return json;
}

// A quoted SQL identifier would be safer, but YCSB's table names are plain words: refuse others.
bool isPlainIdentifier(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
}

class PostgresDb final : public Db {
public:
    explicit PostgresDb(const DbOptions& options) : _options(options) {}

    Status init() override {
        _conn.reset(PQconnectdb(_options.pgConnInfo.c_str()));
        if (!_conn || PQstatus(_conn.get()) != CONNECTION_OK)
            return Status(ErrorCodes::HostUnreachable,
                          "PostgreSQL connection failed: " + lastError());
        return exec(synchronousCommitSql());
    }

    Status prepareLoad(const std::string& table) override {
        MONGOSD_RETURN_IF_ERROR(checkTable(table));
        return exec("CREATE TABLE IF NOT EXISTS " + table +
                    " (YCSB_KEY VARCHAR(255) PRIMARY KEY NOT NULL, YCSB_VALUE JSONB NOT NULL)");
    }

    Status read(const std::string& table, const std::string& key) override {
        MONGOSD_RETURN_IF_ERROR(prepareOnce(table));
        const char* params[] = {key.c_str()};
        auto r = execPrepared("read", 1, params, PGRES_TUPLES_OK);
        if (!r.isOK()) return r.getStatus();
        if (PQntuples(r.getValue().get()) == 0)
            return Status(ErrorCodes::NoSuchKey, "no record " + key);
        return checkValue(r.getValue().get(), 0, 0);
    }

    Status scan(const std::string& table, const std::string& startKey, uint64_t count,
                uint64_t* found) override {
        MONGOSD_RETURN_IF_ERROR(prepareOnce(table));
        std::string limit = std::to_string(count);
        const char* params[] = {startKey.c_str(), limit.c_str()};
        auto r = execPrepared("scan", 2, params, PGRES_TUPLES_OK);
        if (!r.isOK()) return r.getStatus();
        int rows = PQntuples(r.getValue().get());
        for (int i = 0; i < rows; ++i)
            MONGOSD_RETURN_IF_ERROR(checkValue(r.getValue().get(), i, 1));
        *found = static_cast<uint64_t>(rows);
        return Status::OK();
    }

    Status update(const std::string& table, const std::string& key, const Fields& values) override {
        MONGOSD_RETURN_IF_ERROR(prepareOnce(table));
        std::string patch = fieldsAsJson(values);
        const char* params[] = {key.c_str(), patch.c_str()};
        auto r = execPrepared("update", 2, params, PGRES_COMMAND_OK);
        if (!r.isOK()) return r.getStatus();
        if (std::string_view(PQcmdTuples(r.getValue().get())) != "1")
            return Status(ErrorCodes::NoSuchKey, "no record " + key);
        return Status::OK();
    }

    Status insert(const std::string& table, const std::string& key, const Fields& values) override {
        MONGOSD_RETURN_IF_ERROR(prepareOnce(table));
        std::string value = fieldsAsJson(values);
        const char* params[] = {key.c_str(), value.c_str()};
        auto r = execPrepared("insert", 2, params, PGRES_COMMAND_OK);
        return r.isOK() ? Status::OK() : r.getStatus();
    }

private:
    std::string lastError() const {
        std::string e = _conn ? PQerrorMessage(_conn.get()) : "out of memory";
        while (!e.empty() && e.back() == '\n') e.pop_back();
        return e;
    }

    Status checkTable(const std::string& table) {
        if (!isPlainIdentifier(table))
            return Status(ErrorCodes::BadValue, "table name must be [A-Za-z0-9_]+: " + table);
        return Status::OK();
    }

    Status exec(const std::string& sql) {
        PgResult r(PQexec(_conn.get(), sql.c_str()));
        auto st = PQresultStatus(r.get());
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
            return Status(ErrorCodes::OperationFailed, sql + ": " + lastError());
        return Status::OK();
    }

    Status prepare(const char* name, const std::string& sql, int params) {
        PgResult r(PQprepare(_conn.get(), name, sql.c_str(), params, nullptr));
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
            return Status(ErrorCodes::OperationFailed, "PREPARE " + sql + ": " + lastError());
        return Status::OK();
    }

    // Statements are prepared per connection on first use (the table must exist by then).
    Status prepareOnce(const std::string& table) {
        if (_preparedFor == table) return Status::OK();
        if (!_preparedFor.empty()) return Status(ErrorCodes::BadValue, "one table per connection");
        MONGOSD_RETURN_IF_ERROR(checkTable(table));
        MONGOSD_RETURN_IF_ERROR(
            prepare("read", "SELECT YCSB_VALUE FROM " + table + " WHERE YCSB_KEY = $1", 1));
        MONGOSD_RETURN_IF_ERROR(prepare("scan",
                                        "SELECT YCSB_KEY, YCSB_VALUE FROM " + table +
                                            " WHERE YCSB_KEY >= $1 ORDER BY YCSB_KEY LIMIT $2",
                                        2));
        MONGOSD_RETURN_IF_ERROR(prepare(
            "update",
            "UPDATE " + table + " SET YCSB_VALUE = YCSB_VALUE || $2::jsonb WHERE YCSB_KEY = $1",
            2));
        MONGOSD_RETURN_IF_ERROR(
            prepare("insert",
                    "INSERT INTO " + table + " (YCSB_KEY, YCSB_VALUE) VALUES ($1, $2::jsonb)", 2));
        _preparedFor = table;
        return Status::OK();
    }

    StatusWith<PgResult> execPrepared(const char* name, int n, const char* const* params,
                                      ExecStatusType expected) {
        PgResult r(PQexecPrepared(_conn.get(), name, n, params, nullptr, nullptr, 0));
        if (PQresultStatus(r.get()) == expected) return r;
        std::string error = lastError();
        if (PQstatus(_conn.get()) != CONNECTION_OK) reconnect();
        const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
        // 23505: unique_violation, MongoDB's DuplicateKey.
        auto code = state && std::string_view(state) == "23505" ? ErrorCodes::DuplicateKey
                                                                : ErrorCodes::OperationFailed;
        return Status(code, std::string(name) + ": " + error);
    }

    // A lost connection comes back without its session: prepare and SET again. Failures show
    // up on the next operation.
    void reconnect() {
        PQreset(_conn.get());
        _preparedFor.clear();
        if (PQstatus(_conn.get()) == CONNECTION_OK) (void)exec(synchronousCommitSql());
    }

    std::string synchronousCommitSql() const {
        return std::string("SET synchronous_commit = ") +
               (_options.durability == Durability::kDurable ? "on" : "off");
    }

    // The jsonb value at (row, column) must hold fieldCount fields.
    Status checkValue(PGresult* r, int row, int column) {
        std::string_view text(PQgetvalue(r, row, column),
                              static_cast<size_t>(PQgetlength(r, row, column)));
        auto doc = json::parseJsonObject(text);
        if (!doc.isOK()) return doc.getStatus().withContext("YCSB_VALUE");
        bson_iter_t it;
        int n = 0;
        doc.getValue().view().iterInit(&it);
        while (bson_iter_next(&it)) ++n;
        if (n != _options.fieldCount)
            return Status(ErrorCodes::OperationFailed, "record lacks fields");
        return Status::OK();
    }

    DbOptions _options;
    std::unique_ptr<PGconn, PgConnDeleter> _conn;
    std::string _preparedFor;
};

}  // namespace

std::unique_ptr<Db> makePostgresDb(const DbOptions& options) {
    return std::make_unique<PostgresDb>(options);
}

}  // namespace mongosd::ycsb
