#include "shell/line_editor.h"

#include <histedit.h>

#include <cstdio>

namespace mongosd::shell {

LineEditor::LineEditor(const char* programName, std::string historyPath)
    : _historyPath(std::move(historyPath)) {
    _el = el_init(programName, stdin, stdout, stderr);
    _history = history_init();
    HistEvent ev;
    history(_history, &ev, H_SETSIZE, 1000);
    history(_history, &ev, H_SETUNIQUE, 1);
    if (!_historyPath.empty()) history(_history, &ev, H_LOAD, _historyPath.c_str());

    el_set(_el, EL_CLIENTDATA, this);
    el_set(_el, EL_EDITOR, "emacs");
    el_set(_el, EL_PROMPT, &LineEditor::promptOf);
    el_set(_el, EL_HIST, history, _history);
    // While editing, the interrupt character reaches us as a key (no SIGINT): it cancels the
    // line. Outside el_gets the terminal is back in its normal mode.
    el_set(_el, EL_SETTY, "-d", "-isig", nullptr);
    // The wide-character call stores our static strings; el_set(EL_ADDFN) would copy them and
    // never free the copies.
    el_wset(_el, EL_ADDFN, L"mongosd-cancel-line", L"abandon the line", &LineEditor::cancelLine);
    el_set(_el, EL_BIND, "^C", "mongosd-cancel-line", nullptr);
    // ~/.editrc, as other libedit programs.
    el_source(_el, nullptr);
}

LineEditor::~LineEditor() {
    history_end(_history);
    el_end(_el);
}

char* LineEditor::promptOf(EditLine* el) {
    void* self = nullptr;
    el_get(el, EL_CLIENTDATA, &self);
    return const_cast<char*>(static_cast<LineEditor*>(self)->_prompt.c_str());
}

unsigned char LineEditor::cancelLine(EditLine* el, int) {
    void* self = nullptr;
    el_get(el, EL_CLIENTDATA, &self);
    static_cast<LineEditor*>(self)->_cancelled = true;
    std::fputs("^C", stdout);
    return CC_NEWLINE;
}

LineEditor::Result LineEditor::readLine(const std::string& prompt, std::string* line) {
    _prompt = prompt;
    _cancelled = false;
    int count = 0;
    const char* text = el_gets(_el, &count);
    if (text == nullptr || count <= 0) return Result::kEof;
    if (_cancelled) {
        std::fputs("\n", stdout);
        return Result::kCancelled;
    }
    line->assign(text, size_t(count));
    while (!line->empty() && (line->back() == '\n' || line->back() == '\r')) line->pop_back();
    return Result::kLine;
}

void LineEditor::addHistory(const std::string& entry) {
    if (entry.find_first_not_of(" \t\n") == std::string::npos) return;
    HistEvent ev;
    history(_history, &ev, H_ENTER, entry.c_str());
    if (!_historyPath.empty()) history(_history, &ev, H_SAVE, _historyPath.c_str());
}

}  // namespace mongosd::shell
