#include "shell/shell_syntax.h"

namespace mongosd::shell {
namespace {

class StatementParser {
public:
    explicit StatementParser(std::string_view text) : _text(text) {}

    StatusWith<Statement> parse() {
        Statement st;
        skipBlanks();
        if (atEnd()) return st;
        std::string head = ident();
        if (head.empty()) return fail("expected a statement");
        if (head == "show") {
            skipBlanks();
            std::string what = ident();
            if (what == "databases") what = "dbs";
            if (what != "dbs" && what != "collections" && what != "tables") {
                return fail("show what? (dbs, collections)");
            }
            st.kind = Statement::Kind::kShow;
            st.target = what == "tables" ? "collections" : what;
            return finish(std::move(st));
        }
        if (head == "use") {
            skipBlanks();
            size_t start = _pos;
            while (!atEnd() && !isBlank(_text[_pos]) && _text[_pos] != ';') ++_pos;
            if (_pos == start) return fail("use which database?");
            st.kind = Statement::Kind::kUse;
            st.target.assign(_text.substr(start, _pos - start));
            return finish(std::move(st));
        }
        if (head == "help") {
            st.kind = Statement::Kind::kHelp;
            if (peek('(')) {  // help()
                ++_pos;
                if (!consume(')')) return fail("expected ')'");
            }
            return finish(std::move(st));
        }
        if (head == "it" || head == "exit" || head == "quit") {
            st.kind = head == "it" ? Statement::Kind::kIt : Statement::Kind::kExit;
            if (head != "it" && peek('(')) {  // exit()
                ++_pos;
                if (!consume(')')) return fail("expected ')'");
            }
            return finish(std::move(st));
        }
        if (head == "sh" || head == "rs") {
            st.kind = Statement::Kind::kHelper;
            st.target = head;
            if (!consume('.')) return fail("expected '.' after " + head);
            MONGOSD_RETURN_IF_ERROR(chain(st));
            return finish(std::move(st));
        }
        if (head != "db") return fail("unknown name '" + head + "'");
        if (!consume('.') && !peek('[')) return fail("expected '.' after db");
        if (peek('[')) {  // db['name with spaces']
            ++_pos;
            MONGOSD_RETURN_IF_ERROR(quotedName(&st.target));
            if (!consume(']')) return fail("expected ']'");
            st.kind = Statement::Kind::kCollection;
            if (!consume('.')) return fail("expected a method after the collection");
            MONGOSD_RETURN_IF_ERROR(chain(st));
            return finish(std::move(st));
        }
        size_t nameAt = _pos;
        std::string name = ident();
        if (name.empty()) return fail("expected a collection or method name after 'db.'");
        skipBlanks();
        if (name == "getCollection" && peek('(')) {
            ++_pos;
            skipBlanks();
            MONGOSD_RETURN_IF_ERROR(quotedName(&st.target));
            if (!consume(')')) return fail("expected ')'");
            st.kind = Statement::Kind::kCollection;
            if (!consume('.')) return fail("expected a method after the collection");
            MONGOSD_RETURN_IF_ERROR(chain(st));
            return finish(std::move(st));
        }
        if (peek('(')) {  // db.method(...)
            _pos = nameAt;
            st.kind = Statement::Kind::kDb;
            MONGOSD_RETURN_IF_ERROR(chain(st));
            return finish(std::move(st));
        }
        // db.coll.method(...) — collection names may contain dots (db.a.b.find()): everything
        // up to the last identifier before '(' is the collection.
        st.kind = Statement::Kind::kCollection;
        st.target = name;
        while (consume('.')) {
            size_t at = _pos;
            std::string part = ident();
            if (part.empty()) return fail("expected a name after '.'");
            skipBlanks();
            if (peek('(')) {
                _pos = at;
                MONGOSD_RETURN_IF_ERROR(chain(st));
                return finish(std::move(st));
            }
            st.target += "." + part;
        }
        return fail("expected a method call on db." + st.target);
    }

    ParseError where() const { return _where; }

private:
    static bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    bool atEnd() const { return _pos >= _text.size(); }
    void skipBlanks() {
        while (!atEnd() && isBlank(_text[_pos])) ++_pos;
    }
    bool peek(char c) {
        skipBlanks();
        return !atEnd() && _text[_pos] == c;
    }
    bool consume(char c) {
        if (!peek(c)) return false;
        ++_pos;
        return true;
    }
    std::string ident() {
        skipBlanks();
        size_t start = _pos;
        if (atEnd() || !isIdentStart(_text[_pos])) return "";
        while (!atEnd() && isIdentChar(_text[_pos])) ++_pos;
        return std::string(_text.substr(start, _pos - start));
    }
    Status quotedName(std::string* out) {
        size_t pos = _pos;
        BsonBuilder b;
        ParseError err;
        Status st = parseRelaxedValue(_text, &pos, b, "n", &err);
        if (!st.isOK()) {
            _where = err;
            return st;
        }
        bson_iter_t it;
        BsonObj o = b.obj();
        if (!o.view().find("n", &it) || !BSON_ITER_HOLDS_UTF8(&it)) {
            return fail("expected a collection name in quotes");
        }
        *out = bson_iter_utf8(&it, nullptr);
        _pos = pos;
        return Status::OK();
    }
    // name(args) {.name(args)}
    Status chain(Statement& st) {
        do {
            MethodCall call;
            call.name = ident();
            if (call.name.empty()) return fail("expected a method name");
            if (!consume('(')) return fail("expected '(' after " + call.name);
            BsonBuilder args;
            Status argStatus = Status::OK();
            args.appendArray("a", [&](BsonBuilder& arr) {
                char buf[16];
                if (consume(')')) return;
                while (argStatus.isOK()) {
                    ParseError err;
                    argStatus = parseRelaxedValue(
                        _text, &_pos, arr, arrayIndexKey(uint32_t(call.argCount), buf), &err);
                    if (!argStatus.isOK()) {
                        _where = err;
                        return;
                    }
                    ++call.argCount;
                    if (consume(',')) continue;
                    if (consume(')')) return;
                    argStatus = fail("expected ',' or ')' in " + call.name + "(...)");
                }
            });
            MONGOSD_RETURN_IF_ERROR(argStatus);
            bson_iter_t it;
            BsonObj built = args.obj();
            built.view().find("a", &it);
            call.args = BsonObj::copyOf(subDocument(it));
            st.chain.push_back(std::move(call));
        } while (consume('.'));
        return Status::OK();
    }
    StatusWith<Statement> finish(Statement st) {
        consume(';');
        skipBlanks();
        if (!atEnd()) return fail("unexpected text after the statement");
        return st;
    }
    Status fail(const std::string& message) { return parseErrorAt(_text, _pos, message, &_where); }

    std::string_view _text;
    size_t _pos = 0;
    ParseError _where;
};

}  // namespace

StatusWith<Statement> parseStatement(std::string_view text, ParseError* error) {
    StatementParser p(text);
    auto st = p.parse();
    if (!st.isOK() && error) *error = p.where();
    return st;
}

namespace {

// Where a scan of shell text stands: open brackets, an open string or comment.
struct ScanState {
    int depth = 0;
    bool open = false;  // inside a string, a regex literal or a /* comment */ at the end
};

// Walks `text` and calls onTopLevel(i) for each character outside brackets, strings, regex
// literals and comments. A '/' starts a regex where a value may start (after ( [ { , : or at
// the start), so /\(/ does not count as an open parenthesis.
template <class F>
ScanState scan(std::string_view text, F&& onTopLevel) {
    ScanState state;
    char previous = '(';  // the last non-blank character outside comments
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
            continue;
        }
        if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            size_t end = text.find("*/", i + 2);
            if (end == std::string_view::npos) return {state.depth, true};
            i = end + 1;
            continue;
        }
        const bool regex = c == '/' && std::string_view("([{,:").find(previous) != std::string_view::npos;
        if (c == '"' || c == '\'' || regex) {
            bool inClass = false;
            for (++i; i < text.size(); ++i) {
                if (text[i] == '\\') {
                    ++i;
                } else if (regex && text[i] == '[') {
                    inClass = true;
                } else if (regex && text[i] == ']') {
                    inClass = false;
                } else if (text[i] == c && !inClass) {
                    break;
                }
            }
            if (i >= text.size()) return {state.depth, true};
            previous = c;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') ++state.depth;
        if (state.depth == 0) onTopLevel(i);
        if (c == ')' || c == ']' || c == '}') --state.depth;
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') previous = c;
    }
    return state;
}

bool isBlank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n;") == std::string_view::npos;
}

}  // namespace

bool isIncomplete(std::string_view text) {
    ScanState state = scan(text, [](size_t) {});
    return state.open || state.depth > 0;
}

std::vector<std::string> splitStatements(std::string_view script) {
    std::vector<std::string> out;
    size_t start = 0;
    auto cut = [&](size_t end) {
        std::string_view piece = script.substr(start, end - start);
        if (!isBlank(piece)) out.emplace_back(piece);
        start = end + 1;
    };
    scan(script, [&](size_t i) {
        if (i < start) return;
        if (script[i] == ';') {
            cut(i);
        } else if (script[i] == '\n') {
            // A line that starts with '.' continues the statement (a chain split over lines).
            size_t next = script.find_first_not_of(" \t\r\n", i);
            if (next == std::string_view::npos || script[next] != '.') cut(i);
        }
    });
    if (start < script.size()) cut(script.size());
    return out;
}

}  // namespace mongosd::shell
