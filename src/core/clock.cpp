#include "robotoff/core/clock.hpp"

#include <cstdio>
#include <ctime>

namespace robotoff::core {

namespace {

std::tm to_utc_tm(time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return tm;
}

}  // namespace

std::string iso_timestamp(time_point t) {
    const std::tm tm = to_utc_tm(t);
    const auto since_epoch = t.time_since_epoch();
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count() % 1000000;
    if (micros < 0) {
        micros += 1000000;
    }
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros));
    return buffer;
}

std::string iso_date(time_point t) {
    const std::tm tm = to_utc_tm(t);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return buffer;
}

bool parse_iso_date(const std::string& text, time_point& out) {
    int y = 0, m = 0, d = 0;
    char extra = 0;
    if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3) {
        return false;
    }
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) {
        return false;
    }
    out = std::chrono::sys_days{ymd};
    return true;
}

double unix_seconds(time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace robotoff::core
