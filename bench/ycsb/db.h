#pragma once
// The interface a YCSB backend implements (YCSB's DB class), and the options that pick one.
// A Db is one connection, used by one client thread; the runner makes one per thread.
//
// Results: OK, NoSuchKey for a read/update whose key is absent (YCSB's NOT_FOUND), anything else
// is an error (YCSB's ERROR). Reads verify that every field came back.

#include <cstdint>
#include <memory>
#include <string>

#include "bench/ycsb/workload.h"
#include "common/status.h"

namespace mongosd::ycsb {

enum class Durability {
    kDurable,  // acknowledged writes are on disk: mongosd j:true, PostgreSQL synchronous_commit=on
    kRelaxed,  // acknowledged before the sync: mongosd j:false, synchronous_commit=off
};

struct DbOptions {
    std::string kind;                // mongosd-http | mongosd-wire | postgres
    std::string url;                 // mongosd-http: http://127.0.0.1:8080
    std::string host = "127.0.0.1";  // mongosd-wire
    uint16_t port = 27017;           // mongosd-wire
    std::string pgConnInfo;          // postgres: libpq connection string
    std::string database = "ycsb";   // mongosd database name
    Durability durability = Durability::kDurable;
    int fieldCount = 10;  // what a read must return
};

class Db {
public:
    virtual ~Db() = default;

    // Connects. Called once, on the thread that will use the Db.
    virtual Status init() = 0;
    // Creates what a load needs (PostgreSQL's table). Called once per load, on one Db, before
    // any thread inserts.
    virtual Status prepareLoad(const std::string& table) { return Status::OK(); }

    // Reads all fields of one record.
    virtual Status read(const std::string& table, const std::string& key) = 0;
    // Reads up to `count` records from startKey on in key order; *found is how many came back.
    virtual Status scan(const std::string& table, const std::string& startKey, uint64_t count,
                        uint64_t* found) = 0;
    virtual Status update(const std::string& table, const std::string& key,
                          const Fields& values) = 0;
    virtual Status insert(const std::string& table, const std::string& key,
                          const Fields& values) = 0;
};

// BadValue for an unknown kind. The Db is not connected yet.
StatusWith<std::unique_ptr<Db>> makeDb(const DbOptions& options);

// The two backend families (mongosd_db.cpp, postgres_db.cpp).
std::unique_ptr<Db> makeMongosdDb(const DbOptions& options);
std::unique_ptr<Db> makePostgresDb(const DbOptions& options);

}  // namespace mongosd::ycsb
