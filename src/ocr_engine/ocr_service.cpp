#include "robotoff/ocr_engine/ocr_service.hpp"

#include "robotoff/core/config.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/core/thread_pool.hpp"

#include <exception>
#include <string>

namespace robotoff::ocr_engine {

service_settings settings_from_config(const core::config& cfg) {
    service_settings s;
    s.engine.languages = cfg.get_string("ocr.tesseract_langs");
    s.engine.tessdata_path = cfg.get_string("ocr.tessdata_path");
    s.engine.limits.max_bytes = static_cast<std::uint64_t>(cfg.get_int("ocr.max_image_bytes"));
    s.engine.limits.max_pixels = static_cast<std::uint64_t>(cfg.get_int("ocr.max_image_pixels"));
    s.threads = static_cast<std::size_t>(cfg.get_int("ocr.threads"));
    s.max_queued = static_cast<std::size_t>(cfg.get_int("ocr.max_queued"));
    return s;
}

ocr_service::ocr_service(const service_settings& settings) : settings_(settings) {
    const std::size_t count = settings_.threads == 0 ? 1 : settings_.threads;
    // Each thread reports once its engine exists (or why it could not be built).
    std::vector<std::promise<void>> ready(count);
    threads_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        threads_.emplace_back([this, i, &ready] { run(i, ready[i]); });
    }
    std::exception_ptr failure;
    for (auto& r : ready) {
        try {
            r.get_future().get();
        } catch (...) {
            if (!failure) {
                failure = std::current_exception();
            }
        }
    }
    if (failure) {
        stop();
        std::rethrow_exception(failure);
    }
    core::log::debug("ocr.started", {{"threads", count},
                                     {"max_queued", settings_.max_queued},
                                     {"languages", settings_.engine.languages},
                                     {"tesseract", tesseract_version()}});
}

ocr_service::~ocr_service() {
    stop();
}

void ocr_service::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable()) {
            t.join();
        }
    }
}

std::future<ocr_result> ocr_service::submit(std::string image_bytes, std::optional<deadline> until) {
    std::future<ocr_result> future;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            throw busy_error("the OCR service is stopping");
        }
        if (queue_.size() >= settings_.max_queued) {
            throw busy_error("every OCR engine is busy and " + std::to_string(queue_.size()) +
                             " images are waiting (ocr.max_queued)");
        }
        auto& j = queue_.emplace_back();
        j.bytes = std::move(image_bytes);
        j.until = until;
        future = j.promise.get_future();
    }
    wake_.notify_one();
    return future;
}

ocr_result ocr_service::recognize(std::string image_bytes, std::optional<deadline> until) {
    return submit(std::move(image_bytes), until).get();
}

std::size_t ocr_service::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void ocr_service::run(std::size_t index, std::promise<void>& ready) {
    core::set_thread_name("robotoffd-ocr-" + std::to_string(index));
    std::unique_ptr<engine> eng;
    try {
        eng = std::make_unique<engine>(settings_.engine);
        ready.set_value();
    } catch (...) {
        ready.set_exception(std::current_exception());
        return;
    }
    // `ready` lives in the constructor's frame: it must not be touched after set_value().
    while (true) {
        job j;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                break;   // stopping and nothing left to run
            }
            j = std::move(queue_.front());
            queue_.pop_front();
        }
        try {
            if (j.until && std::chrono::steady_clock::now() >= *j.until) {
                throw deadline_error("OCR deadline passed while the image waited for an engine");
            }
            j.promise.set_value(eng->recognize(j.bytes, j.until));
        } catch (...) {
            j.promise.set_exception(std::current_exception());
        }
    }
    eng.reset();   // destroyed on its own thread
}

}  // namespace robotoff::ocr_engine
