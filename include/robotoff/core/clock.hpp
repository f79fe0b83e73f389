#pragma once
// Time: an injectable clock (the scheduler and date-relative rules take one so tests drive time) and
// the timestamp formats of the spec (README §5: UTC ISO 8601 without offset, with microseconds).

#include <chrono>
#include <mutex>
#include <string>

namespace robotoff::core {

using time_point = std::chrono::system_clock::time_point;

class clock {
public:
    virtual ~clock() = default;
    // Thread-safe.
    virtual time_point now() const = 0;
};

class system_clock final : public clock {
public:
    time_point now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to (tests).
class manual_clock final : public clock {
public:
    explicit manual_clock(time_point start) : now_(start) {}
    time_point now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void advance(std::chrono::microseconds d) {
        std::lock_guard lock(mutex_);
        now_ += d;
    }
    void set(time_point t) {
        std::lock_guard lock(mutex_);
        now_ = t;
    }

private:
    mutable std::mutex mutex_;
    time_point now_;
};

// "2024-05-02T14:03:11.482913"
std::string iso_timestamp(time_point t);
// "2024-05-02"
std::string iso_date(time_point t);
// Parses "YYYY-MM-DD" (UTC midnight); false if malformed.
bool parse_iso_date(const std::string& text, time_point& out);
double unix_seconds(time_point t);

}  // namespace robotoff::core
