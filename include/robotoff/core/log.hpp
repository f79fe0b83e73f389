#pragma once
// Logging: one line per event on stderr, journald priority prefix, key=value fields.
//
//   log::info("http.listening", {{"address", "127.0.0.1"}, {"port", 5500}});
//   -> <6>event=http.listening address=127.0.0.1 port=5500
//
// Thread-safe (one write(2) per line). The level is process-wide and set once at start-up.
// Values containing spaces, quotes or '=' are quoted. Never pass secrets.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace robotoff::core::log {

enum class level { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

// One key=value pair; numbers and bools are formatted here so callers need no to_string.
struct field {
    std::string_view key;
    std::string value;

    field(std::string_view k, std::string_view v) : key(k), value(v) {}
    field(std::string_view k, const std::string& v) : key(k), value(v) {}
    field(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
    field(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
    template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
    field(std::string_view k, T v) : key(k), value(std::to_string(v)) {}
};

using fields = std::initializer_list<field>;

void set_level(level l);
level current_level();
// Parses "error", "warning", "notice", "info", "debug"; throws core::usage_error otherwise.
level parse_level(std::string_view name);
bool enabled(level l);

void write(level l, std::string_view event, fields f = {});

inline void error(std::string_view event, fields f = {}) { write(level::error, event, f); }
inline void warning(std::string_view event, fields f = {}) { write(level::warning, event, f); }
inline void notice(std::string_view event, fields f = {}) { write(level::notice, event, f); }
inline void info(std::string_view event, fields f = {}) { write(level::info, event, f); }
inline void debug(std::string_view event, fields f = {}) {
    if (enabled(level::debug)) {
        write(level::debug, event, f);
    }
}

// Formats one line without writing it (used by tests).
std::string format_line(level l, std::string_view event, fields f);

}  // namespace robotoff::core::log
