#pragma once
// The robotoffd subcommands. Each command lives in its own file (src/app/cmd_<name>.cpp) and is listed
// once in command_table.cpp. main.cpp splits the command line: global options (--config PATH,
// --help, --version) and configuration flags (--section.key=value, known settings only) are consumed
// there; everything else is passed to the command in `args`.
//
// Exit codes: 0 success, 1 failure (unreadable input, database error, ...), 2 bad usage.

#include "robotoff/core/config.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace robotoff::app {

struct command_context {
    const core::config& cfg;
    std::vector<std::string> args;   // after the subcommand name, config flags removed
};

struct command {
    const char* name;
    const char* summary;   // one line for `robotoffd --help`
    const char* usage;     // full text for `robotoffd help <name>` / `robotoffd <name> --help`
    int (*run)(command_context&);
};

const std::vector<command>& all_commands();

// Thrown by commands for bad usage: main prints "robotoffd <cmd>: <message>" and exits 2.
struct usage_failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Declarations of the command entry points (one per cmd_<name>.cpp).
int run_serve(command_context& ctx);
int run_migrate(command_context& ctx);
int run_check_config(command_context& ctx);
int run_predict_categories(command_context& ctx);
int run_run_job(command_context& ctx);
int run_import_dataset(command_context& ctx);
int run_import_predictions(command_context& ctx);
int run_import_robotoff(command_context& ctx);
int run_extract(command_context& ctx);
int run_ocr(command_context& ctx);
int run_replay_events(command_context& ctx);

}  // namespace robotoff::app
