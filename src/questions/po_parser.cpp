#include "robotoff/questions/catalog.hpp"

#include <cctype>

namespace robotoff::questions {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

[[noreturn]] void fail(std::string_view origin, int line, const std::string& reason) {
    throw po_error(std::string(origin) + ":" + std::to_string(line) + ": " + reason);
}

// Decodes one "..." literal (the whole trimmed token must be the literal).
std::string unquote(std::string_view token, std::string_view origin, int line) {
    if (token.size() < 2 || token.front() != '"' || token.back() != '"') {
        fail(origin, line, "expected a quoted string");
    }
    std::string out;
    for (std::size_t i = 1; i + 1 < token.size(); ++i) {
        char c = token[i];
        if (c == '"') {
            fail(origin, line, "unescaped quote");
        }
        if (c != '\\') {
            out += c;
            continue;
        }
        if (i + 2 >= token.size()) {
            fail(origin, line, "dangling backslash");
        }
        char e = token[++i];
        switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            default: fail(origin, line, std::string("unknown escape \\") + e);
        }
    }
    return out;
}

struct entry {
    bool has_id = false;
    bool has_str = false;
    bool skip = false;  // msgctxt or plural: not used by robotoffd
    std::string id;
    std::string str;
};

}  // namespace

message_map parse_po(std::string_view text, std::string_view origin) {
    message_map out;
    entry current;
    std::string* target = nullptr;  // the string continuation lines append to
    std::string ignored;            // continuation lines of skipped parts (msgctxt, plurals)
    int line_no = 0;

    auto flush = [&] {
        if (current.has_id && !current.skip && !current.id.empty() && !current.str.empty()) {
            out[current.id] = current.str;
        }
        current = entry{};
        target = nullptr;
    };

    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = trim(text.substr(pos, end - pos));
        pos = end + 1;
        ++line_no;
        if (line.empty()) {
            continue;
        }
        if (line.front() == '#') {
            continue;
        }
        if (line.front() == '"') {
            if (target == nullptr) {
                fail(origin, line_no, "string outside an entry");
            }
            *target += unquote(line, origin, line_no);
            continue;
        }
        std::size_t space = line.find_first_of(" \t");
        if (space == std::string_view::npos) {
            fail(origin, line_no, "expected a keyword and a string");
        }
        std::string_view keyword = line.substr(0, space);
        std::string value = unquote(trim(line.substr(space)), origin, line_no);
        if (keyword == "msgctxt") {
            if (current.has_id) {
                flush();
            }
            current.skip = true;
            target = &ignored;
        } else if (keyword == "msgid") {
            if (current.has_id) {
                flush();
            }
            current.has_id = true;
            current.id = std::move(value);
            target = &current.id;
        } else if (keyword == "msgstr") {
            if (!current.has_id || current.has_str) {
                fail(origin, line_no, "msgstr without msgid");
            }
            current.has_str = true;
            current.str = std::move(value);
            target = &current.str;
        } else if (keyword == "msgid_plural" || keyword.starts_with("msgstr[")) {
            if (!current.has_id) {
                fail(origin, line_no, "plural form without msgid");
            }
            current.skip = true;
            current.has_str = true;
            target = &ignored;
        } else {
            fail(origin, line_no, "unknown keyword " + std::string(keyword));
        }
    }
    flush();
    return out;
}

}  // namespace robotoff::questions
