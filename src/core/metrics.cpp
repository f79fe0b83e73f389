#include "robotoff/core/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace robotoff::core {

namespace {

std::string format_number(double v) {
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        return std::to_string(static_cast<long long>(v));
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.9g", v);
    return buffer;
}

void escape_label_value(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
}

const char* kind_name(metrics_registry::kind k) {
    switch (k) {
    case metrics_registry::kind::counter: return "counter";
    case metrics_registry::kind::gauge: return "gauge";
    case metrics_registry::kind::histogram: return "histogram";
    }
    return "untyped";
}

// Inserts `extra` (already rendered, e.g. le="0.5") into a rendered label key.
std::string with_label(const std::string& key, const std::string& extra) {
    if (key.empty()) {
        return "{" + extra + "}";
    }
    return key.substr(0, key.size() - 1) + "," + extra + "}";
}

}  // namespace

std::vector<double> metrics_registry::default_buckets() {
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

std::string metrics_registry::label_key(const metric_labels& labels) {
    if (labels.empty()) {
        return {};
    }
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : labels) {
        if (!first) {
            out += ',';
        }
        first = false;
        out += k;
        out += "=\"";
        escape_label_value(out, v);
        out += '"';
    }
    out += '}';
    return out;
}

void metrics_registry::describe(std::string_view name, kind k, std::string_view help, std::vector<double> buckets) {
    std::lock_guard lock(mutex_);
    auto& f = families_[std::string(name)];
    f.k = k;
    f.help = help;
    f.buckets = std::move(buckets);
}

metrics_registry::family& metrics_registry::family_for(std::string_view name, kind k) {
    auto it = families_.find(name);
    if (it == families_.end()) {
        it = families_.emplace(std::string(name), family{}).first;
        it->second.k = k;
        it->second.buckets = default_buckets();
    }
    return it->second;
}

void metrics_registry::increment(std::string_view name, const metric_labels& labels, double by) {
    const auto key = label_key(labels);
    std::lock_guard lock(mutex_);
    family_for(name, kind::counter).by_labels[key].value += by;
}

void metrics_registry::set_gauge(std::string_view name, const metric_labels& labels, double value) {
    const auto key = label_key(labels);
    std::lock_guard lock(mutex_);
    family_for(name, kind::gauge).by_labels[key].value = value;
}

void metrics_registry::observe(std::string_view name, const metric_labels& labels, double value) {
    const auto key = label_key(labels);
    std::lock_guard lock(mutex_);
    auto& f = family_for(name, kind::histogram);
    auto& s = f.by_labels[key];
    if (s.bucket_counts.size() != f.buckets.size()) {
        s.bucket_counts.assign(f.buckets.size(), 0);
    }
    for (std::size_t i = 0; i < f.buckets.size(); ++i) {
        if (value <= f.buckets[i]) {
            s.bucket_counts[i] += 1;
        }
    }
    s.sum += value;
    s.count += 1;
}

void metrics_registry::add_collector(std::function<void(metrics_registry&)> collector) {
    std::lock_guard lock(mutex_);
    collectors_.push_back(std::move(collector));
}

double metrics_registry::value(std::string_view name, const metric_labels& labels) const {
    const auto key = label_key(labels);
    std::lock_guard lock(mutex_);
    const auto it = families_.find(name);
    if (it == families_.end()) {
        return 0;
    }
    const auto s = it->second.by_labels.find(key);
    return s == it->second.by_labels.end() ? 0 : s->second.value;
}

std::string metrics_registry::render() {
    std::vector<std::function<void(metrics_registry&)>> collectors;
    {
        std::lock_guard lock(mutex_);
        collectors = collectors_;
    }
    for (auto& c : collectors) {
        c(*this);
    }
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, f] : families_) {
        if (!f.help.empty()) {
            out += "# HELP " + name + " " + f.help + "\n";
        }
        out += "# TYPE " + name + " " + kind_name(f.k) + "\n";
        for (const auto& [key, s] : f.by_labels) {
            if (f.k != kind::histogram) {
                out += name + key + " " + format_number(s.value) + "\n";
                continue;
            }
            for (std::size_t i = 0; i < f.buckets.size(); ++i) {
                const double count = i < s.bucket_counts.size() ? s.bucket_counts[i] : 0;
                out += name + "_bucket" + with_label(key, "le=\"" + format_number(f.buckets[i]) + "\"") + " " +
                       format_number(count) + "\n";
            }
            out += name + "_bucket" + with_label(key, "le=\"+Inf\"") + " " + format_number(s.count) + "\n";
            out += name + "_sum" + key + " " + format_number(s.sum) + "\n";
            out += name + "_count" + key + " " + format_number(s.count) + "\n";
        }
    }
    return out;
}

}  // namespace robotoff::core
