// The annotation page in a real browser: Debian's headless Chromium, driven by Playwright
// (tests/browser/answer_questions.mjs), loads GET / from the real daemon with seeded insights, answers three
// questions (y key, No button, s key) and the test checks the votes in the database. The screenshot is kept
// at <build>/tests/integration/questions_browser/annotation_page.png.
#include "robotoff/core/json.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace robotoff;
using namespace robotoff::testing;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void seed(db::connection& conn) {
    conn.exec("INSERT INTO product (barcode, product_name, lang, source) VALUES "
              "('3017620425035', 'Nutella', 'fr', 'dump'), ('3760020507350', 'Yaourt nature', 'fr', 'dump'), "
              "('5449000000996', 'Coca-Cola', 'en', 'dump'), ('3045320094084', 'Bonne Maman confiture', 'fr', 'dump')");
    conn.exec("INSERT INTO product_insight (id, barcode, type, timestamp, value_tag, value, source_image, "
              "unique_scans_n, random_key) VALUES "
              "('00000000-0000-4000-8000-000000000001', '3017620425035', 'label', now(), 'en:organic', NULL, "
              "'/301/762/042/5035/1.jpg', 10, 0.1), "
              "('00000000-0000-4000-8000-000000000002', '3760020507350', 'category', now(), 'en:plain-yogurts', NULL, "
              "NULL, 20, 0.3), "
              "('00000000-0000-4000-8000-000000000003', '5449000000996', 'product_weight', now(), NULL, '33 cl', "
              "'/544/900/000/0996/2.jpg', 30, 0.5), "
              "('00000000-0000-4000-8000-000000000004', '3045320094084', 'brand', now(), 'bonne-maman', 'Bonne Maman', "
              "'/304/532/009/4084/3.jpg', 40, 0.7)");
}

}  // namespace

TEST_CASE("annotation page in headless Chromium: three answers become votes", "[integration]") {
    const std::string browser_dir = ROBOTOFF_SOURCE_DIR "/tests/browser";
    REQUIRE(std::filesystem::exists(browser_dir + "/node_modules/playwright-core"));  // scripts/test.sh: npm ci
    REQUIRE(std::filesystem::exists("/usr/bin/chromium"));                             // scripts/install-deps.sh

    temp_database tdb;
    {
        auto conn = tdb.connect();
        seed(*conn);
    }
    auto daemon = start_daemon(tdb.url());
    const std::string base = "http://127.0.0.1:" + std::to_string(daemon->port());

    const std::string out_dir = QUESTIONS_BROWSER_OUT;
    std::filesystem::create_directories(out_dir);
    const std::string screenshot = out_dir + "/annotation_page.png";
    std::filesystem::remove(screenshot);
    const std::string command = "node '" + browser_dir + "/answer_questions.mjs' '" + base + "' '" + screenshot +
                                "' > '" + out_dir + "/result.json' 2> '" + out_dir + "/stderr.txt'";
    const int rc = std::system(command.c_str());
    INFO("stderr: " << read_file(out_dir + "/stderr.txt"));
    REQUIRE(rc == 0);
    const std::string output = read_file(out_dir + "/result.json");
    INFO("result: " << output);
    auto result = core::parse_json(output);

    CHECK(std::filesystem::file_size(screenshot) > 1000);
    // French browser locale -> French page and questions.
    CHECK(std::string(result["title"].GetString()) == "Questions Robotoff");
    CHECK(std::string(result["yes_label"].GetString()) == "Oui");
    REQUIRE(result["answers"].GetArray().Size() == 3);
    std::map<std::string, int> answered;
    for (const auto& a : result["answers"].GetArray()) {
        answered[a["insight_id"].GetString()] = a["annotation"].GetInt();
        const std::string question = a["question"].GetString();
        CHECK((question == "Le produit a-t-il ce label ?" ||
               question == "Le produit appartient-il à cette catégorie ?" ||
               question == "Ce poids correspond-il au poids indiqué sur le produit ?" ||
               question == "Le produit est-il de cette marque ?"));
    }
    CHECK(answered.size() == 3);  // three different questions
    for (const auto& s : result["statuses"].GetArray()) {
        CHECK(s.GetInt() == 200);
    }
    CHECK(result["console_errors"].GetArray().Size() == 0);
    // Nothing but product photos (the configured images host) was requested outside the daemon.
    for (const auto& url : result["external_requests"].GetArray()) {
        CHECK(std::string(url.GetString()).starts_with("https://images.openfoodfacts.org/images/products/"));
    }
    REQUIRE(!result["first_contentful_paint_ms"].IsNull());
    WARN("first contentful paint: " << result["first_contentful_paint_ms"].GetDouble() << " ms (cold profile: "
                                    << result["cold_first_contentful_paint_ms"].GetDouble() << " ms), load "
                                    << result["load_ms"].GetInt() << " ms");
    // Target 200 ms; the bound is looser because ctest runs two tests at once on a shared 2-core machine.
    CHECK(result["first_contentful_paint_ms"].GetDouble() < 1000.0);

    // The database has one anonymous vote per answer, from one device, with the answered values.
    auto conn = tdb.connect();
    auto votes = conn->exec("SELECT insight_id::text, value, username, device_id FROM annotation_vote");
    REQUIRE(votes.rows() == 3);
    std::set<std::string> devices;
    for (int i = 0; i < votes.rows(); ++i) {
        const std::string id = votes.get_string(i, 0);
        REQUIRE(answered.count(id) == 1);
        CHECK(votes.get_int(i, 1) == answered[id]);
        CHECK(votes.is_null(i, 2));
        devices.insert(votes.get_string(i, 3));
    }
    CHECK(devices.size() == 1);
    CHECK(devices.begin()->size() == 32);  // the page's random device id kept in localStorage
    // Skips do not count in n_votes; yes/no do.
    auto n = conn->exec("SELECT id::text, n_votes FROM product_insight");
    for (int i = 0; i < n.rows(); ++i) {
        auto it = answered.find(n.get_string(i, 0));
        const int expected = it == answered.end() || it->second == -1 ? 0 : 1;
        CHECK(n.get_int(i, 1) == expected);
    }
}
