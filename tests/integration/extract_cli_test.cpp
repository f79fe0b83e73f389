// `robotoffd extract` end to end: the real binary on the real OCR samples and on --text / --product-name,
// checking the JSON lines, exit codes 0/1/2 and the stderr messages. No database, no network.

#include "robotoff/core/json.hpp"
#include "robotoff/extract/prediction.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string samples = ROBOTOFF_SHARED_DIR "/samples/ocr/";
const std::string data_dir = ROBOTOFF_SHARED_DIR "/data";

struct result {
    int status = -1;
    std::string out;
    std::string err;
    std::vector<std::string> lines;
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs build/robotoffd with `args`, stdout and stderr captured in temporary files.
result run(const std::vector<std::string>& args) {
    const std::string base =
        std::filesystem::temp_directory_path() / ("robotoffd_extract_" + std::to_string(::getpid()));
    const std::string out_path = base + ".out";
    const std::string err_path = base + ".err";
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(out, 1);
        ::dup2(err, 2);
        std::vector<char*> argv;
        std::string binary = ROBOTOFF_BINARY;
        argv.push_back(binary.data());
        std::vector<std::string> copy = args;
        for (auto& a : copy) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    result r;
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    std::filesystem::remove(out_path);
    std::filesystem::remove(err_path);
    std::stringstream ss(r.out);
    std::string line;
    while (std::getline(ss, line)) {
        r.lines.push_back(line);
    }
    return r;
}

std::vector<std::string> base_args() { return {"extract", "--data-dir", data_dir, "--today", "2025-06-01"}; }

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
}

std::vector<std::string> keys_of(const std::string& line) {
    const auto doc = robotoff::core::parse_json(line);
    std::vector<std::string> keys;
    for (const auto& m : doc.GetObject()) {
        keys.emplace_back(m.name.GetString());
    }
    return keys;
}

}  // namespace

TEST_CASE("extract cli: real Vision files, derived identity, key order", "[integration]") {
    const std::string materne = samples + "0890000001202_1.json";
    const std::string gz = samples + "5000159422345_3.json.gz";
    const auto r = run(with(base_args(), {materne, gz}));
    INFO(r.err);
    REQUIRE(r.status == 0);
    REQUIRE(r.lines.size() >= 6);
    const std::vector<std::string> expected_keys = {"type", "value", "value_tag", "data", "predictor",
                                                    "predictor_version", "automatic_processing", "confidence",
                                                    "barcode", "server_type", "source_image", "source_file"};
    bool materne_brand = false;
    bool weight = false;
    bool seen_gz = false;
    for (const auto& line : r.lines) {
        CHECK(keys_of(line) == expected_keys);
        const auto p = robotoff::extract::prediction_from_json(line);
        CHECK(p.predictor_version == "1");
        REQUIRE(p.source_file);
        if (*p.source_file == materne) {
            CHECK_FALSE(seen_gz);  // inputs in order
            CHECK(p.barcode == "0890000001202");
            CHECK(p.server_type == "off");
            CHECK(p.source_image == "/089/000/000/1202/1.jpg");
            materne_brand = materne_brand || (p.type == "brand" && p.value == "Materne");
            weight = weight || (p.type == "product_weight" && p.value == "4 x 90 g");
        } else {
            CHECK(*p.source_file == gz);
            seen_gz = true;
            CHECK(p.barcode == "5000159422345");
            CHECK(p.source_image == "/500/015/942/2345/3.jpg");
        }
    }
    CHECK(materne_brand);
    CHECK(weight);
    CHECK(seen_gz);
    // Per input, extractors in the default-set order: product_weight before brand before image_lang.
    std::vector<std::string> types;
    for (const auto& line : r.lines) {
        const auto p = robotoff::extract::prediction_from_json(line);
        if (p.source_file == materne) {
            types.push_back(p.type);
        }
    }
    REQUIRE(types.size() >= 4);
    CHECK(types.front() == "product_weight");
    CHECK(types.back() == "image_orientation");
}

TEST_CASE("extract cli: --text, --types, --barcode, --source-image", "[integration]") {
    auto r = run(with(base_args(), {"--text", "Masse nette : 425g\nEMB 72181B\nA consommer avant le 14.03.27"}));
    INFO(r.err);
    REQUIRE(r.status == 0);
    REQUIRE(r.lines.size() == 4);
    auto p0 = robotoff::extract::prediction_from_json(r.lines[0]);
    auto p1 = robotoff::extract::prediction_from_json(r.lines[1]);
    auto p2 = robotoff::extract::prediction_from_json(r.lines[2]);
    CHECK(robotoff::extract::prediction_from_json(r.lines[3]).type == "nutrient_mention");  // "425g"
    CHECK(p0.type == "packager_code");
    CHECK(p0.value == "EMB 72181B");
    CHECK(p1.type == "product_weight");
    CHECK(p1.value == "425 g");
    CHECK(p2.type == "expiration_date");
    CHECK(p2.value == "2027-03-14");
    CHECK_FALSE(p0.barcode);
    CHECK_FALSE(p0.source_image);
    CHECK_FALSE(p0.source_file);
    CHECK(r.out.find("\"source_file\":null") != std::string::npos);

    r = run(with(base_args(), {"--types", "expiration_date,packager_code", "--barcode", "0003017620425035",
                               "--source-image", "/301/762/042/5035/4.jpg", "--text", "EMB 72181B 14.03.27"}));
    REQUIRE(r.status == 0);
    REQUIRE(r.lines.size() == 2);
    p0 = robotoff::extract::prediction_from_json(r.lines[0]);
    p1 = robotoff::extract::prediction_from_json(r.lines[1]);
    CHECK(p0.type == "packager_code");
    CHECK(p1.type == "expiration_date");
    CHECK(p0.barcode == "3017620425035");
    // Default-set order whatever the order of --types: packager_code before expiration_date.
    r = run(with(base_args(),
                 {"--types", "expiration_date,packager_code,expiration_date", "--text", "EMB 72181B 14.03.27"}));
    REQUIRE(r.lines.size() == 2);
    CHECK(robotoff::extract::prediction_from_json(r.lines[0]).type == "packager_code");
    CHECK(robotoff::extract::prediction_from_json(r.lines[1]).type == "expiration_date");
    CHECK(p0.source_image == "/301/762/042/5035/4.jpg");

    r = run({"extract", "--data.dir=" + data_dir, "--types=trace", "--text", "Peut contenir des traces de céleri."});
    REQUIRE(r.status == 0);
    REQUIRE(r.lines.size() == 1);
    CHECK(robotoff::extract::prediction_from_json(r.lines[0]).value_tag == "en:celery");

    r = run(with(base_args(), {"--text", "rien du tout"}));
    CHECK(r.status == 0);
    CHECK(r.lines.empty());
}

TEST_CASE("extract cli: --product-name", "[integration]") {
    const auto r = run(with(base_args(), {"--product-name", "Coca-Cola cocacola 6 x 33cl sans gluten"}));
    INFO(r.err);
    REQUIRE(r.status == 0);
    REQUIRE(r.lines.size() >= 3);
    for (const auto& line : r.lines) {
        const auto p = robotoff::extract::prediction_from_json(line);
        CHECK(p.automatic_processing == false);
        CHECK(p.data.find("\"source\":\"product_name\"") != std::string::npos);
        CHECK_FALSE(p.source_image);
    }
    CHECK(robotoff::extract::prediction_from_json(r.lines[0]).type == "label");
}

TEST_CASE("extract cli: unreadable and invalid inputs give exit 1, others still processed", "[integration]") {
    const std::string bad = std::filesystem::temp_directory_path() / ("bad_" + std::to_string(::getpid()) + ".json");
    std::ofstream(bad) << R"({"responses":[{"error":{"code":3,"message":"Bad image data."}}]})";
    const std::string missing = "/nonexistent/9999_1.json";
    const auto r = run(with(base_args(), {missing, samples + "0890000001202_1.json", bad}));
    std::filesystem::remove(bad);
    CHECK(r.status == 1);
    CHECK_FALSE(r.lines.empty());
    CHECK(r.err.find(missing) != std::string::npos);
    CHECK(r.err.find(bad) != std::string::npos);
    CHECK(r.err.find("Bad image data.") != std::string::npos);
    for (const auto& line : r.lines) {
        CHECK(robotoff::extract::prediction_from_json(line).barcode == "0890000001202");
    }
}

TEST_CASE("extract cli: bad usage gives exit 2; --help prints usage", "[integration]") {
    auto r = run({"extract", "--data-dir", data_dir});
    CHECK(r.status == 2);
    CHECK(r.err.find("--text") != std::string::npos);
    r = run(with(base_args(), {"--types", "bogus", "--text", "x"}));
    CHECK(r.status == 2);
    CHECK(r.err.find("unknown prediction type 'bogus'") != std::string::npos);
    r = run(with(base_args(), {"--today", "2025-13-01", "--text", "x"}));
    CHECK(r.status == 2);
    r = run(with(base_args(), {"--text", "x", samples + "0890000001202_1.json"}));
    CHECK(r.status == 2);
    r = run({"extract", "--data-dir", "/nonexistent/data", "--text", "x"});
    CHECK(r.status == 2);
    CHECK(r.err.find("/nonexistent/data") != std::string::npos);
    r = run({"extract", "--help"});
    CHECK(r.status == 0);
    CHECK(r.out.find("usage: robotoffd extract") != std::string::npos);
}
