// ocr_bench: figures for issue 6 (local OCR). Modes:
//   ocr_bench recall [TARGET_LONG_SIDE]   word recall/precision vs Google Vision on the 3 photos with Vision JSON
//                                         (the engine pipeline; with OCR_BENCH_PRE=none|adaptive:B:C|otsu|clahe|blur
//                                         the given step at TARGET_LONG_SIDE, OCR_BENCH_MAXUP=x caps the upscale,
//                                         OCR_BENCH_VAR=name=value sets a Tesseract variable, OCR_BENCH_DIFF=1
//                                         lists missed and extra words)
//   ocr_bench orientation [--full]        OSD decision on every sample photo rotated 0/90/180/270 in memory;
//                                         --full also OCRs the 3 Vision photos (OCR_BENCH_ALL=1: every photo
//                                         with text) end to end and checks the §2.5 orientation of the boxes
//   ocr_bench cli [REPEAT]                engine CPU time vs the `tesseract` CLI's (minus its start-up) on the
//                                         same preprocessed PNG, languages and page mode; best of REPEAT
//   ocr_bench throughput THREADS [REPEAT] images/s through ocr_service with THREADS engines
// Runs itself again with OMP_THREAD_LIMIT=1 in the environment (libgomp reads it when it loads).

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/ocr_engine/ocr_engine.hpp"
#include "robotoff/text/normalize.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace oe = robotoff::ocr_engine;
namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

const std::string samples = ROBOTOFF_SHARED_DIR "/samples";
const std::vector<std::string> vision_photos = {"0011110702081_2", "2509757363133_2", "4903015130266_2"};

double ms_since(clock_type::time_point t) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

std::vector<std::string> all_photos() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(samples + "/images")) {
        if (e.path().extension() == ".jpg") {
            out.push_back(e.path().stem().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Lower-cased, punctuation stripped (only letters and digits kept); empty words dropped.
std::string normalize_word(const std::string& word) {
    std::u32string out;
    for (char32_t c : robotoff::text::to_u32(robotoff::text::lower(word))) {
        if (robotoff::text::is_letter(c) || robotoff::text::is_digit(c)) {
            out += c;
        }
    }
    return robotoff::text::to_utf8(out);
}

std::map<std::string, int> vision_words(const std::string& name) {
    const auto doc = robotoff::core::parse_json(robotoff::core::read_file(samples + "/ocr/" + name + ".json"));
    std::map<std::string, int> out;
    for (const auto& page : doc["responses"][0]["fullTextAnnotation"]["pages"].GetArray()) {
        for (const auto& block : page["blocks"].GetArray()) {
            for (const auto& para : block["paragraphs"].GetArray()) {
                for (const auto& word : para["words"].GetArray()) {
                    std::string text;
                    for (const auto& s : word["symbols"].GetArray()) {
                        text += s["text"].GetString();
                    }
                    if (auto n = normalize_word(text); !n.empty()) {
                        ++out[n];
                    }
                }
            }
        }
    }
    return out;
}

std::map<std::string, int> our_words(const oe::ocr_page& page) {
    std::map<std::string, int> out;
    for (const auto& block : page.blocks) {
        for (const auto& para : block.paragraphs) {
            for (const auto& word : para.words) {
                if (auto n = normalize_word(oe::word_text(word, false)); !n.empty()) {
                    ++out[n];
                }
            }
        }
    }
    return out;
}

int total(const std::map<std::string, int>& m) {
    int n = 0;
    for (const auto& [w, c] : m) {
        n += c;
    }
    return n;
}

int common(const std::map<std::string, int>& a, const std::map<std::string, int>& b) {
    int n = 0;
    for (const auto& [w, c] : a) {
        if (auto it = b.find(w); it != b.end()) {
            n += std::min(c, it->second);
        }
    }
    return n;
}

// The §2.5 vote over the page's word boxes.
std::string page_orientation(const oe::ocr_page& page) {
    std::map<std::string, int> votes;
    std::vector<std::string> order;
    for (const auto& block : page.blocks) {
        for (const auto& para : block.paragraphs) {
            for (const auto& word : para.words) {
                const std::string o = oe::quad_orientation(word.box);
                if (votes[o]++ == 0) {
                    order.push_back(o);
                }
            }
        }
    }
    std::string best = "unknown";
    int best_count = 0;
    for (const auto& o : order) {
        if (votes[o] > best_count) {
            best = o;
            best_count = votes[o];
        }
    }
    return best;
}

std::string rotation_name(int degrees_to_fix) {
    switch (degrees_to_fix) {
    case 90:
        return "left";
    case 180:
        return "down";
    case 270:
        return "right";
    default:
        return "up";
    }
}

int run_recall(double target) {
    oe::engine eng(oe::engine_settings{});
    if (const char* var = std::getenv("OCR_BENCH_VAR")) {
        const std::string v = var;
        const auto eq = v.find('=');
        if (eq == std::string::npos || !eng.set_variable(v.substr(0, eq), v.substr(eq + 1))) {
            std::fprintf(stderr, "cannot set %s\n", var);
            return 1;
        }
    }
    std::printf("photo                 vision_words ours common recall precision ms  (long side target %.0f)\n",
                target);
    for (const auto& name : vision_photos) {
        const std::string bytes = robotoff::core::read_file(samples + "/images/" + name + ".jpg");
        const auto v = vision_words(name);
        if (!std::getenv("OCR_BENCH_PRE")) {
            // The engine's own pipeline, as robotoffd runs it.
            const auto result = eng.recognize(bytes);
            const auto o = our_words(result.page);
            const int c = common(v, o);
            std::printf("%-21s %12d %4d %6d %5.1f%% %8.1f%% %5.0f  (engine pipeline, rotation %d by %s)\n",
                        name.c_str(), total(v), total(o), c, 100.0 * c / total(v), 100.0 * c / std::max(1, total(o)),
                        result.timings.total_ms, result.orientation.rotation, result.orientation.method);
            continue;
        }
        const auto t = clock_type::now();
        auto decoded = oe::decode_gray(bytes, {});
        const char* maxup = std::getenv("OCR_BENCH_MAXUP");
        const double factor =
            oe::ocr_scale_factor(decoded.gray.width, decoded.gray.height, target, maxup ? std::atof(maxup) : 3.0);
        auto scaled = oe::scale(decoded.gray, factor);
        if (const char* pre = std::getenv("OCR_BENCH_PRE")) {
            // Candidate preprocessing steps, measured here before any goes into preprocess.cpp.
            cv::Mat m(scaled.height, scaled.width, CV_8UC1, scaled.pixels.data());
            cv::Mat out;
            const std::string p = pre;
            if (p == "clahe") {
                cv::createCLAHE(2.0, cv::Size(8, 8))->apply(m, out);
            } else if (p.rfind("adaptive", 0) == 0) {
                int block = 31;
                int c = 15;
                std::sscanf(p.c_str(), "adaptive:%d:%d", &block, &c);
                cv::adaptiveThreshold(m, out, 255, cv::ADAPTIVE_THRESH_GAUSSIAN_C, cv::THRESH_BINARY, block, c);
            } else if (p == "otsu") {
                cv::threshold(m, out, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
            } else if (p == "blur") {
                cv::GaussianBlur(m, out, cv::Size(3, 3), 0);
            } else if (p == "normalize") {
                cv::normalize(m, out, 0, 255, cv::NORM_MINMAX);
            } else {
                out = m.clone();
            }
            std::copy(out.datastart, out.dataend, scaled.pixels.begin());
        }
        const auto osd = eng.detect_orientation(scaled);
        const auto decision = oe::decide_orientation(osd, 0);
        const oe::upright_transform tr{decision.rotation, factor, decoded.gray.width, decoded.gray.height};
        const auto page = eng.recognize_upright(oe::rotate_clockwise(scaled, decision.rotation), tr);
        const double ms = ms_since(t);
        const auto o = our_words(page);
        const int c = common(v, o);
        std::printf("%-21s %12d %4d %6d %5.1f%% %8.1f%% %5.0f  (scale %.2f, rotation %d)\n", name.c_str(), total(v),
                    total(o), c, 100.0 * c / total(v), 100.0 * c / std::max(1, total(o)), ms, factor,
                    decision.rotation);
        if (std::getenv("OCR_BENCH_DIFF")) {
            std::printf("  missed:");
            for (const auto& [w, n] : v) {
                const auto it = o.find(w);
                for (int i = it == o.end() ? 0 : it->second; i < n; ++i) {
                    std::printf(" %s", w.c_str());
                }
            }
            std::printf("\n  extra:");
            for (const auto& [w, n] : o) {
                const auto it = v.find(w);
                for (int i = it == v.end() ? 0 : it->second; i < n; ++i) {
                    std::printf(" %s", w.c_str());
                }
            }
            std::printf("\n");
        }
    }
    return 0;
}

// Rotation that makes each stored photo upright (checked by eye and, for the three, by Vision's boxes);
// photos with no readable text cannot have a right answer and are reported apart.
int base_rotation(const std::string& name) {
    return name == "2509757363133_2" ? 90 : 0;
}
bool has_text(const std::string& name) {
    return name != "0207831014507_1";
}

int run_orientation(bool full, double osd_side) {
    oe::engine eng(oe::engine_settings{});
    int right = 0;
    int all = 0;
    int right_vision = 0;
    int all_vision = 0;
    for (const auto& name : all_photos()) {
        const std::string bytes = robotoff::core::read_file(samples + "/images/" + name + ".jpg");
        const auto decoded = oe::decode_gray(bytes, {});
        const double factor = osd_side > 0 ? osd_side / std::max(decoded.gray.width, decoded.gray.height)
                                           : oe::ocr_scale_factor(decoded.gray.width, decoded.gray.height);
        const auto scaled = oe::scale(decoded.gray, factor);
        if (!has_text(name)) {
            continue;
        }
        const bool is_vision = std::find(vision_photos.begin(), vision_photos.end(), name) != vision_photos.end();
        std::printf("%-24s", name.c_str());
        for (int turn : {0, 90, 180, 270}) {
            // The photo turned clockwise by `turn` needs (360 - turn) to read upright again.
            const int expected = (base_rotation(name) + 360 - turn) % 360;
            const auto t = clock_type::now();
            const auto osd = eng.detect_orientation(oe::rotate_clockwise(scaled, turn));
            const auto decision = oe::decide_orientation(osd, 0);
            const bool ok = decision.rotation == expected;
            right += ok;
            ++all;
            if (is_vision) {
                right_vision += ok;
                ++all_vision;
            }
            std::printf("  %3d:%s %3d c=%5.2f %4.0fms", turn, ok ? "ok" : "KO", decision.rotation,
                        osd.ok ? osd.confidence : -1.0, ms_since(t));
        }
        std::printf("\n");
    }
    std::printf("OSD decision right: %d/%d (photos with Vision JSON: %d/%d)\n", right, all, right_vision, all_vision);
    if (!full) {
        return 0;
    }
    // End to end: encode each turned photo, run the whole pipeline, read the orientation back from the boxes.
    int e2e_right = 0;
    int e2e_all = 0;
    std::vector<std::string> photos = vision_photos;
    if (std::getenv("OCR_BENCH_ALL")) {
        photos.clear();
        for (const auto& name : all_photos()) {
            if (has_text(name)) {
                photos.push_back(name);
            }
        }
    }
    for (const auto& name : photos) {
        const std::string bytes = robotoff::core::read_file(samples + "/images/" + name + ".jpg");
        const auto decoded = oe::decode_gray(bytes, {});
        for (int turn : {0, 90, 180, 270}) {
            const auto turned = oe::rotate_clockwise(decoded.gray, turn);
            const cv::Mat mat(turned.height, turned.width, CV_8UC1, const_cast<std::uint8_t*>(turned.pixels.data()));
            std::vector<std::uint8_t> png;
            cv::imencode(".png", mat, png);
            const auto result = eng.recognize(std::string(png.begin(), png.end()));
            const std::string got = page_orientation(result.page);
            const std::string want = rotation_name((base_rotation(name) + 360 - turn) % 360);
            e2e_right += got == want;
            ++e2e_all;
            std::printf("%s turned %3d: boxes say %-5s (want %-5s) %s, rotation %d by %s, %.0f ms\n", name.c_str(),
                        turn, got.c_str(), want.c_str(), got == want ? "ok" : "KO", result.orientation.rotation,
                        result.orientation.method, result.timings.total_ms);
        }
    }
    std::printf("end-to-end orientation right: %d/%d\n", e2e_right, e2e_all);
    return 0;
}

// Rotation trials: recognize each turned photo at the four rotations and print the confidence figures that
// a "keep the most confident" rule could use.
int run_trials(double side) {
    oe::engine eng(oe::engine_settings{});
    int right_mean = 0;
    int right_good = 0;
    int all = 0;
    for (const auto& name : all_photos()) {
        if (!has_text(name)) {
            continue;
        }
        const std::string bytes = robotoff::core::read_file(samples + "/images/" + name + ".jpg");
        const auto decoded = oe::decode_gray(bytes, {});
        const double factor = oe::ocr_scale_factor(decoded.gray.width, decoded.gray.height, side);
        const auto scaled = oe::scale(decoded.gray, factor);
        for (int turn : {0, 90}) {
            const int expected = (base_rotation(name) + 360 - turn) % 360;
            const auto turned = oe::rotate_clockwise(scaled, turn);
            std::printf("%-22s turn %3d want %3d:", name.c_str(), turn, expected);
            int best_mean_r = 0;
            int best_good_r = 0;
            double best_mean = -1;
            double best_good = -1;
            for (int r : {0, 90, 180, 270}) {
                const auto t = clock_type::now();
                const auto page = eng.recognize_upright(oe::rotate_clockwise(turned, r),
                                                        {r, 1.0, turned.width, turned.height});
                double mean = 0;
                int words = 0;
                for (const auto& b : page.blocks) {
                    for (const auto& p : b.paragraphs) {
                        for (const auto& w : p.words) {
                            mean += w.confidence * 100;
                            ++words;
                        }
                    }
                }
                mean = words ? mean / words : 0;
                const double good = oe::confident_letters(page);
                if (mean > best_mean) {
                    best_mean = mean;
                    best_mean_r = r;
                }
                if (good > best_good) {
                    best_good = good;
                    best_good_r = r;
                }
                std::printf("  r%3d mean %3.0f good %4.0f %4.0fms", r, mean, good, ms_since(t));
            }
            right_mean += best_mean_r == expected;
            right_good += best_good_r == expected;
            ++all;
            std::printf("  | mean->%d good->%d\n", best_mean_r, best_good_r);
        }
    }
    std::printf("trials right: by mean confidence %d/%d, by confident letters %d/%d\n", right_mean, all, right_good,
                all);
    return 0;
}

int run_cli(int repeat) {
    const oe::engine_settings settings;
    oe::engine eng(settings);
    const std::string dir = "/tmp/ocr_bench." + std::to_string(::getpid());
    fs::create_directories(dir);
    // Cost of starting the CLI and loading the models, measured on a tiny blank image.
    {
        cv::Mat blank(32, 32, CV_8UC1, cv::Scalar(255));
        cv::imwrite(dir + "/blank.png", blank);
    }
    // CPU time (user + system) of the child: the machine is shared, wall time alone is noise.
    struct timing {
        double wall_ms;
        double cpu_ms;
    };
    auto run_cli_once = [&](const std::string& png) {
        const std::string langs = settings.languages;
        const char* args[] = {"tesseract", png.c_str(), "-", "-l", langs.c_str(), "--oem", "1", "--psm", "3", nullptr};
        const auto t = clock_type::now();
        pid_t pid = 0;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        if (posix_spawnp(&pid, "tesseract", &actions, nullptr, const_cast<char* const*>(args), environ) != 0) {
            std::fprintf(stderr, "cannot run tesseract\n");
        }
        posix_spawn_file_actions_destroy(&actions);
        int status = 0;
        struct rusage usage {};
        ::wait4(pid, &status, 0, &usage);
        const double cpu = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
                           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
        return timing{ms_since(t), cpu};
    };
    auto thread_cpu_ms = [] {
        timespec ts{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
    };
    timing startup{1e18, 1e18};
    for (int i = 0; i < 3; ++i) {
        const timing t = run_cli_once(dir + "/blank.png");
        startup = {std::min(startup.wall_ms, t.wall_ms), std::min(startup.cpu_ms, t.cpu_ms)};
    }
    std::printf("CLI start-up + model load (blank 32x32 image, best of 3): wall %.0f ms, cpu %.0f ms\n",
                startup.wall_ms, startup.cpu_ms);
    std::printf("photo                   engine_cpu  cli_cpu-startup  ratio | engine_wall  cli_wall-startup\n");
    double sum_engine = 0;
    double sum_cli = 0;
    for (const auto& name : all_photos()) {
        const std::string bytes = robotoff::core::read_file(samples + "/images/" + name + ".jpg");
        const auto decoded = oe::decode_gray(bytes, {});
        const double factor = oe::ocr_scale_factor(decoded.gray.width, decoded.gray.height);
        const auto scaled = oe::binarize(oe::scale(decoded.gray, factor));
        const std::string png = dir + "/" + name + ".png";
        const cv::Mat mat(scaled.height, scaled.width, CV_8UC1, const_cast<std::uint8_t*>(scaled.pixels.data()));
        cv::imwrite(png, mat);
        const oe::upright_transform tr{0, factor, decoded.gray.width, decoded.gray.height};
        timing best_engine{1e18, 1e18};
        timing best_cli{1e18, 1e18};
        for (int i = 0; i < repeat; ++i) {
            const auto t = clock_type::now();
            const double c = thread_cpu_ms();
            (void)eng.recognize_upright(scaled, tr);
            const double cpu = thread_cpu_ms() - c;
            best_engine = {std::min(best_engine.wall_ms, ms_since(t)), std::min(best_engine.cpu_ms, cpu)};
            const timing cli = run_cli_once(png);
            best_cli = {std::min(best_cli.wall_ms, cli.wall_ms), std::min(best_cli.cpu_ms, cli.cpu_ms)};
        }
        const double cli_cpu = best_cli.cpu_ms - startup.cpu_ms;
        sum_engine += best_engine.cpu_ms;
        sum_cli += cli_cpu;
        std::printf("%-24s %10.0f %16.0f %6.3f | %11.0f %17.0f\n", name.c_str(), best_engine.cpu_ms, cli_cpu,
                    best_engine.cpu_ms / cli_cpu, best_engine.wall_ms, best_cli.wall_ms - startup.wall_ms);
    }
    std::printf("total CPU: engine %.0f ms, CLI minus start-up %.0f ms, ratio %.3f\n", sum_engine, sum_cli,
                sum_engine / sum_cli);
    fs::remove_all(dir);
    return 0;
}

int run_throughput(std::size_t threads, int repeat) {
    oe::service_settings settings;
    settings.threads = threads;
    settings.max_queued = 10000;
    oe::ocr_service service(settings);
    std::vector<std::string> images;
    for (const auto& name : all_photos()) {
        images.push_back(robotoff::core::read_file(samples + "/images/" + name + ".jpg"));
    }
    const auto t = clock_type::now();
    std::vector<std::future<oe::ocr_result>> futures;
    for (int r = 0; r < repeat; ++r) {
        for (const auto& bytes : images) {
            futures.push_back(service.submit(bytes));
        }
    }
    std::size_t words = 0;
    for (auto& f : futures) {
        for (const auto& b : f.get().page.blocks) {
            for (const auto& p : b.paragraphs) {
                words += p.words.size();
            }
        }
    }
    const double seconds = ms_since(t) / 1000.0;
    std::printf("threads %zu: %zu images in %.2f s = %.3f images/s (%zu words)\n", threads, futures.size(), seconds,
                static_cast<double>(futures.size()) / seconds, words);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (const char* limit = std::getenv("OMP_THREAD_LIMIT"); !limit || std::strcmp(limit, "1") != 0) {
        ::setenv("OMP_THREAD_LIMIT", "1", 1);
        ::execv("/proc/self/exe", argv);
        std::perror("execv");
        return 1;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);   // progress visible when redirected
    const std::string mode = argc > 1 ? argv[1] : "";
    try {
        if (mode == "recall") {
            return run_recall(argc > 2 ? std::atof(argv[2]) : oe::default_target_long_side);
        }
        if (mode == "orientation") {
            bool full = false;
            double osd_side = 0;
            for (int i = 2; i < argc; ++i) {
                if (std::string(argv[i]) == "--full") {
                    full = true;
                } else if (std::string(argv[i]) == "--osd-side" && i + 1 < argc) {
                    osd_side = std::atof(argv[++i]);
                }
            }
            return run_orientation(full, osd_side);
        }
        if (mode == "trials") {
            return run_trials(argc > 2 ? std::atof(argv[2]) : oe::default_target_long_side);
        }
        if (mode == "cli") {
            return run_cli(argc > 2 ? std::atoi(argv[2]) : 2);
        }
        if (mode == "throughput" && argc > 2) {
            return run_throughput(static_cast<std::size_t>(std::atoi(argv[2])), argc > 3 ? std::atoi(argv[3]) : 1);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ocr_bench: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: ocr_bench recall [LONG_SIDE] | orientation [--full] | cli [REPEAT] | "
                         "throughput THREADS [REPEAT]\n");
    return 2;
}
