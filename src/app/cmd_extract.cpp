// `robotoffd extract`: run the extractors on Vision JSON files, OCR text or a product name and print one JSON
// line per prediction (the format the insight importer reads back). Exit 0 when every input was read,
// 1 when one was unreadable or invalid (the others are still processed), 2 on bad usage.

#include "commands.hpp"

#include "robotoff/core/log.hpp"
#include "robotoff/core/product_ref.hpp"
#include "robotoff/extract/extract.hpp"
#include "robotoff/ocr/ocr_result.hpp"
#include "robotoff/ocr_engine/ocr_engine.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace robotoff::app {

namespace {

struct extract_args {
    std::vector<std::string> types;
    std::optional<std::string> barcode;
    std::optional<std::string> source_image;
    std::optional<std::string> data_dir;
    std::optional<extract::date> today;
    std::optional<std::string> text;
    std::optional<std::string> product_name;
    std::vector<std::string> files;
};

std::optional<extract::date> parse_date(const std::string& s) {
    int y = 0;
    int m = 0;
    int d = 0;
    char tail = 0;
    if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31) {
        return std::nullopt;
    }
    return extract::date{y, m, d};
}

std::vector<std::string> split_types(const std::string& list) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t comma = list.find(',', start);
        const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) {
            if (!extract::is_known_type(item)) {
                throw usage_failure("unknown prediction type '" + item + "'");
            }
            out.push_back(item);
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    if (out.empty()) {
        throw usage_failure("--types needs at least one type");
    }
    // Output order is the default set's order whatever the order on the command line; duplicates run once.
    const auto& order = extract::all_types();
    auto rank = [&order](const std::string& t) { return std::find(order.begin(), order.end(), t) - order.begin(); };
    std::stable_sort(out.begin(), out.end(), [&rank](const auto& a, const auto& b) { return rank(a) < rank(b); });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

extract_args parse_args(const std::vector<std::string>& args) {
    extract_args a;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        // Options take their value as the next argument or after '='.
        auto value_of = [&](const char* name) -> std::optional<std::string> {
            const std::string n(name);
            if (arg == n) {
                if (i + 1 >= args.size()) {
                    throw usage_failure(n + " needs a value");
                }
                return args[++i];
            }
            if (arg.rfind(n + "=", 0) == 0) {
                return arg.substr(n.size() + 1);
            }
            return std::nullopt;
        };
        if (auto v = value_of("--types")) {
            a.types = split_types(*v);
        } else if (auto v = value_of("--barcode")) {
            a.barcode = *v;
        } else if (auto v = value_of("--source-image")) {
            a.source_image = *v;
        } else if (auto v = value_of("--data-dir")) {
            a.data_dir = *v;
        } else if (auto v = value_of("--today")) {
            a.today = parse_date(*v);
            if (!a.today) {
                throw usage_failure("--today must be a date YYYY-MM-DD (got '" + *v + "')");
            }
        } else if (auto v = value_of("--text")) {
            a.text = *v;
        } else if (auto v = value_of("--product-name")) {
            a.product_name = *v;
        } else if (arg.size() > 1 && arg[0] == '-') {
            throw usage_failure("unknown option '" + arg + "'");
        } else {
            a.files.push_back(arg);
        }
    }
    const int sources = (a.text ? 1 : 0) + (a.product_name ? 1 : 0) + (a.files.empty() ? 0 : 1);
    if (sources == 0) {
        throw usage_failure("nothing to extract from: give --text, --product-name or FILE...");
    }
    if (sources > 1) {
        throw usage_failure("--text, --product-name and FILE... are mutually exclusive");
    }
    if (a.product_name && !a.types.empty()) {
        throw usage_failure("--types does not apply to --product-name (label, product_weight, brand)");
    }
    if (a.types.empty()) {
        a.types = extract::default_types();
    }
    return a;
}

// Identity of an input: barcode and source image from `<barcode>_<imageid>.json[.gz]` unless given.
struct input_identity {
    std::optional<std::string> barcode;
    std::optional<std::string> server_type;
    std::optional<std::string> source_image;
};

input_identity identity_of(const std::string& path, const extract_args& a) {
    input_identity id;
    std::string name = std::filesystem::path(path).filename().string();
    for (const char* ext : {".json.gz", ".json", ".jpg", ".jpeg", ".png", ".webp"}) {
        const std::string e(ext);
        if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
            name.resize(name.size() - e.size());
            break;
        }
    }
    const std::size_t us = name.rfind('_');
    if (us != std::string::npos && us > 0 && core::is_all_digits(name.substr(0, us)) &&
        core::is_all_digits(name.substr(us + 1))) {
        id.barcode = core::normalize_barcode(name.substr(0, us));
        id.source_image = core::source_image_path(*id.barcode, name.substr(us + 1));
    }
    if (a.barcode) {
        id.barcode = core::normalize_barcode(*a.barcode);
    }
    if (a.source_image) {
        id.source_image = a.source_image;
    }
    if (id.barcode) {
        id.server_type = "off";
    }
    return id;
}

// Path -> OCR result. The single place that knows input kinds: Vision JSON (plain or gzip), or an image
// (JPEG, PNG, WebP, recognised by its first bytes) read with local OCR (ocr-and-extraction.md §2.7) into the
// same Vision shape. Throws ocr::invalid_ocr, or ocr_engine::image_error for a refused image.
ocr::ocr_result load_input(const std::string& path, const core::config& cfg) {
    char head[12] = {};
    std::ifstream probe(path, std::ios::binary);
    probe.read(head, sizeof head);
    if (!ocr_engine::looks_like_image(std::string_view(head, static_cast<std::size_t>(probe.gcount())))) {
        return ocr::parse_vision_file(path);
    }
    // One engine for the whole command, created on first use (loading the models takes ~0.5 s).
    static std::unique_ptr<ocr_engine::engine> engine;
    const ocr_engine::service_settings settings = ocr_engine::settings_from_config(cfg);
    if (!engine) {
        engine = std::make_unique<ocr_engine::engine>(settings.engine);
    }
    return ocr::parse_vision_json(engine->recognize(ocr_engine::read_image_file(path, settings.engine.limits)).json);
}

std::optional<extract::category_resolver> category_resolver_for(const std::string& data_dir) {
    const std::filesystem::path dir = std::filesystem::path(data_dir) / "taxonomies";
    for (const char* name : {"categories.full.json.gz", "categories.full.json"}) {
        const auto path = dir / name;
        if (!std::filesystem::exists(path)) {
            continue;
        }
        try {
            std::shared_ptr<const taxonomy::taxonomy> t = taxonomy::taxonomy::load_file("categories", path.string());
            return extract::category_resolver(
                [t](std::string_view candidate) { return t->canonical(candidate); });
        } catch (const std::exception& e) {
            core::log::warning("extract.categories_unusable", {{"file", path.string()}, {"error", e.what()}});
            return std::nullopt;
        }
    }
    return std::nullopt;
}

void print(std::vector<extract::prediction>& predictions, const input_identity& id,
           const std::optional<std::string>& source_file) {
    for (auto& p : predictions) {
        p.barcode = id.barcode;
        p.server_type = id.server_type;
        p.source_image = id.source_image;
        p.source_file = source_file;
        std::string line = extract::to_json_line(p);
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), stdout);
    }
}

}  // namespace

int run_extract(command_context& ctx) {
    const extract_args a = parse_args(ctx.args);
    const std::string data_dir = a.data_dir ? *a.data_dir : ctx.cfg.get_string("data.dir");
    if (!std::filesystem::is_directory(data_dir)) {
        throw usage_failure("data directory '" + data_dir + "' does not exist");
    }
    extract::category_resolver resolver;
    const bool wants_category =
        !a.product_name && std::find(a.types.begin(), a.types.end(), "category") != a.types.end();
    if (wants_category) {
        if (auto r = category_resolver_for(data_dir)) {
            resolver = std::move(*r);
        }
    }
    // Only the lists of the requested types: start-up time matters for a command run per file batch.
    const std::vector<std::string> needed =
        a.product_name ? std::vector<std::string>{"label", "product_weight", "brand"} : a.types;
    const extract::rules rules = extract::load_rules(data_dir, std::move(resolver), needed);
    extract::options opts;
    if (a.today) {
        opts.today = *a.today;
    }

    if (a.product_name) {
        auto predictions = extract::extract_product_name(*a.product_name, rules, opts);
        input_identity id;
        if (a.barcode) {
            id.barcode = core::normalize_barcode(*a.barcode);
            id.server_type = "off";
        }
        print(predictions, id, std::nullopt);
        std::fflush(stdout);
        return 0;
    }
    if (a.text) {
        const ocr::ocr_result ocr = ocr::from_ocr_text(*a.text);
        auto predictions = extract::extract(ocr, rules, a.types, opts);
        print(predictions, identity_of("", a), std::nullopt);
        std::fflush(stdout);
        return 0;
    }
    int status = 0;
    for (const auto& file : a.files) {
        try {
            const ocr::ocr_result ocr = load_input(file, ctx.cfg);
            auto predictions = extract::extract(ocr, rules, a.types, opts);
            print(predictions, identity_of(file, a), file);
        } catch (const std::exception& e) {
            std::fflush(stdout);
            std::fprintf(stderr, "robotoffd extract: %s: %s\n", file.c_str(), e.what());
            status = 1;
        }
    }
    std::fflush(stdout);
    return status;
}

}  // namespace robotoff::app
