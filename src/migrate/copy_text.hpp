#pragma once
// PostgreSQL COPY text format (one row per line, fields separated by tabs, \N for NULL, backslash escapes):
// splitting a row into its raw fields, decoding one field, encoding a value. Raw fields that are not changed
// are passed on as they are (output and input escaping are the same). Pure, thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace robotoff::migrate::copy_text {

// The raw fields of `row` (its trailing '\n', if any, removed). Views into `row`.
inline void split(std::string_view row, std::vector<std::string_view>& fields) {
    fields.clear();
    if (!row.empty() && row.back() == '\n') {
        row.remove_suffix(1);
    }
    std::size_t start = 0;
    while (true) {
        const auto tab = row.find('\t', start);
        if (tab == std::string_view::npos) {
            fields.push_back(row.substr(start));
            return;
        }
        fields.push_back(row.substr(start, tab - start));
        start = tab + 1;
    }
}

inline bool is_null(std::string_view raw) { return raw == "\\N"; }

// The value of a non-NULL raw field.
inline std::string decode(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c != '\\' || i + 1 == raw.size()) {
            out += c;
            continue;
        }
        const char e = raw[++i];
        switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        default:
            if (e >= '0' && e <= '7') {  // \ooo octal
                int v = e - '0';
                for (int k = 0; k < 2 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7'; ++k) {
                    v = v * 8 + (raw[++i] - '0');
                }
                out += static_cast<char>(v);
            } else {
                out += e;  // \\ and any other escaped character stands for itself
            }
        }
    }
    return out;
}

// Appends `value` escaped for COPY FROM (text format).
inline void append_encoded(std::string& out, std::string_view value) {
    for (char c : value) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        default: out += c;
        }
    }
}

}  // namespace robotoff::migrate::copy_text
