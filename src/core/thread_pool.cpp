#include "robotoff/core/thread_pool.hpp"

#include "robotoff/core/log.hpp"

#include <pthread.h>

namespace robotoff::core {

void set_thread_name(const std::string& name) {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

thread_pool::thread_pool(std::string name, std::size_t threads, std::size_t max_queued)
    : name_(std::move(name)), max_queued_(max_queued) {
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) {
        threads_.emplace_back([this, i] { run(i); });
    }
}

thread_pool::~thread_pool() { stop(); }

bool thread_pool::try_submit(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= max_queued_) {
            return false;
        }
        queue_.push_back(std::move(task));
    }
    wake_.notify_one();
    return true;
}

void thread_pool::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && threads_.empty()) {
            return;
        }
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable()) {
            t.join();
        }
    }
    threads_.clear();
}

std::size_t thread_pool::discard_queued() {
    std::deque<std::function<void()>> dropped;
    {
        std::lock_guard lock(mutex_);
        dropped.swap(queue_);
    }
    return dropped.size();
}

std::size_t thread_pool::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

std::size_t thread_pool::busy() const {
    std::lock_guard lock(mutex_);
    return busy_;
}

void thread_pool::run(std::size_t index) {
    set_thread_name("rd-" + name_ + "-" + std::to_string(index));
    while (true) {
        std::function<void()> task;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                return;  // stopping and drained
            }
            task = std::move(queue_.front());
            queue_.pop_front();
            ++busy_;
        }
        try {
            task();
        } catch (const std::exception& e) {
            log::error("thread_pool.task_failed", {{"pool", name_}, {"error", e.what()}});
        } catch (...) {
            log::error("thread_pool.task_failed", {{"pool", name_}, {"error", "unknown exception"}});
        }
        std::lock_guard lock(mutex_);
        --busy_;
    }
}

}  // namespace robotoff::core
