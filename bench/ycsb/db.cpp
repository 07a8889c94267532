#include "bench/ycsb/db.h"

#include "bench/ycsb/http_connection.h"

namespace mongosd::ycsb {

StatusWith<std::unique_ptr<Db>> makeDb(const DbOptions& options) {
    if (options.kind == "mongosd-http") {
        auto endpoint = parseHttpUrl(options.url);
        if (!endpoint.isOK()) return endpoint.getStatus();
        return makeMongosdDb(options);
    }
    if (options.kind == "mongosd-wire") return makeMongosdDb(options);
    if (options.kind == "postgres") return makePostgresDb(options);
    return Status(ErrorCodes::BadValue,
                  "unknown --db '" + options.kind + "' (mongosd-http, mongosd-wire, postgres)");
}

}  // namespace mongosd::ycsb
