#pragma once
// Test support: a real `mongosd shard` process on free loopback ports, and a small blocking
// HTTP/1.1 client. The process is always stopped: the destructor sends SIGTERM, waits, and
// escalates to SIGKILL, so a failing test never leaves a server behind.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace mongosd::test {

// A fresh temporary directory, removed on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return _path; }

private:
    std::string _path;
};

class ServerProcess {
public:
    // Starts `build/bin/mongosd shard --dbpath dbpath ...extraArgs` and waits until it listens.
    // Aborts the test (fatal gtest failure via exception) when it does not come up in time.
    explicit ServerProcess(std::string dbpath, std::vector<std::string> extraArgs = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    uint16_t port() const { return _port; }
    uint16_t httpPort() const { return _httpPort; }
    pid_t pid() const { return _pid; }
    bool running();

    // SIGTERM and wait for exit; returns the exit status (or -1).
    int stop(std::chrono::seconds timeout = std::chrono::seconds(30));
    // SIGKILL: a crash.
    void kill9();

    // The path of the server binary (MONGOSD_BIN env, else build/bin/mongosd next to the test).
    static std::string binaryPath();

private:
    void start();
    std::string _dbpath;
    std::vector<std::string> _extraArgs;
    std::string _portFile;
    std::string _logFile;
    pid_t _pid = -1;
    uint16_t _port = 0;
    uint16_t _httpPort = 0;
};

struct HttpResult {
    int status = 0;  // 0: no response (connection failed or closed)
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
};

// A keep-alive HTTP/1.1 client on one connection (reconnects when the server closed it).
class HttpClient {
public:
    explicit HttpClient(uint16_t port, std::string host = "127.0.0.1");
    ~HttpClient();
    HttpResult post(const std::string& target, const std::string& body,
                    const std::string& contentType = "application/json");
    HttpResult get(const std::string& target);
    // Sends raw bytes on a fresh connection, then reads one response (or none) until the server
    // closes or `timeout` passes.
    HttpResult raw(const std::string& bytes, std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    HttpResult request(const std::string& method, const std::string& target,
                       const std::string& body, const std::string& contentType);
    bool ensureConnected();
    void closeSocket();
    std::string _host;
    uint16_t _port;
    int _fd = -1;
};

// Reads one HTTP response from fd (Content-Length bodies). False on EOF/timeout/garbage.
bool readHttpResponse(int fd, HttpResult* out, std::chrono::milliseconds timeout);

}  // namespace mongosd::test
