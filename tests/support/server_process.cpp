#include "tests/support/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace mongosd::test {
namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Extracts an integer field from the port file's tiny JSON ({"port": 1, "httpPort": 2, ...}).
int jsonInt(const std::string& s, const std::string& key) {
    size_t p = s.find("\"" + key + "\"");
    if (p == std::string::npos) return -1;
    p = s.find(':', p);
    return p == std::string::npos ? -1 : std::atoi(s.c_str() + p + 1);
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mongosd-test-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    if (!p) throw std::runtime_error("mkdtemp failed");
    _path = p;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(_path, ec);
}

std::string ServerProcess::binaryPath() {
    if (const char* env = std::getenv("MONGOSD_BIN")) return env;
    // Test binaries live in build/bin beside mongosd.
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = 0;
        fs::path candidate = fs::path(self).parent_path() / "mongosd";
        if (fs::exists(candidate)) return candidate.string();
    }
    return "build/bin/mongosd";
}

ServerProcess::ServerProcess(std::string dbpath, std::vector<std::string> extraArgs)
    : _dbpath(std::move(dbpath)), _extraArgs(std::move(extraArgs)) {
    _portFile = _dbpath + ".ports.json";
    _logFile = _dbpath + ".log";
    start();
}

void ServerProcess::start() {
    fs::remove(_portFile);
    std::vector<std::string> args = {binaryPath(), "shard",       "--dbpath",    _dbpath,
                                     "--port",     "0",           "--http-port", "0",
                                     "--port-file", _portFile,    "--log-level", "warn"};
    args.insert(args.end(), _extraArgs.begin(), _extraArgs.end());
    _pid = fork();
    if (_pid < 0) throw std::runtime_error("fork failed");
    if (_pid == 0) {
        int log = open(_logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (log >= 0) {
            dup2(log, 1);
            dup2(log, 2);
        }
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running())
            throw std::runtime_error("mongosd exited during start-up; log: " + readFile(_logFile));
        if (fs::exists(_portFile)) {
            std::string s = readFile(_portFile);
            _port = static_cast<uint16_t>(jsonInt(s, "port"));
            _httpPort = static_cast<uint16_t>(jsonInt(s, "httpPort"));
            if (_port && _httpPort) return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill9();
    throw std::runtime_error("mongosd did not start within 60 s");
}

bool ServerProcess::running() {
    if (_pid <= 0) return false;
    int status = 0;
    pid_t r = waitpid(_pid, &status, WNOHANG);
    if (r == _pid) {
        _pid = -1;
        return false;
    }
    return true;
}

int ServerProcess::stop(std::chrono::seconds timeout) {
    if (_pid <= 0) return -1;
    ::kill(_pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(_pid, &status, WNOHANG) == _pid) {
            _pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill9();
    return -1;
}

void ServerProcess::kill9() {
    if (_pid <= 0) return;
    ::kill(_pid, SIGKILL);
    int status = 0;
    waitpid(_pid, &status, 0);
    _pid = -1;
}

ServerProcess::~ServerProcess() { stop(); }

HttpClient::HttpClient(uint16_t port, std::string host) : _host(std::move(host)), _port(port) {}

HttpClient::~HttpClient() { closeSocket(); }

void HttpClient::closeSocket() {
    if (_fd >= 0) ::close(_fd);
    _fd = -1;
}

static int connectTo(const std::string& host, uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static bool sendAll(int fd, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += static_cast<size_t>(n);
    }
    return true;
}

bool HttpClient::ensureConnected() {
    if (_fd >= 0) return true;
    _fd = connectTo(_host, _port);
    return _fd >= 0;
}

bool readHttpResponse(int fd, HttpResult* out, std::chrono::milliseconds timeout) {
    std::string buf;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t headerEnd = std::string::npos;
    size_t contentLength = 0;
    char chunk[65536];
    while (true) {
        if (headerEnd == std::string::npos) {
            headerEnd = buf.find("\r\n\r\n");
            if (headerEnd != std::string::npos) {
                std::istringstream hs(buf.substr(0, headerEnd));
                std::string line;
                std::getline(hs, line);
                if (line.rfind("HTTP/1.", 0) != 0) return false;
                out->status = std::atoi(line.c_str() + 9);
                while (std::getline(hs, line)) {
                    if (!line.empty() && line.back() == '\r') line.pop_back();
                    size_t colon = line.find(':');
                    if (colon == std::string::npos) continue;
                    std::string v = line.substr(colon + 1);
                    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
                    out->headers[lower(line.substr(0, colon))] = v;
                }
                contentLength = std::strtoull(out->headers["content-length"].c_str(), nullptr, 10);
            }
        }
        if (headerEnd != std::string::npos && buf.size() >= headerEnd + 4 + contentLength) {
            out->body = buf.substr(headerEnd + 4, contentLength);
            return true;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) return false;
        buf.append(chunk, static_cast<size_t>(n));
    }
}

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body, const std::string& contentType) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + _host + "\r\n";
    if (method == "POST")
        req += "Content-Type: " + contentType + "\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n";
    req += "\r\n";
    req += body;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!ensureConnected()) return {};
        HttpResult r;
        // Even when sending fails part-way the server may have answered already (413 for an
        // oversized body is sent before the body is read), so always try to read.
        sendAll(_fd, req);
        if (readHttpResponse(_fd, &r, std::chrono::seconds(120))) {
            if (lower(r.headers["connection"]) == "close") closeSocket();
            return r;
        }
        closeSocket();  // a stale keep-alive connection: retry once on a fresh one
    }
    return {};
}

HttpResult HttpClient::post(const std::string& target, const std::string& body,
                            const std::string& contentType) {
    return request("POST", target, body, contentType);
}

HttpResult HttpClient::get(const std::string& target) { return request("GET", target, "", ""); }

HttpResult HttpClient::raw(const std::string& bytes, std::chrono::milliseconds timeout) {
    int fd = connectTo(_host, _port);
    HttpResult r;
    if (fd < 0) return r;
    sendAll(fd, bytes);
    shutdown(fd, SHUT_WR);
    readHttpResponse(fd, &r, timeout);
    ::close(fd);
    return r;
}

}  // namespace mongosd::test
