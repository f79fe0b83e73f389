// extract_bench: parse + extract over a directory of Vision OCR JSON files, N repetitions, one thread.
// Prints docs/s, MB/s (input bytes as stored, gzip included) by wall time and by the thread's CPU time (the
// figure that matters on a shared machine), and the CPU time spent parsing and in each extractor.
//
//   build/bench/extract_bench [--dir DIR] [--data-dir DIR] [--reps N] [--types T1,T2]
//
// Defaults: ../shared/samples/ocr, ../shared/data, 200 repetitions, the default OCR type set.

#include "robotoff/core/file_io.hpp"
#include "robotoff/extract/extract.hpp"
#include "robotoff/ocr/ocr_result.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

// CPU time of this thread: on a shared machine wall time also counts other processes' time slices.
double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string read_raw(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
    using namespace robotoff;
    std::string dir = ROBOTOFF_SHARED_DIR "/samples/ocr";
    std::string data_dir = ROBOTOFF_SHARED_DIR "/data";
    int reps = 200;
    std::vector<std::string> types = extract::default_types();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--dir") {
            dir = argv[i + 1];
        } else if (a == "--data-dir") {
            data_dir = argv[i + 1];
        } else if (a == "--reps") {
            reps = std::max(1, std::atoi(argv[i + 1]));
        } else if (a == "--types") {
            types.clear();
            std::stringstream ss(argv[i + 1]);
            std::string t;
            while (std::getline(ss, t, ',')) {
                types.push_back(t);
            }
        } else {
            std::fprintf(stderr, "usage: extract_bench [--dir DIR] [--data-dir DIR] [--reps N] [--types T1,T2]\n");
            return 2;
        }
    }

    std::vector<std::pair<std::string, std::string>> docs;  // (name, bytes as stored)
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        const bool json = name.size() > 5 && (name.ends_with(".json") || name.ends_with(".json.gz"));
        if (entry.is_regular_file() && json) {
            docs.emplace_back(name, read_raw(entry.path().string()));
        }
    }
    std::sort(docs.begin(), docs.end());
    if (docs.empty()) {
        std::fprintf(stderr, "no .json/.json.gz files in %s\n", dir.c_str());
        return 1;
    }
    std::size_t bytes = 0;
    for (const auto& d : docs) {
        bytes += d.second.size();
    }

    const auto load_start = clock_type::now();
    extract::category_resolver resolver;
    try {
        auto t = taxonomy::taxonomy::load_file("categories", data_dir + "/taxonomies/categories.full.json.gz");
        resolver = [t](std::string_view id) { return t->canonical(id); };
    } catch (const std::exception& e) {
        std::fprintf(stderr, "categories taxonomy unavailable (%s): category disabled\n", e.what());
    }
    const extract::rules rules = extract::load_rules(data_dir, resolver);
    const double load_s = std::chrono::duration<double>(clock_type::now() - load_start).count();

    extract::options opts;
    opts.today = extract::date{2025, 6, 1};
    std::vector<double> per_type(types.size(), 0.0);
    double parse_s = 0;
    std::size_t predictions = 0;
    std::size_t invalid = 0;
    const auto start = clock_type::now();
    const double cpu_start = thread_cpu_seconds();
    for (int r = 0; r < reps; ++r) {
        for (const auto& [name, raw] : docs) {
            const double p0 = thread_cpu_seconds();
            try {
                const ocr::ocr_result ocr = ocr::parse_vision_json(raw);
                parse_s += thread_cpu_seconds() - p0;
                predictions += extract::extract_timed(ocr, rules, types, opts, per_type).size();
            } catch (const ocr::invalid_ocr&) {
                parse_s += thread_cpu_seconds() - p0;
                ++invalid;
            }
        }
    }
    const double total_s = std::chrono::duration<double>(clock_type::now() - start).count();
    const double cpu_s = thread_cpu_seconds() - cpu_start;
    const double n_docs = static_cast<double>(docs.size()) * reps;

    std::printf("files: %zu (%.2f MB) from %s, repetitions: %d, rule load: %.3f s\n", docs.size(),
                static_cast<double>(bytes) / 1e6, dir.c_str(), reps, load_s);
    std::printf("documents: %.0f in %.3f s wall -> %.1f docs/s, %.1f MB/s (one thread)\n", n_docs, total_s,
                n_docs / total_s, static_cast<double>(bytes) * reps / 1e6 / total_s);
    std::printf("thread CPU time: %.3f s -> %.1f docs/s, %.1f MB/s per core\n", cpu_s, n_docs / cpu_s,
                static_cast<double>(bytes) * reps / 1e6 / cpu_s);
    std::printf("predictions per pass: %zu, invalid documents per pass: %zu\n", predictions / reps, invalid / reps);
    std::printf("%-20s %10s %8s %12s   (thread CPU time)\n", "stage", "total s", "share", "us/doc");
    std::printf("%-20s %10.3f %7.1f%% %12.1f\n", "parse", parse_s, 100 * parse_s / cpu_s, 1e6 * parse_s / n_docs);
    for (std::size_t i = 0; i < types.size(); ++i) {
        std::printf("%-20s %10.3f %7.1f%% %12.1f\n", types[i].c_str(), per_type[i], 100 * per_type[i] / cpu_s,
                    1e6 * per_type[i] / n_docs);
    }
    return 0;
}
