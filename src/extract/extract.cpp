// The dispatcher: type names -> extractor functions, the default set and its order, the product-name path.

#include "internal.hpp"

#include "robotoff/text/normalize.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <stdexcept>

namespace robotoff::extract {

namespace {

using extractor_fn = void (*)(const document&, const rule_data&, std::vector<prediction>&);

struct entry {
    const char* type;
    extractor_fn fn;
};

// Default set first, in its §4 order, then the on-request types.
constexpr entry registry[] = {
    {"category", extract_category},
    {"label", extract_label},
    {"packager_code", extract_packager_code},
    {"product_weight", extract_product_weight},
    {"image_flag", extract_image_flag},
    {"expiration_date", extract_expiration_date},
    {"brand", extract_brand},
    {"store", extract_store},
    {"packaging", extract_packaging},
    {"nutrient", extract_nutrient},
    {"nutrient_mention", extract_nutrient_mention},
    {"image_lang", extract_image_lang},
    {"image_orientation", extract_image_orientation},
    {"trace", extract_trace},
    {"location", extract_location},
};
constexpr std::size_t default_count = 13;

extractor_fn find_extractor(std::string_view type) {
    for (const auto& e : registry) {
        if (type == e.type) {
            return e.fn;
        }
    }
    return nullptr;
}

}  // namespace

const std::vector<std::string>& default_types() {
    static const std::vector<std::string> types = [] {
        std::vector<std::string> v;
        for (std::size_t i = 0; i < default_count; ++i) {
            v.emplace_back(registry[i].type);
        }
        return v;
    }();
    return types;
}

const std::vector<std::string>& all_types() {
    static const std::vector<std::string> types = [] {
        std::vector<std::string> v;
        for (const auto& e : registry) {
            v.emplace_back(e.type);
        }
        return v;
    }();
    return types;
}

bool is_known_type(std::string_view type) { return find_extractor(type) != nullptr; }

date today_utc() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    return date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

const text::lowered_text& document::lowered_default() const {
    if (!lowered_default_) {
        lowered_default_ = text::lower_for_matching(default_text());
    }
    return *lowered_default_;
}

data_builder& data_builder::str(std::u32string_view s) {
    const std::string u = text::to_utf8(s);
    writer_.String(u.data(), static_cast<rapidjson::SizeType>(u.size()));
    return *this;
}

data_builder& data_builder::box(const std::optional<ocr::bounding_box>& b) {
    if (b) {
        writer_.Key("bounding_box_absolute");
        writer_.StartArray();
        for (int v : *b) {
            writer_.Int(v);
        }
        writer_.EndArray();
    }
    return *this;
}

void flush_in_order(std::vector<positioned>& pending, std::vector<prediction>& out) {
    std::stable_sort(pending.begin(), pending.end(),
                     [](const positioned& a, const positioned& b) { return a.pos < b.pos; });
    for (auto& p : pending) {
        out.push_back(std::move(p.p));
    }
    pending.clear();
}

std::string utf8(std::u32string_view s) { return text::to_utf8(s); }

std::u32string_view slice(const std::u32string& s, std::size_t start, std::size_t end) {
    return std::u32string_view(s).substr(start, end - start);
}

namespace {

std::vector<extractor_fn> resolve(const std::vector<std::string>& types) {
    std::vector<extractor_fn> fns;
    fns.reserve(types.size());
    for (const auto& t : types) {
        extractor_fn fn = find_extractor(t);
        if (fn == nullptr) {
            throw std::invalid_argument("unknown prediction type '" + t + "'");
        }
        fns.push_back(fn);
    }
    return fns;
}

// CPU time of the calling thread: per-extractor figures stay meaningful on a busy machine.
double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

std::vector<prediction> extract(const ocr::ocr_result& ocr, const rules& r, const std::vector<std::string>& types,
                                const options& opts) {
    const std::vector<extractor_fn> fns = resolve(types);
    const document d(ocr, opts, false);
    std::vector<prediction> out;
    for (std::size_t i = 0; i < fns.size(); ++i) {
        if (!r.is_disabled(types[i])) {
            fns[i](d, r.data(), out);
        }
    }
    return out;
}

std::vector<prediction> extract_timed(const ocr::ocr_result& ocr, const rules& r,
                                      const std::vector<std::string>& types, const options& opts,
                                      std::vector<double>& seconds_by_type) {
    const std::vector<extractor_fn> fns = resolve(types);
    if (seconds_by_type.size() < types.size()) {
        seconds_by_type.resize(types.size(), 0.0);
    }
    const document d(ocr, opts, false);
    std::vector<prediction> out;
    for (std::size_t i = 0; i < fns.size(); ++i) {
        if (r.is_disabled(types[i])) {
            continue;
        }
        const double start = thread_cpu_seconds();
        fns[i](d, r.data(), out);
        seconds_by_type[i] += thread_cpu_seconds() - start;
    }
    return out;
}

std::vector<prediction> extract_product_name(std::string_view product_name, const rules& r, const options& opts) {
    const ocr::ocr_result ocr = ocr::from_plain_text(product_name);
    const document d(ocr, opts, true);
    std::vector<prediction> out;
    for (const char* type : {"label", "product_weight", "brand"}) {
        if (r.is_disabled(type)) {
            continue;
        }
        find_extractor(type)(d, r.data(), out);
    }
    for (auto& p : out) {
        p.automatic_processing = false;
        // data.source = "product_name": data is a compact object, so splice the key in before the final '}'.
        std::string& data = p.data;
        const bool empty = data == "{}";
        data.pop_back();
        data += empty ? "\"source\":\"product_name\"}" : ",\"source\":\"product_name\"}";
    }
    return out;
}

}  // namespace robotoff::extract
