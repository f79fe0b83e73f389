#pragma once
// Configuration: ONE table of settings (name, type, default, bounds, help) in settings.cpp, read from an
// INI file, the environment and the command line. Precedence: flag > environment > file > default.
//
//   file:  [database]\n pool_size = 16          (keys before any [section] have no prefix: "instance")
//   env:   ROBOTOFF_DATABASE_POOL_SIZE=16       (upper case, '.' -> '_')
//   flag:  --database.pool_size=16
//
// Unknown keys (file or flags) and values of the wrong type or out of bounds raise core::usage_error with a
// message naming the key and its source. A config object is immutable after load: thread-safe to read.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::core {

enum class setting_type { string, integer, boolean, real };

struct setting_spec {
    std::string_view name;           // "section.key"
    setting_type type;
    std::string_view default_value;  // as it would be written in the file
    double min = 0;                  // bounds for integer and real settings
    double max = 0;
    std::string_view help;           // one line
    bool secret = false;             // never printed or logged
};

// Every setting robotoffd knows, in the order of etc/robotoffd.conf.
const std::vector<setting_spec>& all_settings();
const setting_spec* find_setting(std::string_view name);

// "ROBOTOFF_DATABASE_POOL_SIZE" for "database.pool_size".
std::string env_name(std::string_view setting);

struct config_sources {
    std::optional<std::string> file_path;               // --config; nullopt = the default path
    std::map<std::string, std::string> flags;            // from --section.key=value
    bool use_environment = true;
};

class config {
public:
    static constexpr const char* default_path = "/etc/robotoffd/robotoffd.conf";

    // Reads the file (a missing DEFAULT file is fine; a missing --config file is an error), the environment
    // and the flags; validates everything. Throws usage_error.
    static config load(const config_sources& sources);
    // Defaults plus the given values (tests).
    static config from_values(const std::map<std::string, std::string>& values);

    const std::string& get_string(std::string_view name) const;
    long long get_int(std::string_view name) const;
    bool get_bool(std::string_view name) const;
    double get_double(std::string_view name) const;
    // Comma-separated list, items trimmed, empty items dropped.
    std::vector<std::string> get_list(std::string_view name) const;

    // Path of the file that was read, or "(none)" when only defaults/env/flags apply.
    const std::string& source_path() const { return source_path_; }
    // Where each setting's value came from ("default", "file", "env", "flag").
    const std::string& origin(std::string_view name) const;

    // The tld derived from `instance` unless `tld` is set (README §6).
    std::string tld() const;

private:
    std::map<std::string, std::string, std::less<>> values_;
    std::map<std::string, std::string, std::less<>> origins_;
    std::string source_path_ = "(none)";
};

// Parses a boolean the way the spec accepts it (true/false, 1/0, yes/no, on/off, t/f, y/n; any case).
std::optional<bool> parse_bool(std::string_view text);
// Strict integer parsing: optional sign then digits only.
std::optional<long long> parse_int(std::string_view text);
std::optional<double> parse_double(std::string_view text);

// The text of etc/robotoffd.conf: every setting at its default with its help line.
std::string render_default_config();

}  // namespace robotoff::core
