// Smoke tests: build/bin/ycsb loads and runs tiny workloads against a real mongosd (both
// transports) and, when PostgreSQL 15's binaries are installed, a throwaway PostgreSQL cluster.
// They check the summary has no errors and the operation counts add up, not any speed.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/json/ejson.h"
#include "tests/support/server_process.h"

namespace mongosd::ycsb {
namespace {

namespace fs = std::filesystem;

std::string ycsbBinary() {
    return (fs::path(test::ServerProcess::binaryPath()).parent_path() / "ycsb").string();
}

struct CommandResult {
    int exitCode = -1;
    std::string out;
};

CommandResult runShell(const std::string& command) {
    CommandResult r;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return r;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
    int status = pclose(pipe);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

int64_t intAt(BsonView doc, const char* dottedPath) {
    bson_iter_t it, found;
    if (!doc.iterInit(&it) || !bson_iter_find_descendant(&it, dottedPath, &found)) return -1;
    return bson_iter_as_int64(&found);
}

// Runs `ycsb <phase> ... --json` and returns its JSON object as BSON (fails the test otherwise).
BsonObj runYcsb(const std::string& phase, const std::string& args) {
    CommandResult r = runShell(ycsbBinary() + " " + phase + " " + args + " --json");
    EXPECT_EQ(r.exitCode, 0) << r.out;
    // stderr is merged in: the JSON object is the last line.
    size_t start = r.out.rfind("\n{");
    std::string json = r.out.substr(start == std::string::npos ? 0 : start + 1);
    auto doc = json::parseJsonObject(json);
    EXPECT_TRUE(doc.isOK()) << r.out;
    return doc.isOK() ? doc.getValue() : BsonObj();
}

// Loads 300 records, then runs A (read/update), E (scan/insert) and F (read-modify-write).
void loadAndRun(const std::string& target) {
    std::string common = target + " --threads 3 --records 300 --seed 5";
    BsonObj load = runYcsb("load", common + " -w a");
    EXPECT_EQ(intAt(load, "operations"), 300);
    EXPECT_EQ(intAt(load, "errors"), 0);
    EXPECT_EQ(intAt(load, "operationsByType.INSERT.returns.OK"), 300);

    BsonObj a = runYcsb("run", common + " -w a --ops 400");
    EXPECT_EQ(intAt(a, "operations"), 400);
    EXPECT_EQ(intAt(a, "errors"), 0);
    EXPECT_EQ(intAt(a, "operationsByType.READ.returns.OK") +
                  intAt(a, "operationsByType.UPDATE.returns.OK"),
              400);

    BsonObj e = runYcsb("run", common + " -w e --ops 200");
    EXPECT_EQ(intAt(e, "errors"), 0);
    int64_t inserts = intAt(e, "operationsByType.INSERT.returns.OK");
    EXPECT_EQ(intAt(e, "operationsByType.SCAN.returns.OK") + std::max<int64_t>(inserts, 0), 200);

    BsonObj f = runYcsb("run", common + " -w f --ops 200 --durability relaxed");
    EXPECT_EQ(intAt(f, "errors"), 0);
    int64_t rmw = intAt(f, "operationsByType.READ-MODIFY-WRITE.returns.OK");
    EXPECT_GT(rmw, 0);
    EXPECT_EQ(intAt(f, "operationsByType.UPDATE.returns.OK"), rmw);
    EXPECT_EQ(intAt(f, "operationsByType.READ.returns.OK"), 200);
}

// Loading the same records twice: every insert of the second load is a DuplicateKey error,
// counted as ERROR, sampled with its reason, and the command exits 3.
void expectDuplicateKeysReported(const std::string& target) {
    std::string load = ycsbBinary() + " load " + target + " --records 20 --threads 2 --json";
    CommandResult first = runShell(load);
    ASSERT_EQ(first.exitCode, 0) << first.out;
    CommandResult second = runShell(load);
    EXPECT_EQ(second.exitCode, 3) << second.out;
    auto doc = json::parseJsonObject(second.out.substr(second.out.rfind("\n{") + 1));
    ASSERT_TRUE(doc.isOK()) << second.out;
    EXPECT_EQ(intAt(doc.getValue(), "errors"), 20);
    EXPECT_EQ(intAt(doc.getValue(), "operationsByType.INSERT.returns.ERROR"), 20);
    EXPECT_NE(second.out.find("DuplicateKey"), std::string::npos) << second.out;
}

TEST(YcsbSmoke, MongosdOverTheBinaryProtocol) {
    test::TempDir dir;
    test::ServerProcess server(dir.path() + "/db");
    loadAndRun("--db mongosd-wire --host 127.0.0.1 --port " + std::to_string(server.port()));
}

TEST(YcsbSmoke, MongosdOverHttp) {
    test::TempDir dir;
    test::ServerProcess server(dir.path() + "/db");
    loadAndRun("--db mongosd-http --url http://127.0.0.1:" + std::to_string(server.httpPort()));
    expectDuplicateKeysReported("--db mongosd-http --url http://127.0.0.1:" +
                                std::to_string(server.httpPort()) + " --database dup");
}

TEST(YcsbSmoke, SummaryLinesAndFailureExit) {
    test::TempDir dir;
    test::ServerProcess server(dir.path() + "/db");
    std::string target = "--db mongosd-wire --port " + std::to_string(server.port());
    // Nothing loaded: every read is NOT_FOUND, which is reported and fails the command.
    CommandResult r = runShell(ycsbBinary() + " run " + target + " -w c --ops 50");
    EXPECT_EQ(r.exitCode, 3) << r.out;
    EXPECT_NE(r.out.find("[OVERALL], Throughput(ops/sec), "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[READ], Return=NOT_FOUND, 50"), std::string::npos) << r.out;
    // Nobody listening: a connection error, exit 1.
    server.stop();
    r = runShell(ycsbBinary() + " run " + target + " -w c --ops 50");
    EXPECT_EQ(r.exitCode, 1) << r.out;
}

// A throwaway PostgreSQL 15 cluster in a temp dir, on a free loopback port; stopped and removed
// by the destructor. As root, the server runs as the `postgres` user (it refuses root).
class PostgresCluster {
public:
    static constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

    // Empty when it started; else why not (the test skips).
    std::string start() {
        if (!fs::exists(std::string(kBin) + "/initdb")) return "PostgreSQL 15 is not installed";
        if (geteuid() == 0) {
            passwd* pw = getpwnam("postgres");
            if (!pw) return "running as root and there is no postgres user";
            _asUser = "runuser -u postgres -- ";
            if (chown(_dir.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) return "chown failed";
        }
        _port = freePort();
        std::string data = _dir.path() + "/data";
        auto r = runShell(_asUser + kBin + "/initdb -D " + data +
                          " -U ycsb -A trust --no-sync -E UTF8 --locale=C");
        if (r.exitCode != 0) return "initdb failed: " + r.out;
        std::string opts =
            "-c listen_addresses=127.0.0.1 -c unix_socket_directories=" + _dir.path() + " -p " +
            std::to_string(_port);
        r = runShell(_asUser + kBin + "/pg_ctl -D " + data + " -l " + _dir.path() +
                     "/log -w -t 60 -o '" + opts + "' start");
        if (r.exitCode != 0) return "pg_ctl start failed: " + r.out;
        _started = true;
        return "";
    }

    ~PostgresCluster() {
        if (_started)
            runShell(_asUser + kBin + "/pg_ctl -D " + _dir.path() + "/data -m immediate -w stop");
    }

    std::string connInfo() const {
        return "host=127.0.0.1 port=" + std::to_string(_port) + " dbname=postgres user=ycsb";
    }

private:
    static int freePort() {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(addr);
        bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        int port = ntohs(addr.sin_port);
        close(fd);
        return port;
    }

    test::TempDir _dir;
    std::string _asUser;
    int _port = 0;
    bool _started = false;
};

TEST(YcsbSmoke, Postgres) {
    PostgresCluster pg;
    std::string why = pg.start();
    if (!why.empty()) GTEST_SKIP() << why;
    loadAndRun("--db postgres --pg '" + pg.connInfo() + "'");
    expectDuplicateKeysReported("--db postgres --pg '" + pg.connInfo() + "' -p table=dup");
}

}  // namespace
}  // namespace mongosd::ycsb
