// The local-OCR route handlers without a server: a fake fetcher serves the real sample files by URL.

#include "image_fixtures.hpp"

#include "robotoff/api/ocr_routes.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/extract/rules.hpp"
#include "robotoff/ocr_engine/errors.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

namespace api = robotoff::api;
namespace oe = robotoff::ocr_engine;

namespace {

const std::string base = "https://images.openfoodfacts.org/images/products/001/111/070/2081/";

struct fixture {
    robotoff::extract::rules rules = robotoff::extract::load_rules(ROBOTOFF_SHARED_DIR "/data");
    api::ocr_route_services services;
    std::vector<std::string> fetched;

    explicit fixture(oe::ocr_service* ocr = nullptr) {
        services.ocr = ocr;
        services.rules = &rules;
        services.crop_allowed_domains = {"images.openfoodfacts.org"};
        services.fetch = [this](const std::string& url, std::chrono::steady_clock::time_point) {
            fetched.push_back(url);
            if (url == base + "2.json") {
                return robotoff::core::read_file(ROBOTOFF_SHARED_DIR "/samples/ocr/0011110702081_2.json");
            }
            if (url == base + "2.jpg") {
                return fixtures::sample("0011110702081_2.jpg");
            }
            if (url == base + "3.json") {
                return std::string("{not json");
            }
            throw std::runtime_error("HTTP 404 from " + url);
        };
    }
};

robotoff::http::request get(std::vector<std::pair<std::string, std::string>> params) {
    robotoff::http::request r;
    r.method = "GET";
    for (auto& [k, v] : params) {
        r.params.add(k, v);
    }
    r.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    return r;
}

unsigned status_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const robotoff::core::client_error& e) {
        return e.status();
    }
    return 0;
}

}  // namespace

TEST_CASE("images/crop: JPEG of the box, domain and box rules", "[unit]") {
    fixture f;
    const auto r = api::images_crop(f.services, get({{"image_url", base + "2.jpg"}, {"y_min", "0"}, {"x_min", "0"},
                                                     {"y_max", "0.5"}, {"x_max", "0.25"}}));
    CHECK(r.status == 200);
    CHECK(r.content_type == "image/jpeg");
    const cv::Mat crop = cv::imdecode(std::vector<std::uint8_t>(r.body.begin(), r.body.end()), cv::IMREAD_COLOR);
    CHECK(crop.cols == 90);    // 360 * 0.25
    CHECK(crop.rows == 238);   // ceil(475 * 0.5)
    CHECK(status_of([&] {
              api::images_crop(f.services, get({{"image_url", "https://evil.example/x.jpg"}, {"y_min", "0"},
                                                {"x_min", "0"}, {"y_max", "1"}, {"x_max", "1"}}));
          }) == 400);
    CHECK(status_of([&] {
              api::images_crop(f.services, get({{"image_url", base + "2.jpg"}, {"y_min", "0.6"}, {"x_min", "0"},
                                                {"y_max", "0.5"}, {"x_max", "1"}}));
          }) == 400);
    CHECK(status_of([&] {
              api::images_crop(f.services, get({{"image_url", base + "9.jpg"}, {"y_min", "0"}, {"x_min", "0"},
                                                {"y_max", "1"}, {"x_max", "1"}}));
          }) == 400);
    CHECK(status_of([&] { api::images_crop(f.services, get({{"image_url", base + "2.jpg"}})); }) == 400);
}

TEST_CASE("predict/ocr_prediction on a Vision JSON URL", "[unit]") {
    fixture f;
    const auto r = api::predict_ocr_prediction(
        f.services, get({{"ocr_url", base + "2.json"}, {"prediction_types", "nutrient_mention,image_orientation"}}));
    CHECK(r.status == 200);
    const auto doc = robotoff::core::parse_json(r.body);
    REQUIRE(doc["predictions"].Size() == 2);
    CHECK(std::string(doc["predictions"][0]["type"].GetString()) == "nutrient_mention");
    CHECK(std::string(doc["predictions"][0]["barcode"].GetString()) == "0011110702081");
    CHECK(std::string(doc["predictions"][0]["source_image"].GetString()) == "/001/111/070/2081/2.jpg");
    CHECK(std::string(doc["predictions"][1]["data"]["orientation"].GetString()) == "up");

    const auto missing = api::predict_ocr_prediction(f.services, get({{"ocr_url", base + "8.json"}}));
    CHECK(robotoff::core::parse_json(missing.body)["error"] == "download_error");
    const auto invalid = api::predict_ocr_prediction(f.services, get({{"ocr_url", base + "3.json"}}));
    CHECK(robotoff::core::parse_json(invalid.body)["error"] == "invalid_ocr");
    CHECK(status_of([&] { api::predict_ocr_prediction(f.services, get({})); }) == 400);
    CHECK(status_of([&] {
              api::predict_ocr_prediction(f.services, get({{"ocr_url", "https://x.org/images/products/a.json"}}));
          }) == 400);
    CHECK(status_of([&] {
              api::predict_ocr_prediction(f.services,
                                          get({{"ocr_url", base + "2.json"}, {"prediction_types", "nonsense"}}));
          }) == 400);
}

TEST_CASE("local OCR routes: image URL and body, predictions, disabled backend", "[unit][ocr]") {
    oe::service_settings settings;
    settings.threads = 1;
    oe::ocr_service service(settings);
    fixture f(&service);

    const auto r = api::predict_ocr_prediction(
        f.services, get({{"image_url", base + "2.jpg"}, {"prediction_types", "nutrient_mention"}}));
    const auto doc = robotoff::core::parse_json(r.body);
    REQUIRE(doc.HasMember("predictions"));
    REQUIRE(doc["predictions"].Size() == 1);
    CHECK(doc["predictions"][0]["data"]["mentions"].HasMember("protein"));

    auto post = get({{"predictions", "1"}});
    post.method = "POST";
    post.body = fixtures::sample("0011110702081_2.jpg");
    const auto ocr = api::images_ocr(f.services, post);
    const auto vision = robotoff::core::parse_json(ocr.body);
    CHECK(vision["responses"][0]["fullTextAnnotation"]["pages"][0]["width"].GetInt() == 360);
    CHECK(vision["predictions"].IsArray());

    auto junk = get({});
    junk.method = "POST";
    junk.body = "hello";
    CHECK(status_of([&] { api::images_ocr(f.services, junk); }) == 400);

    fixture gcv;   // ocr.backend = gcv: no local OCR
    auto again = get({});
    again.body = fixtures::sample("0011110702081_2.jpg");
    CHECK(status_of([&] { api::images_ocr(gcv.services, again); }) == 400);
}
