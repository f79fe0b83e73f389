#pragma once
// DESIGN: the `ocr` pool. Owns `threads` worker threads named robotoffd-ocr-<n>; each creates ONE
// Tesseract engine at start, uses it for every job it runs and destroys it when it exits, so a TessBaseAPI
// never crosses threads. In front of them, a bounded queue of `max_queued` waiting jobs: submit() on a
// full queue throws busy_error at once (HTTP 503), it never blocks the caller.
//
// Threads: submit()/recognize() are thread-safe and may be called from any thread (I/O threads call
// submit() and wait on the future elsewhere; blocking callers use recognize()). Jobs never let an
// exception escape: errors travel to the caller through the future.
//
// Start-up: the constructor waits until every engine is initialised and throws engine_error if one
// failed (fail fast: missing tessdata). Shutdown (destructor or stop()): refuses new work, runs the jobs
// already queued, joins the threads; their engines are destroyed on their own threads.
//
// Parallelism comes from this pool, not from OpenMP inside Tesseract: the engine makes every OpenMP region
// single-threaded at run time (setenv("OMP_THREAD_LIMIT") in main is too late: libgomp reads it at load).

#include "robotoff/ocr_engine/engine.hpp"
#include "robotoff/ocr_engine/errors.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace robotoff::core {
class config;
}

namespace robotoff::ocr_engine {

struct service_settings {
    engine_settings engine;
    std::size_t threads = 2;      // ocr.threads
    std::size_t max_queued = 16;  // ocr.max_queued
};

// The ocr.* settings of a loaded configuration.
service_settings settings_from_config(const core::config& cfg);

class ocr_service {
public:
    explicit ocr_service(const service_settings& settings);
    ~ocr_service();
    ocr_service(const ocr_service&) = delete;
    ocr_service& operator=(const ocr_service&) = delete;

    // Queues the image; never blocks. Throws busy_error when the queue is full or the service stopped.
    // The future yields the result or rethrows image_error / deadline_error / engine_error.
    std::future<ocr_result> submit(std::string image_bytes, std::optional<deadline> until = std::nullopt);

    // submit() then wait. Blocks the calling thread: never call it on an I/O thread.
    ocr_result recognize(std::string image_bytes, std::optional<deadline> until = std::nullopt);

    // Refuses new work, finishes the queued jobs, joins the threads. Idempotent.
    void stop();

    std::size_t queued() const;
    std::size_t threads() const { return threads_.size(); }

private:
    struct job {
        std::string bytes;
        std::optional<deadline> until;
        std::promise<ocr_result> promise;
    };

    void run(std::size_t index, std::promise<void>& ready);

    service_settings settings_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<job> queue_;
    bool stopping_ = false;
    std::vector<std::jthread> threads_;
};

}  // namespace robotoff::ocr_engine
