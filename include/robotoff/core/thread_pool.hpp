#pragma once
// A named pool of threads with a BOUNDED queue. try_submit never blocks: a full queue returns false so
// the caller answers 503 instead of piling up work. Threads are named "robotoffd-<name>-<n>".
// Thread-safe. stop() (also run by the destructor) lets queued tasks run, then joins every thread.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace robotoff::core {

class thread_pool {
public:
    thread_pool(std::string name, std::size_t threads, std::size_t max_queued);
    ~thread_pool();
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    // Queues a task; false if the queue is full or the pool is stopping. Never blocks.
    bool try_submit(std::function<void()> task);

    // Stops accepting, runs what is queued, joins the threads. Idempotent.
    void stop();
    // Drops the tasks that have not started (shutdown: their clients are gone); returns how many.
    std::size_t discard_queued();

    std::size_t queued() const;
    std::size_t busy() const;
    std::size_t size() const { return threads_.size(); }
    const std::string& name() const { return name_; }

private:
    void run(std::size_t index);

    std::string name_;
    std::size_t max_queued_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    std::size_t busy_ = 0;
    bool stopping_ = false;
    std::vector<std::jthread> threads_;
};

// Sets the calling thread's name as seen by ps/top/gdb (truncated to 15 bytes).
void set_thread_name(const std::string& name);

}  // namespace robotoff::core
