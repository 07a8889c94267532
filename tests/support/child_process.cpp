#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace mongosd::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void execChild(const std::vector<std::string>& argv,
                            const std::vector<std::string>& env) {
    for (const std::string& e : env) putenv(const_cast<char*>(strdup(e.c_str())));
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
}

int exitCodeOf(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

ProgramResult runProgram(const std::vector<std::string>& argv, const std::string& input,
                         std::chrono::seconds timeout, const std::vector<std::string>& env) {
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe failed");
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
        execChild(argv, env);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    signal(SIGPIPE, SIG_IGN);

    ProgramResult result;
    size_t written = 0;
    int inFd = in[1];
    if (input.empty()) {
        close(inFd);
        inFd = -1;
    }
    const auto deadline = Clock::now() + timeout;
    bool outOpen = true, errOpen = true;
    while (outOpen || errOpen) {
        if (Clock::now() > deadline) {
            result.timedOut = true;
            kill(pid, SIGKILL);
            break;
        }
        pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {inFd, POLLOUT, 0}};
        fds[0].fd = outOpen ? out[0] : -1;
        fds[1].fd = errOpen ? err[0] : -1;
        poll(fds, 3, 100);
        char buf[65536];
        for (int i = 0; i < 2; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                (i == 0 ? result.out : result.err).append(buf, size_t(n));
            } else if (n == 0 || errno != EINTR) {
                (i == 0 ? outOpen : errOpen) = false;
            }
        }
        if (inFd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = write(inFd, input.data() + written, input.size() - written);
            if (n > 0) written += size_t(n);
            if (n < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
            if (written == input.size()) {
                close(inFd);
                inFd = -1;
            }
        }
    }
    if (inFd >= 0) close(inFd);
    close(out[0]);
    close(err[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    result.exitCode = result.timedOut ? -1 : exitCodeOf(status);
    return result;
}

std::string stripTerminalCodes(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\x1b') {
            ++i;
            if (i < text.size() && text[i] == '[') {
                // CSI: parameters then one final byte in @..~
                while (++i < text.size() && !(text[i] >= '@' && text[i] <= '~')) {
                }
            }
            continue;
        }
        if (text[i] == '\r' || text[i] == '\a') continue;
        out += text[i];
    }
    return out;
}

PtyProcess::PtyProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    winsize size{};
    size.ws_row = 40;
    size.ws_col = 120;
    _pid = forkpty(&_master, nullptr, nullptr, &size);
    if (_pid < 0) throw std::runtime_error("forkpty failed");
    if (_pid == 0) execChild(argv, env);
}

PtyProcess::~PtyProcess() {
    if (_pid > 0) {
        kill(_pid, SIGKILL);
        waitpid(_pid, nullptr, 0);
    }
    if (_master >= 0) close(_master);
}

void PtyProcess::type(const std::string& keys) {
    // A line editor switches the terminal to non-canonical mode while it reads; a key typed
    // before that (right after the prompt was drawn) is cooked by the terminal instead: a
    // Ctrl-D would become an empty read and be lost. So wait for the editor to hold the terminal.
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    termios mode{};
    while (tcgetattr(_master, &mode) == 0 && (mode.c_lflag & ICANON) && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    // One key at a time, as a person types: line editors read byte by byte.
    for (char c : keys) {
        if (write(_master, &c, 1) != 1) throw std::runtime_error("writing to the terminal failed");
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

bool PtyProcess::readSome(std::chrono::milliseconds timeout) {
    pollfd fd{_master, POLLIN, 0};
    if (poll(&fd, 1, int(timeout.count())) <= 0) return true;
    char buf[4096];
    ssize_t n = read(_master, buf, sizeof buf);
    if (n <= 0) return false;  // EIO: the child closed the terminal
    _output.append(buf, size_t(n));
    return true;
}

std::string PtyProcess::waitFor(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        // The whole output is re-stripped each time, so an escape sequence split across reads
        // never leaves debris; _consumed counts the stripped text already returned.
        std::string screen = stripTerminalCodes(_output);
        size_t at = screen.find(text, _consumed);
        if (at != std::string::npos) {
            std::string seen = screen.substr(_consumed, at + text.size() - _consumed);
            _consumed = at + text.size();
            return seen;
        }
        if (Clock::now() > deadline)
            throw std::runtime_error("timed out waiting for '" + text +
                                     "'; screen: " + screen.substr(_consumed));
        if (!readSome(std::chrono::milliseconds(50)))
            throw std::runtime_error("the program exited before printing '" + text +
                                     "'; screen: " + screen.substr(_consumed));
    }
}

std::string PtyProcess::unread() const { return stripTerminalCodes(_output).substr(_consumed); }

int PtyProcess::wait(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        int status = 0;
        pid_t r = waitpid(_pid, &status, WNOHANG);
        if (r == _pid) {
            _pid = -1;
            return exitCodeOf(status);
        }
        readSome(std::chrono::milliseconds(20));
    }
    return -1;
}

}  // namespace mongosd::test
