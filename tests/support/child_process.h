#pragma once
// Test support: run a program to completion with given standard input and capture what it
// prints, or drive one through a pseudo-terminal like a user at a keyboard. Children are always
// reaped: a run past its timeout is killed, and a PtyProcess kills its child on destruction.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace mongosd::test {

struct ProgramResult {
    int exitCode = -1;  // -1: killed by a signal or by the timeout
    bool timedOut = false;
    std::string out;
    std::string err;
};

// Runs argv[0] (a path) with `input` on its standard input (then closed). `env` entries
// ("NAME=value") are added to the environment.
ProgramResult runProgram(const std::vector<std::string>& argv, const std::string& input = "",
                         std::chrono::seconds timeout = std::chrono::seconds(60),
                         const std::vector<std::string>& env = {});

// The text of terminal output without ANSI escape sequences and carriage returns.
std::string stripTerminalCodes(const std::string& text);

class PtyProcess {
public:
    PtyProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
    ~PtyProcess();
    PtyProcess(const PtyProcess&) = delete;
    PtyProcess& operator=(const PtyProcess&) = delete;

    // Types bytes as a user would (keys, "\r" for Enter, "\x03" for Ctrl-C), once the program
    // has put the terminal in non-canonical mode (a line editor waiting for keys).
    void type(const std::string& keys);
    // Reads output until its text (stripTerminalCodes) after what earlier waits returned
    // contains `text`; returns that text up to and including `text`. Throws on timeout or
    // when the program exits first.
    std::string waitFor(const std::string& text,
                        std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // The output not yet returned by waitFor (for failure messages).
    std::string unread() const;
    // Waits for the child to exit; its exit code, or -1 (signal, timeout).
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));

private:
    bool readSome(std::chrono::milliseconds timeout);

    pid_t _pid = -1;
    int _master = -1;
    std::string _output;   // everything the program wrote to the terminal
    size_t _consumed = 0;  // characters of stripTerminalCodes(_output) already returned
};

}  // namespace mongosd::test
