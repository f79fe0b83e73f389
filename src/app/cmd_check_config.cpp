#include "commands.hpp"

#include "robotoff/core/errors.hpp"
#include "robotoff/http/server.hpp"

#include <cstdio>

namespace robotoff::app {

int run_check_config(command_context& ctx) {
    bool print_defaults = false;
    bool print = false;
    for (const auto& a : ctx.args) {
        if (a == "--print-defaults") {
            print_defaults = true;
        } else if (a == "--print") {
            print = true;
        } else {
            throw usage_failure("unknown option '" + a + "'");
        }
    }
    if (print_defaults) {
        std::fputs(core::render_default_config().c_str(), stdout);
        return 0;
    }
    // Cross-setting checks that the table's types and bounds cannot express.
    http::server_settings listen;
    http::parse_listen_address(ctx.cfg.get_string("http.listen"), listen);
    const auto& backend = ctx.cfg.get_string("ocr.backend");
    if (backend != "gcv" && backend != "tesseract" && backend != "auto") {
        throw core::usage_error("ocr.backend must be gcv, tesseract or auto (got '" + backend + "')");
    }
    if (print) {
        for (const auto& spec : core::all_settings()) {
            const std::string name(spec.name);
            const auto& value = ctx.cfg.get_string(name);
            std::printf("%s = %s  (%s)\n", name.c_str(),
                        spec.secret && !value.empty() ? "********" : value.c_str(), ctx.cfg.origin(name).c_str());
        }
    }
    std::printf("configuration OK (%s)\n", ctx.cfg.source_path().c_str());
    return 0;
}

}  // namespace robotoff::app
