#include "robotoff/core/config.hpp"

#include "robotoff/core/errors.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace robotoff::core {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string format_bound(double v) {
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        return std::to_string(static_cast<long long>(v));
    }
    std::ostringstream out;
    out << v;
    return out.str();
}

// Checks type and bounds; returns the canonical text of the value.
std::string validate(const setting_spec& spec, std::string_view value, std::string_view source) {
    const auto fail = [&](const std::string& rule) -> usage_error {
        return usage_error("invalid value '" + std::string(value) + "' for " + std::string(spec.name) + " (" +
                           std::string(source) + "): " + rule);
    };
    switch (spec.type) {
    case setting_type::string:
        return std::string(value);
    case setting_type::boolean: {
        const auto b = parse_bool(value);
        if (!b) {
            throw fail("expected a boolean (true/false)");
        }
        return *b ? "true" : "false";
    }
    case setting_type::integer: {
        const auto n = parse_int(value);
        if (!n) {
            throw fail("expected an integer");
        }
        if (static_cast<double>(*n) < spec.min || static_cast<double>(*n) > spec.max) {
            throw fail("must be between " + format_bound(spec.min) + " and " + format_bound(spec.max));
        }
        return std::to_string(*n);
    }
    case setting_type::real: {
        const auto d = parse_double(value);
        if (!d) {
            throw fail("expected a number");
        }
        if (*d < spec.min || *d > spec.max) {
            throw fail("must be between " + format_bound(spec.min) + " and " + format_bound(spec.max));
        }
        return std::string(value);
    }
    }
    return std::string(value);
}

const setting_spec& require_known(std::string_view name, std::string_view source) {
    const auto* spec = find_setting(name);
    if (!spec) {
        throw usage_error("unknown setting '" + std::string(name) + "' (" + std::string(source) + ")");
    }
    return *spec;
}

// INI: "[section]" lines, "key = value" lines, '#' or ';' comments, blank lines.
std::map<std::string, std::string> read_ini(const std::string& path, std::istream& in) {
    std::map<std::string, std::string> values;
    std::string section;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        const auto text = trim(line);
        if (text.empty() || text.front() == '#' || text.front() == ';') {
            continue;
        }
        const std::string where = path + ":" + std::to_string(number);
        if (text.front() == '[') {
            if (text.back() != ']') {
                throw usage_error(where + ": malformed section header");
            }
            section = std::string(trim(text.substr(1, text.size() - 2)));
            continue;
        }
        const auto eq = text.find('=');
        if (eq == std::string_view::npos) {
            throw usage_error(where + ": expected 'key = value'");
        }
        const auto key = trim(text.substr(0, eq));
        const auto value = trim(text.substr(eq + 1));
        const std::string name = section.empty() ? std::string(key) : section + "." + std::string(key);
        require_known(name, where);
        values[name] = std::string(value);
    }
    return values;
}

}  // namespace

std::string env_name(std::string_view setting) {
    std::string out = "ROBOTOFF_";
    for (char c : setting) {
        if (c == '.') {
            out += '_';
        } else {
            out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
        }
    }
    return out;
}

std::optional<bool> parse_bool(std::string_view text) {
    std::string lower;
    for (char c : text) {
        lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (lower == "true" || lower == "1" || lower == "yes" || lower == "on" || lower == "t" || lower == "y") {
        return true;
    }
    if (lower == "false" || lower == "0" || lower == "no" || lower == "off" || lower == "f" || lower == "n") {
        return false;
    }
    return std::nullopt;
}

std::optional<long long> parse_int(std::string_view text) {
    if (text.empty() || text.size() > 20) {
        return std::nullopt;
    }
    std::size_t i = 0;
    if (text[0] == '+' || text[0] == '-') {
        i = 1;
    }
    if (i == text.size()) {
        return std::nullopt;
    }
    for (std::size_t j = i; j < text.size(); ++j) {
        if (text[j] < '0' || text[j] > '9') {
            return std::nullopt;
        }
    }
    const std::string copy(text);
    errno = 0;
    const long long v = std::strtoll(copy.c_str(), nullptr, 10);
    if (errno == ERANGE) {
        return std::nullopt;
    }
    return v;
}

std::optional<double> parse_double(std::string_view text) {
    if (text.empty() || text.size() > 64) {
        return std::nullopt;
    }
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
            return std::nullopt;
        }
    }
    const std::string copy(text);
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || errno == ERANGE || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

config config::load(const config_sources& sources) {
    config cfg;
    for (const auto& spec : all_settings()) {
        cfg.values_[std::string(spec.name)] = std::string(spec.default_value);
        cfg.origins_[std::string(spec.name)] = "default";
    }

    const std::string path = sources.file_path.value_or(default_path);
    std::ifstream in(path);
    if (in) {
        for (const auto& [name, value] : read_ini(path, in)) {
            const auto& spec = require_known(name, path);
            cfg.values_[name] = validate(spec, value, path);
            cfg.origins_[name] = "file";
        }
        cfg.source_path_ = path;
    } else if (sources.file_path) {
        throw usage_error("cannot read config file " + path);
    }

    if (sources.use_environment) {
        for (const auto& spec : all_settings()) {
            const std::string var = env_name(spec.name);
            if (const char* value = std::getenv(var.c_str())) {
                cfg.values_[std::string(spec.name)] = validate(spec, value, "environment " + var);
                cfg.origins_[std::string(spec.name)] = "env";
            }
        }
    }

    for (const auto& [name, value] : sources.flags) {
        const auto& spec = require_known(name, "command line");
        cfg.values_[name] = validate(spec, value, "--" + name);
        cfg.origins_[name] = "flag";
    }
    return cfg;
}

config config::from_values(const std::map<std::string, std::string>& values) {
    config_sources sources;
    sources.file_path = std::nullopt;
    sources.use_environment = false;
    sources.flags = values;
    config cfg;
    for (const auto& spec : all_settings()) {
        cfg.values_[std::string(spec.name)] = std::string(spec.default_value);
        cfg.origins_[std::string(spec.name)] = "default";
    }
    for (const auto& [name, value] : values) {
        const auto& spec = require_known(name, "test values");
        cfg.values_[name] = validate(spec, value, name);
        cfg.origins_[name] = "flag";
    }
    return cfg;
}

const std::string& config::get_string(std::string_view name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) {
        throw std::logic_error("setting not in the table: " + std::string(name));
    }
    return it->second;
}

long long config::get_int(std::string_view name) const { return *parse_int(get_string(name)); }

bool config::get_bool(std::string_view name) const { return *parse_bool(get_string(name)); }

double config::get_double(std::string_view name) const { return *parse_double(get_string(name)); }

std::vector<std::string> config::get_list(std::string_view name) const {
    std::vector<std::string> items;
    std::string_view rest = get_string(name);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = trim(rest.substr(0, comma));
        if (!item.empty()) {
            items.emplace_back(item);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(comma + 1);
    }
    return items;
}

const std::string& config::origin(std::string_view name) const {
    const auto it = origins_.find(name);
    if (it == origins_.end()) {
        throw std::logic_error("setting not in the table: " + std::string(name));
    }
    return it->second;
}

std::string config::tld() const {
    const auto& explicit_tld = get_string("tld");
    if (!explicit_tld.empty()) {
        return explicit_tld;
    }
    const auto& instance = get_string("instance");
    if (instance == "prod") {
        return "org";
    }
    if (instance == "dev") {
        return "net";
    }
    return instance;
}

std::string render_default_config() {
    std::string out =
        "# robotoffd configuration. Every setting is listed at its default.\n"
        "# Each one can be overridden by the environment (ROBOTOFF_SECTION_KEY) and by a flag\n"
        "# (--section.key=value); precedence: flag > environment > this file > default.\n";
    std::string current_section = "\x01";
    for (const auto& spec : all_settings()) {
        const auto dot = spec.name.find('.');
        const std::string section = dot == std::string_view::npos ? "" : std::string(spec.name.substr(0, dot));
        const std::string key = dot == std::string_view::npos ? std::string(spec.name)
                                                               : std::string(spec.name.substr(dot + 1));
        if (section != current_section) {
            if (!section.empty()) {
                out += "\n[" + section + "]\n";
            } else {
                out += "\n";
            }
            current_section = section;
        }
        out += "# " + std::string(spec.help) + "\n";
        out += key + " = " + std::string(spec.default_value) + "\n";
    }
    return out;
}

}  // namespace robotoff::core
