#pragma once
// LineEditor: interactive line input for `mongosd shell`, on libedit (emacs keys, history).
// History is kept in a file and saved after every entry, so a killed shell loses nothing.
// Ctrl-C abandons the line being typed (the terminal's interrupt character is taken as a key
// while editing, so no signal is involved); Ctrl-D on an empty line is end of input.
// Only for a terminal on standard input; one per process.

#include <string>

typedef struct editline EditLine;
typedef struct history History;

namespace mongosd::shell {

class LineEditor {
public:
    // `historyPath` empty: no history file.
    LineEditor(const char* programName, std::string historyPath);
    ~LineEditor();
    LineEditor(const LineEditor&) = delete;
    LineEditor& operator=(const LineEditor&) = delete;

    enum class Result { kLine, kCancelled, kEof };
    // Reads one line (without its newline) after showing `prompt`.
    Result readLine(const std::string& prompt, std::string* line);
    // Records a whole statement (possibly several lines) in the history and saves the file.
    void addHistory(const std::string& entry);

private:
    static char* promptOf(EditLine* el);
    static unsigned char cancelLine(EditLine* el, int key);

    EditLine* _el = nullptr;
    History* _history = nullptr;
    std::string _historyPath;
    std::string _prompt;
    bool _cancelled = false;
};

}  // namespace mongosd::shell
