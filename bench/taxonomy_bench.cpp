// Loads every taxonomy of data.dir the way the daemon does and prints the time taken.
// Usage: taxonomy_bench [data_dir]   (default: the shared data folder). Measure RSS with /usr/bin/time -v.
#include "robotoff/taxonomy/taxonomy.hpp"

#include <time.h>

#include <chrono>
#include <cstdio>

namespace {

double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string data_dir = argc > 1 ? argv[1] : ROBOTOFF_SHARED_DIR "/data";
    robotoff::taxonomy::taxonomy_set set;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_ms();
    const auto missing = set.load_from_dirs(data_dir);
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const double cpu = cpu_ms() - cpu_start;
    std::size_t nodes = 0;
    std::size_t keys = 0;
    for (const auto& name : set.loaded_names()) {
        auto t = set.get(name);
        nodes += t->size();
        keys += t->synonym_index_size();
        std::printf("%-20s nodes=%zu synonym_keys=%zu\n", name.c_str(), t->size(), t->synonym_index_size());
    }
    // CPU time beside wall time: on the shared 2-core machine the wall figure mostly measures contention.
    std::printf("loaded=%zu missing=%zu nodes=%zu synonym_keys=%zu load_ms=%.1f cpu_ms=%.1f\n",
                set.loaded_names().size(), missing.size(), nodes, keys, ms, cpu);
    return missing.empty() ? 0 : 1;
}
