// Dataset import into the product table against PostgreSQL: the real 1,000-product sample checked against
// counts computed here from the file itself, corrupt lines, truncated gzip, complete dumps, re-import.
#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/products/dataset_import.hpp"
#include "robotoff/products/repository.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>

using namespace robotoff;
using robotoff::testing::temp_database;

namespace {

const std::string sample = ROBOTOFF_SHARED_DIR "/samples/products/openfoodfacts-products-min.jsonl.gz";

struct expected_counts {
    std::set<std::string> codes;
    long long scans = 0;
    long long with_brands = 0;
    long long with_name = 0;
};

// Independent of the importer: raw JSON fields, barcode normalization only.
expected_counts count_sample() {
    expected_counts e;
    std::string text = core::read_file(sample);
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) {
            end = text.size();
        }
        auto doc = core::parse_json(std::string_view(text).substr(pos, end - pos));
        pos = end + 1;
        e.codes.insert(core::normalize_barcode(doc["code"].GetString()));
        if (doc.HasMember("unique_scans_n") && doc["unique_scans_n"].IsNumber()) {
            e.scans += doc["unique_scans_n"].GetInt64();
        }
        if (doc.HasMember("brands_tags") && doc["brands_tags"].IsArray() && !doc["brands_tags"].Empty()) {
            ++e.with_brands;
        }
        if (doc.HasMember("product_name") && doc["product_name"].IsString() &&
            doc["product_name"].GetStringLength() > 0) {
            ++e.with_name;
        }
    }
    return e;
}

long long scalar(db::connection& conn, const std::string& sql) { return conn.exec(sql).get_int(0, 0); }

std::string temp_file(const std::string& name, const std::string& content) {
    std::string path = robotoff::testing::make_temp_dir() + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

}  // namespace

TEST_CASE("the real sample imports with the counts computed from the file", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    auto expected = count_sample();
    products::dataset_import_options options;
    options.batch_size = 128;
    int progress_calls = 0;
    options.on_progress = [&](const products::dataset_progress&) { ++progress_calls; };
    auto s = products::import_dataset(*conn, sample, options);
    CHECK(s.error.empty());
    CHECK(s.lines == 1000);
    CHECK(s.corrupt == 0);
    CHECK(s.products == expected.codes.size());
    CHECK(progress_calls >= 1);
    CHECK(scalar(*conn, "SELECT count(*) FROM product") == static_cast<long long>(expected.codes.size()));
    CHECK(scalar(*conn, "SELECT coalesce(sum(unique_scans_n), 0) FROM product") == expected.scans);
    CHECK(scalar(*conn, "SELECT count(*) FROM product WHERE jsonb_array_length(brands_tags) > 0") ==
          expected.with_brands);
    CHECK(scalar(*conn, "SELECT count(*) FROM product WHERE product_name IS NOT NULL") == expected.with_name);
    CHECK(scalar(*conn, "SELECT count(*) FROM product WHERE source <> 'dump' OR deleted") == 0);
    // A stored record reads back through the repository.
    auto one = conn->exec("SELECT barcode FROM product ORDER BY barcode LIMIT 1").get_string(0, 0);
    auto p = products::find_product(*conn, core::server_type::off, one);
    REQUIRE(p);
    CHECK(p->barcode == one);

    // Re-import: same rows, nothing duplicated.
    auto again = products::import_dataset(*conn, sample, options);
    CHECK(again.products == expected.codes.size());
    CHECK(scalar(*conn, "SELECT count(*) FROM product") == static_cast<long long>(expected.codes.size()));
}

TEST_CASE("new products are copied directly; a batch meeting a known one switches to upserts", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    auto first = temp_file("first.jsonl", R"({"code":"3000000000005","product_name":"old name"})" "\n");
    REQUIRE(products::import_dataset(*conn, first, {}).products == 1);
    // Batches of two: the first is new (direct COPY), the second holds the known product (rolled back to its
    // savepoint and upserted), the third is new again (upserted: the importer stays on the safe path).
    auto path = temp_file("dump.jsonl", R"({"code":"3000000000001"})" "\n"
                                        R"({"code":"3000000000002"})" "\n"
                                        R"({"code":"3000000000003"})" "\n"
                                        R"({"code":"3000000000005","product_name":"new name"})" "\n"
                                        R"({"code":"3000000000006"})" "\n");
    products::dataset_import_options options;
    options.batch_size = 2;
    auto s = products::import_dataset(*conn, path, options);
    CHECK(s.error.empty());
    CHECK(s.products == 5);
    CHECK(scalar(*conn, "SELECT count(*) FROM product") == 5);
    CHECK(conn->exec("SELECT product_name FROM product WHERE barcode = '3000000000005'").get_string(0, 0) ==
          "new name");
}

TEST_CASE("corrupt lines are counted with their line numbers and the import goes on", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    auto path = temp_file("dump.jsonl", R"({"code":"3017620425035","product_name":"A"})"
                                        "\n{not json\n"
                                        R"({"product_name":"no code"})"
                                        "\n[1,2]\n"
                                        R"({"code":"0000012345","brands_tags":["x"]})"
                                        "\n");
    auto s = products::import_dataset(*conn, path, {});
    CHECK(s.error.empty());
    CHECK(s.lines == 5);
    CHECK(s.corrupt == 2);
    CHECK(s.corrupt_line_numbers == std::vector<std::uint64_t>{2, 4});
    CHECK(s.without_code == 1);
    CHECK(s.products == 2);
    CHECK(scalar(*conn, "SELECT count(*) FROM product WHERE barcode IN ('3017620425035', '00012345')") == 2);
}

TEST_CASE("a truncated gzip stream is an error naming where it stopped; committed batches stay", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    std::string gz = core::read_file(sample);  // read_file decompresses: recompress, then cut
    std::string compressed = core::gzip_compress(gz);
    auto path = temp_file("cut.jsonl.gz", compressed.substr(0, compressed.size() / 2));
    products::dataset_import_options options;
    options.batch_size = 50;
    options.complete = true;
    auto s = products::import_dataset(*conn, path, options);
    CHECK_FALSE(s.error.empty());
    CHECK(s.error.find("line") != std::string::npos);
    CHECK(s.marked_deleted == 0);  // an incomplete read never marks anything deleted
    long long rows = scalar(*conn, "SELECT count(*) FROM product");
    CHECK(rows > 100);
    CHECK(rows < 1000);
    CHECK(rows == static_cast<long long>(s.products));
}

TEST_CASE("a complete dump marks products absent from it as deleted", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    auto all = products::import_dataset(*conn, sample, {});
    REQUIRE(all.products == 1000);
    auto path = temp_file("small.jsonl", R"({"code":"3017620425035","product_name":"kept"})" "\n");
    products::dataset_import_options options;
    options.complete = true;
    auto s = products::import_dataset(*conn, path, options);
    CHECK(s.marked_deleted == 1000 - (count_sample().codes.count("3017620425035") ? 1 : 0));
    CHECK(scalar(*conn, "SELECT count(*) FROM product WHERE NOT deleted") == 1);
    CHECK(scalar(*conn, "SELECT count(*) FROM product") >= 1000);  // marked, never removed
    CHECK_FALSE(products::find_product(*conn, core::server_type::off, all.products ? "0000101209159" : "x"));
}
