// robotoffd entry point: split the command line, load the configuration, run one subcommand.

#include "commands.hpp"

#include "robotoff/core/errors.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/core/version.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using robotoff::app::all_commands;
using robotoff::app::command;

void print_help() {
    std::printf("robotoffd %s: Open Food Facts' Robotoff as one daemon\n\n", robotoff::core::version().data());
    std::printf("usage: robotoffd [--config PATH] [--section.key=value ...] <command> [args]\n\n");
    std::printf("commands:\n");
    for (const auto& c : all_commands()) {
        std::printf("  %-20s %s\n", c.name, c.summary);
    }
    std::printf("  %-20s %s\n", "help <command>", "show the usage of one command");
    std::printf("\nglobal options:\n"
                "  --config PATH        configuration file (default %s; a missing default file is fine)\n"
                "  --section.key=value  override one setting (see etc/robotoffd.conf); also ROBOTOFF_SECTION_KEY\n"
                "  --help, --version\n",
                robotoff::core::config::default_path);
}

const command* find_command(const std::string& name) {
    for (const auto& c : all_commands()) {
        if (name == c.name) {
            return &c;
        }
    }
    return nullptr;
}

int usage_error(const std::string& message) {
    std::fprintf(stderr, "robotoffd: %s\nTry 'robotoffd --help'.\n", message.c_str());
    return 2;
}

// "--section.key=value" (a dot in the name) is a configuration flag.
bool is_config_flag(const std::string& arg) {
    if (arg.rfind("--", 0) != 0) {
        return false;
    }
    const auto eq = arg.find('=');
    const auto name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    return name.find('.') != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
    // Tesseract's OpenMP must not start its own threads: parallelism comes from our OCR pool.
    ::setenv("OMP_THREAD_LIMIT", "1", 1);

    robotoff::core::config_sources sources;
    const command* cmd = nullptr;
    std::vector<std::string> args;
    bool help_requested = false;

    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (is_config_flag(arg)) {
            const auto eq = arg.find('=');
            if (eq == std::string::npos) {
                return usage_error("option '" + arg + "' needs a value: " + arg + "=VALUE");
            }
            sources.flags[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
            continue;
        }
        if (cmd) {
            args.push_back(arg);
            continue;
        }
        if (arg == "--help" || arg == "-h") {
            help_requested = true;
        } else if (arg == "--version" || arg == "-V") {
            std::printf("robotoffd %s\n", robotoff::core::version().data());
            return 0;
        } else if (arg == "--config") {
            if (i + 1 >= argc) {
                return usage_error("--config needs a path");
            }
            sources.file_path = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            sources.file_path = arg.substr(9);
        } else if (arg == "help") {
            if (i + 1 < argc) {
                const command* target = find_command(argv[i + 1]);
                if (!target) {
                    return usage_error(std::string("unknown command '") + argv[i + 1] + "'");
                }
                std::fputs(target->usage, stdout);
                return 0;
            }
            print_help();
            return 0;
        } else if (!arg.empty() && arg.front() == '-') {
            return usage_error("unknown option '" + arg + "'");
        } else {
            cmd = find_command(arg);
            if (!cmd) {
                return usage_error("unknown command '" + arg + "'");
            }
        }
    }

    if (!cmd) {
        print_help();
        return help_requested ? 0 : 2;
    }
    for (const auto& a : args) {
        if (a == "--help" || a == "-h") {
            std::fputs(cmd->usage, stdout);
            return 0;
        }
    }

    try {
        const auto cfg = robotoff::core::config::load(sources);
        robotoff::core::log::set_level(robotoff::core::log::parse_level(cfg.get_string("log.level")));
        robotoff::app::command_context ctx{cfg, args};
        return cmd->run(ctx);
    } catch (const robotoff::core::usage_error& e) {
        return usage_error(e.what());
    } catch (const robotoff::app::usage_failure& e) {
        std::fprintf(stderr, "robotoffd %s: %s\n%s", cmd->name, e.what(), cmd->usage);
        return 2;
    } catch (const std::exception& e) {
        robotoff::core::log::error("command.failed", {{"command", cmd->name}, {"error", e.what()}});
        std::fprintf(stderr, "robotoffd %s: %s\n", cmd->name, e.what());
        return 1;
    }
}
