#pragma once
// Prometheus metrics: counters, gauges and histograms with labels, rendered in the text exposition
// format 0.0.4. Thread-safe (one mutex; updates are a map lookup, fine at request/job granularity).
// Collectors registered with add_collector run at each scrape to refresh gauges (pool, queue depth).

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robotoff::core {

using metric_labels = std::vector<std::pair<std::string, std::string>>;

class metrics_registry {
public:
    enum class kind { counter, gauge, histogram };

    // Declares a metric family (help text and type). Updating an undeclared name declares it with empty help.
    void describe(std::string_view name, kind k, std::string_view help,
                  std::vector<double> buckets = default_buckets());

    void increment(std::string_view name, const metric_labels& labels = {}, double by = 1);
    void set_gauge(std::string_view name, const metric_labels& labels, double value);
    void observe(std::string_view name, const metric_labels& labels, double value);

    // Called (outside the registry lock) before each render.
    void add_collector(std::function<void(metrics_registry&)> collector);

    // Value of a counter or gauge series (0 if absent); for tests and health checks.
    double value(std::string_view name, const metric_labels& labels = {}) const;

    std::string render();

    static std::vector<double> default_buckets();

private:
    struct series {
        double value = 0;                 // counter/gauge
        std::vector<double> bucket_counts;
        double sum = 0;
        double count = 0;
    };
    struct family {
        kind k = kind::counter;
        std::string help;
        std::vector<double> buckets;
        std::map<std::string, series> by_labels;  // key: rendered label set
    };

    family& family_for(std::string_view name, kind k);
    static std::string label_key(const metric_labels& labels);

    mutable std::mutex mutex_;
    std::map<std::string, family, std::less<>> families_;
    std::vector<std::function<void(metrics_registry&)>> collectors_;
};

}  // namespace robotoff::core
