#include "robotoff/core/log.hpp"

#include "robotoff/core/errors.hpp"

#include <atomic>
#include <unistd.h>

namespace robotoff::core::log {

namespace {

std::atomic<int> g_level{static_cast<int>(level::info)};

bool needs_quotes(std::string_view v) {
    if (v.empty()) {
        return true;
    }
    for (char c : v) {
        if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') {
            return true;
        }
    }
    return false;
}

void append_value(std::string& out, std::string_view v) {
    if (!needs_quotes(v)) {
        out += v;
        return;
    }
    out += '"';
    for (char c : v) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default: out += c;
        }
    }
    out += '"';
}

}  // namespace

void set_level(level l) { g_level.store(static_cast<int>(l)); }

level current_level() { return static_cast<level>(g_level.load()); }

level parse_level(std::string_view name) {
    if (name == "error") return level::error;
    if (name == "warning") return level::warning;
    if (name == "notice") return level::notice;
    if (name == "info") return level::info;
    if (name == "debug") return level::debug;
    throw usage_error("log.level must be one of error, warning, notice, info, debug (got '" +
                      std::string(name) + "')");
}

bool enabled(level l) { return static_cast<int>(l) <= g_level.load(); }

std::string format_line(level l, std::string_view event, fields f) {
    std::string line;
    line.reserve(96);
    line += '<';
    line += static_cast<char>('0' + static_cast<int>(l));
    line += ">event=";
    line += event;
    for (const auto& kv : f) {
        line += ' ';
        line += kv.key;
        line += '=';
        append_value(line, kv.value);
    }
    line += '\n';
    return line;
}

void write(level l, std::string_view event, fields f) {
    if (!enabled(l)) {
        return;
    }
    const std::string line = format_line(l, event, f);
    // One write(2) per line keeps lines from different threads whole.
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace robotoff::core::log
