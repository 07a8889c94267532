#include "mongosd/shell_main.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "shell/command_transport.h"
#include "shell/line_editor.h"
#include "shell/shell_session.h"
#include "shell/shell_syntax.h"

namespace mongosd {
namespace {

using shell::ShellSession;

bool isScriptArgument(const std::string& arg) {
    if (arg.size() > 3 && arg.compare(arg.size() - 3, 3, ".js") == 0) return true;
    struct stat st;
    return ::stat(arg.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Runs a script's statements in order; stops at the first failure (1) or `exit` (0).
int runScript(ShellSession& session, std::string_view script) {
    for (const std::string& statement : shell::splitStatements(script)) {
        ShellSession::Outcome outcome = session.run(statement);
        std::cout.flush();
        if (outcome == ShellSession::Outcome::kFailed) return 1;
        if (outcome == ShellSession::Outcome::kExit) return 0;
    }
    return 0;
}

std::string historyPath() {
    if (const char* path = std::getenv("MONGOSD_SHELL_HISTORY")) return path;
    if (const char* home = std::getenv("HOME")) return std::string(home) + "/.mongosd_shell_history";
    return "";
}

void printBanner(shell::CommandTransport& transport) {
    BsonBuilder cmd;
    cmd.appendInt32("buildInfo", 1).appendString("$db", "admin");
    auto reply = transport.runCommand(cmd.obj().view());
    bson_iter_t version;
    if (!reply.isOK()) {
        std::cerr << "MongoNetworkError: cannot reach mongosd at " << transport.address() << ": "
                  << reply.getStatus().reason() << " (commands will retry)\n";
    } else if (reply.getValue().view().find("version", &version) &&
               BSON_ITER_HOLDS_UTF8(&version)) {
        std::cout << "Connected to mongosd " << bson_iter_utf8(&version, nullptr) << " at "
                  << transport.address() << "\nType exit or press Ctrl-D to leave.\n";
    }
}

int runInteractive(ShellSession& session, shell::CommandTransport& transport, bool quiet) {
    if (!quiet) printBanner(transport);
    shell::LineEditor editor("mongosd", historyPath());
    std::string buffer;
    while (true) {
        std::string line;
        const std::string prompt = buffer.empty() ? session.db() + "> " : "... ";
        switch (editor.readLine(prompt, &line)) {
            case shell::LineEditor::Result::kEof:
                std::cout << '\n';
                return 0;
            case shell::LineEditor::Result::kCancelled:
                buffer.clear();
                continue;
            case shell::LineEditor::Result::kLine:
                break;
        }
        if (!buffer.empty()) buffer += '\n';
        buffer += line;
        if (shell::isIncomplete(buffer)) continue;
        editor.addHistory(buffer);
        for (const std::string& statement : shell::splitStatements(buffer)) {
            if (session.run(statement) == ShellSession::Outcome::kExit) return 0;
            std::cout.flush();
        }
        buffer.clear();
    }
}

}  // namespace

int runShell(const ShellMainOptions& options) {
    std::string url = "http://127.0.0.1:8080";
    std::vector<std::string> files;
    bool haveUrl = false;
    for (const std::string& arg : options.args) {
        if (isScriptArgument(arg)) {
            files.push_back(arg);
        } else if (!haveUrl) {
            url = arg;
            haveUrl = true;
        } else {
            std::cerr << "mongosd shell: '" << arg << "' is neither the URL nor a script file\n";
            return 2;
        }
    }
    auto parsed = shell::parseHttpUrl(url);
    if (!parsed.isOK()) {
        std::cerr << "mongosd shell: " << parsed.getStatus().reason() << '\n';
        return 2;
    }
    shell::SessionOptions sessionOptions;
    if (!parsed.getValue().database.empty()) sessionOptions.db = parsed.getValue().database;
    sessionOptions.json = options.json;
    sessionOptions.color = !options.json && ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    const auto timeout = options.timeoutMs > 0 ? std::chrono::milliseconds(options.timeoutMs)
                                               : std::chrono::hours(24 * 365);
    shell::HttpCommandClient client(parsed.getValue(), timeout);
    ShellSession session(client, std::cout, std::cerr, sessionOptions);

    if (!options.eval.empty() || !files.empty()) {
        int rc = runScript(session, options.eval);
        for (size_t i = 0; rc == 0 && i < files.size(); ++i) {
            std::ifstream in(files[i]);
            if (!in) {
                std::cerr << "mongosd shell: cannot read " << files[i] << '\n';
                return 1;
            }
            std::stringstream text;
            text << in.rdbuf();
            rc = runScript(session, text.str());
        }
        return rc;
    }
    if (!::isatty(STDIN_FILENO)) {
        std::stringstream text;
        text << std::cin.rdbuf();
        return runScript(session, text.str());
    }
    return runInteractive(session, client, options.quiet);
}

}  // namespace mongosd
