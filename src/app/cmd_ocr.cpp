// `robotoffd ocr IMAGE...`: local OCR (Tesseract + OpenCV) of image files, printed as Google Vision
// `images:annotate` JSON, one document per line in the order of the arguments (--pretty: indented).
// Images run in parallel on the `ocr` pool (ocr.threads engines). Exit 0 when every image was read,
// 1 when one was unreadable or refused (the others are still printed), 2 on bad usage.

#include "commands.hpp"

#include "robotoff/core/log.hpp"
#include "robotoff/ocr_engine/ocr_engine.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <future>
#include <optional>
#include <string>
#include <vector>

namespace robotoff::app {

int run_ocr(command_context& ctx) {
    bool pretty = false;
    std::vector<std::string> files;
    for (const auto& arg : ctx.args) {
        if (arg == "--pretty") {
            pretty = true;
        } else if (arg.size() > 1 && arg[0] == '-') {
            throw usage_failure("unknown option '" + arg + "'");
        } else {
            files.push_back(arg);
        }
    }
    if (files.empty()) {
        throw usage_failure("no image given: robotoffd ocr [--pretty] IMAGE...");
    }
    ocr_engine::service_settings settings = ocr_engine::settings_from_config(ctx.cfg);
    settings.threads = std::min<std::size_t>(settings.threads, files.size());
    ocr_engine::ocr_service service(settings);

    // At most max_queued images in flight (read, queued or done but not printed): memory stays bounded for
    // long lists and submit() never meets a full queue.
    const std::size_t window = std::max<std::size_t>(1, settings.max_queued);
    struct pending {
        std::string file;
        std::optional<std::future<ocr_engine::ocr_result>> result;
        std::string error;
    };
    std::deque<pending> in_flight;
    int status = 0;
    auto finish_front = [&] {
        pending p = std::move(in_flight.front());
        in_flight.pop_front();
        try {
            if (p.result) {
                const ocr_engine::ocr_result r = p.result->get();
                core::log::debug("ocr.image", {{"file", p.file}, {"rotation", r.orientation.rotation},
                                              {"method", r.orientation.method}, {"ms", r.timings.total_ms}});
                std::string out = pretty ? ocr_engine::to_vision_json(r.page, true) : r.json;
                out.push_back('\n');
                std::fwrite(out.data(), 1, out.size(), stdout);
                return;
            }
        } catch (const std::exception& e) {
            p.error = e.what();
        }
        std::fflush(stdout);
        std::fprintf(stderr, "robotoffd ocr: %s: %s\n", p.file.c_str(), p.error.c_str());
        status = 1;
    };
    for (const auto& file : files) {
        if (in_flight.size() >= window) {
            finish_front();
        }
        pending p{file, std::nullopt, {}};
        try {
            p.result = service.submit(ocr_engine::read_image_file(file, settings.engine.limits));
        } catch (const std::exception& e) {
            p.error = e.what();
        }
        in_flight.push_back(std::move(p));
    }
    while (!in_flight.empty()) {
        finish_front();
    }
    std::fflush(stdout);
    return status;
}

}  // namespace robotoff::app
