// import-robotoff (migration.md): a Robotoff 1.85 database in a second test database (the schema of
// tests/pg/data/robotoff_1_85_schema.sql) with rows for every rule, imported, re-imported and compared row by
// row; rejects and summary counts; an older source without the newest columns and tables; resuming; the CLI.
#include "robotoff/core/product_ref.hpp"
#include "robotoff/migrate/robotoff_import.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

using namespace robotoff;
using robotoff::testing::temp_database;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::string schema_sql = read_text(ROBOTOFF_SOURCE_DIR "/tests/pg/data/robotoff_1_85_schema.sql");

// Insight uuids of the fixture.
const char* const i_label = "00000000-0000-4000-8000-000000000001";
const char* const i_pro = "00000000-0000-4000-8000-000000000002";
const char* const i_null_server = "00000000-0000-4000-8000-000000000003";
const char* const i_unknown = "00000000-0000-4000-8000-000000000004";
const char* const i_bad_annotation = "00000000-0000-4000-8000-000000000005";
const char* const i_short_box = "00000000-0000-4000-8000-000000000006";
const char* const i_text_box = "00000000-0000-4000-8000-000000000007";
const char* const i_data_box = "00000000-0000-4000-8000-000000000008";
const char* const i_bad_server = "00000000-0000-4000-8000-000000000009";
const char* const i_no_timestamp = "00000000-0000-4000-8000-00000000000a";
const char* const i_escapes = "00000000-0000-4000-8000-00000000000b";

constexpr const char* fixture_sql = R"SQL(
INSERT INTO product_insight (id, barcode, type, data, timestamp, completed_at, annotation, annotated_result, n_votes,
    username, countries, brands, process_after, value_tag, value, source_image, automatic_processing, server_type,
    unique_scans_n, reserved_barcode, predictor, predictor_version, campaign, confidence, bounding_box, lc, with_image)
VALUES
 ('00000000-0000-4000-8000-000000000001', '3017620425035', 'label',
  '{"text": "bio", "bounding_box": [0.1, 0.2, 0.3, 0.4]}', '2023-05-01 10:00:00.123456', '2023-05-02 11:00:00', 1, 1,
  2, NULL, '["en:france"]', '["nutella"]', NULL, 'en:organic', NULL, '/301/762/042/5035/1.jpg', false, 'off', 120,
  false, 'regex', '1', '[]', 0.9, '[0.1, 0.2, 0.3, 0.4]', NULL, true),
 ('00000000-0000-4000-8000-000000000002', 'org-acme/0001234', 'category', '{}', '2023-05-01 10:00:00', NULL, NULL,
  NULL, 0, NULL, '[]', '[]', NULL, 'en:biscuits', NULL, NULL, false, 'off-pro', 0, false, 'matcher', NULL,
  '["missing-category"]', 0.5, NULL, NULL, false),
 ('00000000-0000-4000-8000-000000000003', '00012345678', 'product_weight', '{"raw": "500 g"}', '2023-05-01 10:00:00',
  NULL, NULL, NULL, 1, NULL, '[]', '[]', '2023-05-02 10:00:00', NULL, '500 g', '/000/001/234/5678/2.jpg', true, NULL,
  3, false, 'regex', NULL, '[]', NULL, NULL, NULL, true),
 ('00000000-0000-4000-8000-000000000004', '3017620425035', 'nutrition_table_structure', '{"model": "x"}',
  '2023-05-01 10:00:00', NULL, NULL, NULL, 0, NULL, '[]', '[]', NULL, NULL, NULL, '/301/762/042/5035/1.jpg', false,
  'off', 0, false, NULL, NULL, '[]', NULL, NULL, NULL, true),
 ('00000000-0000-4000-8000-000000000005', '3017620425035', 'brand', '{}', '2023-05-01 10:00:00', NULL, 5, NULL, 0,
  NULL, '[]', '[]', NULL, 'nutella', 'Nutella', NULL, false, 'off', 0, false, NULL, NULL, '[]', NULL, NULL, NULL,
  false),
 ('00000000-0000-4000-8000-000000000006', '3017620425035', 'label', '{}', '2023-05-01 10:00:00', NULL, NULL, NULL, 0,
  NULL, '[]', '[]', NULL, 'en:vegan', NULL, NULL, false, 'off', 0, false, NULL, NULL, '[]', NULL, '[1, 2, 3]', NULL,
  false),
 ('00000000-0000-4000-8000-000000000007', '3017620425035', 'label', '{}', '2023-05-01 10:00:00', NULL, NULL, NULL, 0,
  NULL, '[]', '[]', NULL, 'en:fair-trade', NULL, NULL, false, 'off', 0, false, NULL, NULL, '[]', NULL,
  '["a", 1, 2, 3]', NULL, false),
 ('00000000-0000-4000-8000-000000000008', '3017620425035', 'label', '{"bounding_box": {"x": 1}}',
  '2023-05-01 10:00:00', NULL, NULL, NULL, 0, NULL, '[]', '[]', NULL, 'en:eu-organic', NULL, NULL, false, 'off', 0,
  false, NULL, NULL, '[]', NULL, NULL, NULL, false),
 ('00000000-0000-4000-8000-000000000009', '3017620425035', 'label', '{}', '2023-05-01 10:00:00', NULL, NULL, NULL, 0,
  NULL, '[]', '[]', NULL, 'en:nope', NULL, NULL, false, 'xyz', 0, false, NULL, NULL, '[]', NULL, NULL, NULL, false),
 ('00000000-0000-4000-8000-00000000000a', '2000000012345', 'label', '{}', NULL, '2022-01-01 00:00:00', -1, NULL, 0,
  'alice', NULL, NULL, NULL, 'en:halal', NULL, NULL, false, 'obf', 0, true, NULL, NULL, NULL, NULL, NULL, NULL, false),
 ('00000000-0000-4000-8000-00000000000b', '3017620425035', 'ingredient_spellcheck',
  '{"original": "a\tb\\c", "correction": "é\n"}', '2023-05-01 10:00:00', NULL, NULL, NULL, 0, NULL, '[]', '[]',
  NULL, 'fr', E'tab\there\\back\nline', NULL, false, 'off', 0, false, 'fallback', NULL, '[]', 0.25, NULL, '{fr,en}',
  false);

INSERT INTO annotation_vote (id, insight_id, username, value, device_id, timestamp) VALUES
 ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', NULL, 1, 'dev-a',
  '2023-05-01 12:00:00'),
 ('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'bob', 1, 'dev-b',
  '2023-05-01 12:30:00'),
 ('10000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000005', NULL, 0, 'dev-c',
  '2023-05-01 13:00:00'),
 ('10000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000003', NULL, 3, 'dev-d',
  '2023-05-01 13:00:00'),
 ('10000000-0000-4000-8000-000000000006', '00000000-0000-4000-8000-000000000003', NULL, 0, 'dev-e',
  '2023-05-01 13:00:00'),
 ('10000000-0000-4000-8000-000000000007', '00000000-0000-4000-8000-000000000003', NULL, 1, 'dev-e',
  '2023-05-01 14:00:00');

INSERT INTO prediction (id, barcode, type, data, timestamp, value_tag, value, source_image, automatic_processing,
    predictor, predictor_version, confidence, server_type) VALUES
 (11, '3017620425035', 'label', '{"text": "bio"}', '2023-05-01 10:00:00', 'en:organic', NULL,
  '/301/762/042/5035/1.jpg', false, 'regex', '1', NULL, 'off'),
 (12, '3017620425035', 'label', '{"text": "BIO"}', '2023-05-02 10:00:00', 'en:organic', NULL,
  '/301/762/042/5035/1.jpg', false, 'regex', '2', NULL, 'off'),
 (13, 'org-acme/0001234', 'category', '{}', '2023-05-01 10:00:00', 'en:biscuits', NULL, NULL, NULL, 'matcher', NULL,
  0.5, 'off-pro'),
 (14, '0000003017620425035', 'nutrient', '{"nutrients": {}}', '2023-05-01 10:00:00', NULL, NULL,
  '/301/762/042/5035/1.jpg', NULL, NULL, NULL, NULL, 'off'),
 (15, '3017620425035', 'mystery_model', '{}', '2023-05-01 10:00:00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'off'),
 (16, '3017620425035', 'label', '[1, 2]', '2023-05-01 10:00:00', 'en:x', NULL, NULL, NULL, NULL, NULL, NULL, 'off');

INSERT INTO image (id, barcode, uploaded_at, image_id, source_image, width, height, deleted, server_type, fingerprint)
VALUES
 (21, '3017620425035', '2020-01-01 00:00:00', '1', '/301/762/042/5035/1.jpg', 1000, 800, false, 'off', 42),
 (22, '3017620425035', NULL, 'front_fr', '/301/762/042/5035/front_fr.jpg', 400, 400, false, 'off', NULL),
 (23, '00012345678', NULL, '2', '/000/001/234/5678/2.jpg', 640, 480, true, NULL, NULL);

INSERT INTO image_prediction (id, type, model_name, model_version, data, image_id)
VALUES (31, 'object_detection', 'universal-logo-detector', '1', '{}', 21);
INSERT INTO logo_annotation (id, image_prediction_id, index, bounding_box, score)
VALUES (41, 31, 0, '[0.1, 0.1, 0.2, 0.2]', 0.8), (42, 31, 1, '[0.3, 0.3, 0.4, 0.4]', 0.6);
INSERT INTO embedding.logo_embedding (logo_id, embedding) VALUES (41, '\x00000000');
INSERT INTO logo_confidence_threshold (type, value, threshold) VALUES ('label', 'en:organic', 0.5);

-- A vote whose insight is gone (Robotoff's foreign key bypassed, as in a damaged database).
SET session_replication_role = replica;
INSERT INTO annotation_vote (id, insight_id, username, value, device_id, timestamp) VALUES
 ('10000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-0000000000ff', NULL, 1, 'dev-f',
  '2023-05-01 13:00:00');
SET session_replication_role = origin;
)SQL";

struct fixture {
    temp_database target;
    temp_database source{false};
    std::unique_ptr<db::connection> target_conn = target.connect();
    std::unique_ptr<db::connection> source_conn = source.connect();
    std::string rejects = robotoff::testing::make_temp_dir() + "/rejects.tsv";

    explicit fixture(bool fill = true) {
        source_conn->exec_script(schema_sql);
        if (fill) {
            source_conn->exec_script(fixture_sql);
        }
    }

    migrate::import_summary import(std::size_t batch_rows = 50000, bool fast_load = true) {
        migrate::import_options o;
        o.source_url = source.url();
        o.target_url = target.url();
        o.reject_path = rejects;
        o.batch_rows = batch_rows;
        o.fast_load = fast_load;
        return migrate::import_robotoff(*target_conn, o);
    }
};

const migrate::table_summary& table(const migrate::import_summary& s, const std::string& name) {
    for (const auto& t : s.tables) {
        if (t.table == name) {
            return t;
        }
    }
    FAIL("no summary for " << name);
    throw std::logic_error("unreachable");
}

std::vector<std::string> reject_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

using row = std::vector<std::optional<std::string>>;

std::map<std::string, row> rows_by_key(db::connection& conn, const std::string& sql) {
    std::map<std::string, row> out;
    auto r = conn.exec(sql);
    for (int i = 0; i < r.rows(); ++i) {
        row values;
        for (int c = 1; c < r.columns(); ++c) {
            values.push_back(r.get_optional(i, c));
        }
        out[r.get_string(i, 0)] = values;
    }
    return out;
}

constexpr const char* insight_columns =
    "id::text, barcode, type, data::text, timestamp::text, completed_at::text, annotation::text, "
    "annotated_result::text, n_votes::text, username, countries::text, brands::text, process_after::text, value_tag, "
    "value, source_image, automatic_processing::text, server_type, unique_scans_n::text, reserved_barcode::text, "
    "predictor, predictor_version, campaign::text, confidence::text, bounding_box::text, lc::text, with_image::text";

void check_first_import(fixture& f, const migrate::import_summary& s) {
    const auto& pi = table(s, "product_insight");
    CHECK(pi.read == 11);
    CHECK(pi.written == 6);
    CHECK(pi.skipped == 5);
    CHECK(pi.present == 0);
    CHECK(pi.unknown_types == 1);
    CHECK(pi.unknown_type_names.at("nutrition_table_structure") == 1);
    const auto& votes = table(s, "annotation_vote");
    CHECK(votes.read == 7);
    CHECK(votes.written == 3);   // dev-a, bob, the newest of dev-e
    CHECK(votes.merged == 1);    // the older vote of dev-e
    CHECK(votes.skipped == 3);   // value 3, insight rejected, insight gone
    const auto& pred = table(s, "prediction");
    CHECK(pred.read == 6);
    CHECK(pred.written == 4);
    CHECK(pred.merged == 1);     // 12 is the same tuple as 11
    CHECK(pred.skipped == 1);    // data is not an object
    CHECK(pred.unknown_types == 1);
    const auto& img = table(s, "image");
    CHECK(img.read == 3);
    CHECK(img.written == 2);
    CHECK(img.skipped == 1);
    CHECK(table(s, "logo_annotation").note == "not imported (no table yet)");
    CHECK(table(s, "logo_annotation").read == 2);
    CHECK(table(s, "image_prediction").read == 1);
    CHECK(table(s, "embedding.logo_embedding").read == 1);
    CHECK(table(s, "embedding.image_embedding").read == 0);
    CHECK(table(s, "logo_confidence_threshold").read == 1);
    CHECK(s.skipped == 10);
    (void)f;
}

}  // namespace

TEST_CASE("import-robotoff copies every rule's rows and rejects the broken ones", "[pg]") {
    fixture f;
    const auto first = f.import();
    check_first_import(f, first);

    // Insights, row by row against the source with the normalization rules applied.
    auto source = rows_by_key(*f.source_conn, std::string("SELECT ") + insight_columns + " FROM product_insight");
    auto ours = rows_by_key(*f.target_conn, std::string("SELECT ") + insight_columns + " FROM product_insight");
    const std::vector<std::string> kept = {i_label, i_pro, i_null_server, i_unknown, i_no_timestamp, i_escapes};
    REQUIRE(ours.size() == kept.size());
    for (const auto& id : kept) {
        INFO("insight " << id);
        REQUIRE(ours.contains(id));
        row expected = source.at(id);
        expected[0] = core::normalize_barcode(*expected[0]);
        if (!expected[3]) {
            expected[3] = expected[4];  // timestamp <- completed_at
        }
        for (int c : {9, 10, 21}) {  // countries, brands, campaign
            if (!expected[static_cast<std::size_t>(c)]) {
                expected[static_cast<std::size_t>(c)] = "[]";
            }
        }
        if (!expected[16]) {
            expected[16] = "off";
        } else if (*expected[16] == "off-pro") {
            expected[16] = "off_pro";
        }
        CHECK(ours.at(id) == expected);
    }
    CHECK(*ours.at(i_pro)[16] == "off_pro");
    CHECK(*ours.at(i_null_server)[16] == "off");
    CHECK(*ours.at(i_null_server)[0] == "12345678");
    CHECK(*ours.at(i_no_timestamp)[3] == "2022-01-01 00:00:00");
    CHECK(*ours.at(i_escapes)[13] == "tab\there\\back\nline");
    CHECK(*ours.at(i_escapes)[24] == "{fr,en}");

    // Votes.
    auto votes = f.target_conn->exec("SELECT id::text, value, device_id FROM annotation_vote ORDER BY id");
    REQUIRE(votes.rows() == 3);
    CHECK(votes.get_string(0, 0) == "10000000-0000-4000-8000-000000000001");
    CHECK(votes.get_string(1, 0) == "10000000-0000-4000-8000-000000000002");
    CHECK(votes.get_string(2, 0) == "10000000-0000-4000-8000-000000000007");
    CHECK(votes.get_int(2, 1) == 1);

    // Predictions and images: normalized, ids mapped.
    auto preds = f.target_conn->exec(
        "SELECT m.source_id, p.barcode, p.type, p.server_type, p.predictor_version FROM robotoff_import_id_map m "
        "JOIN prediction p ON p.id = m.target_id WHERE m.source_table = 'prediction' ORDER BY m.source_id");
    REQUIRE(preds.rows() == 4);
    CHECK(preds.get_int(0, 0) == 11);
    CHECK(preds.get_string(0, 4) == "1");
    CHECK(preds.get_int(1, 0) == 13);
    CHECK(preds.get_string(1, 3) == "off_pro");
    CHECK(preds.get_string(1, 1) == "org-acme/0001234");
    CHECK(preds.get_int(2, 0) == 14);
    CHECK(preds.get_string(2, 1) == "3017620425035");
    CHECK(preds.get_string(3, 2) == "mystery_model");
    CHECK(f.target_conn->exec("SELECT target_id IS NULL FROM robotoff_import_id_map WHERE source_table = 'prediction' "
                              "AND source_id = 12").get_bool(0, 0));
    auto images = f.target_conn->exec(
        "SELECT barcode, image_id, source_image, width, height, deleted, server_type, uploaded_at::text FROM image "
        "ORDER BY image_id");
    REQUIRE(images.rows() == 2);
    CHECK(images.get_string(0, 1) == "1");
    CHECK(images.get_int(0, 3) == 1000);
    CHECK(images.get_string(0, 7) == "2020-01-01 00:00:00");
    CHECK(images.get_string(1, 0) == "12345678");
    CHECK(images.get_string(1, 6) == "off");
    CHECK(images.get_bool(1, 5));

    // Rejects: table, key, reason.
    const auto lines = reject_lines(f.rejects);
    REQUIRE(lines.size() == 11);
    CHECK(lines[0] == "table\tkey\treason");
    auto has = [&](const std::string& line) {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    };
    CHECK(has(std::string("product_insight\t") + i_bad_annotation + "\tannotation 5 is outside -1..2"));
    CHECK(has(std::string("product_insight\t") + i_short_box + "\tbounding_box is not four numbers"));
    CHECK(has(std::string("product_insight\t") + i_text_box + "\tbounding_box is not four numbers"));
    CHECK(has(std::string("product_insight\t") + i_data_box + "\tdata.bounding_box is not four numbers"));
    CHECK(has(std::string("product_insight\t") + i_bad_server + "\tunknown server_type 'xyz'"));
    CHECK(has("annotation_vote\t10000000-0000-4000-8000-000000000004\tvote value 3 is not -1, 0 or 1"));
    CHECK(has(std::string("annotation_vote\t10000000-0000-4000-8000-000000000003\tvote without its insight ") +
              i_bad_annotation));
    CHECK(has("annotation_vote\t10000000-0000-4000-8000-000000000005\tvote without its insight "
              "00000000-0000-4000-8000-0000000000ff"));
    CHECK(has("prediction\t16\tdata is not a JSON object"));
    CHECK(has("image\t22\timage_id is not the id of a raw image"));

    // The indexes dropped for the copy are back, and nothing is left to rebuild.
    CHECK(f.target_conn->exec("SELECT count(*) FROM robotoff_import_state").get_int(0, 0) == 0);
    CHECK(f.target_conn->exec("SELECT count(*) FROM pg_indexes WHERE indexname = 'product_insight_popularity_idx'")
              .get_int(0, 0) == 1);
    CHECK(table(first, "product_insight").indexes_rebuilt > 20);
    CHECK(!first.rebuilt.empty());

    SECTION("a second run writes nothing") {
        const auto before =
            rows_by_key(*f.target_conn, std::string("SELECT ") + insight_columns + " FROM product_insight");
        const auto second = f.import();
        CHECK(table(second, "product_insight").written == 0);
        CHECK(table(second, "product_insight").present == 6);
        CHECK(table(second, "product_insight").skipped == 5);
        CHECK(table(second, "annotation_vote").written == 0);
        CHECK(table(second, "annotation_vote").present == 3);
        CHECK(table(second, "annotation_vote").merged == 1);
        CHECK(table(second, "prediction").written == 0);
        CHECK(table(second, "prediction").present == 5);  // 4 rows and the collapsed duplicate
        CHECK(table(second, "image").written == 0);
        CHECK(table(second, "image").present == 2);
        CHECK(rows_by_key(*f.target_conn, std::string("SELECT ") + insight_columns + " FROM product_insight") == before);
        CHECK(f.target_conn->exec("SELECT count(*) FROM prediction").get_int(0, 0) == 4);
        CHECK(f.target_conn->exec("SELECT count(*) FROM annotation_vote").get_int(0, 0) == 3);
    }

    SECTION("a run stopped half-way is finished by the next one") {
        // What a stop leaves: some batches committed, the rest missing, indexes still dropped.
        f.target_conn->exec("DELETE FROM product_insight WHERE id IN ($1, $2)", {i_label, i_unknown});
        f.target_conn->exec("DELETE FROM robotoff_import_id_map WHERE source_table = 'prediction' AND source_id = 13");
        f.target_conn->exec("DELETE FROM prediction WHERE barcode = 'org-acme/0001234'");
        const std::string definition =
            f.target_conn->exec("SELECT indexdef FROM pg_indexes WHERE indexname = 'product_insight_popularity_idx'")
                .get_string(0, 0);
        f.target_conn->exec("INSERT INTO robotoff_import_state VALUES ('index:product_insight_popularity_idx', $1)",
                            {definition});
        f.target_conn->exec("DROP INDEX product_insight_popularity_idx");
        const auto again = f.import(2);
        CHECK(table(again, "product_insight").written == 2);
        CHECK(table(again, "product_insight").present == 4);
        CHECK(table(again, "annotation_vote").written == 2);  // the votes of i_label went with it (cascade)
        CHECK(table(again, "prediction").written == 1);
        CHECK(f.target_conn->exec("SELECT count(*) FROM product_insight").get_int(0, 0) == 6);
        CHECK(f.target_conn->exec("SELECT count(*) FROM annotation_vote").get_int(0, 0) == 3);
        CHECK(f.target_conn->exec("SELECT count(*) FROM pg_indexes WHERE indexname = 'product_insight_popularity_idx'")
                  .get_int(0, 0) == 1);
        CHECK(f.target_conn->exec("SELECT count(*) FROM robotoff_import_state").get_int(0, 0) == 0);
    }
}

TEST_CASE("import-robotoff without the fast path gives the same rows", "[pg]") {
    fixture f;
    const auto s = f.import(3, false);
    check_first_import(f, s);
    CHECK(f.target_conn->exec("SELECT count(*) FROM product_insight").get_int(0, 0) == 6);
    CHECK(f.target_conn->exec("SELECT count(*) FROM annotation_vote").get_int(0, 0) == 3);
}

TEST_CASE("import-robotoff reads an older source without the newest columns and tables", "[pg]") {
    fixture f(false);
    f.source_conn->exec_script(R"SQL(
        ALTER TABLE product_insight DROP COLUMN lc, DROP COLUMN with_image, DROP COLUMN bounding_box,
            DROP COLUMN campaign;
        ALTER TABLE image DROP COLUMN fingerprint;
        DROP SCHEMA embedding CASCADE;
        -- A vote timestamp stored with a time zone: read back as UTC.
        ALTER TABLE annotation_vote ALTER COLUMN timestamp TYPE timestamptz USING timestamp AT TIME ZONE 'UTC';
        SET TimeZone = 'Europe/Paris';
        INSERT INTO product_insight (id, barcode, type, data, timestamp, n_votes, automatic_processing, server_type,
            unique_scans_n, reserved_barcode)
        VALUES ('00000000-0000-4000-8000-000000000001', '3017620425035', 'label', '{}', '2023-05-01 10:00:00', 1,
                false, 'off', 5, false);
        INSERT INTO annotation_vote VALUES ('10000000-0000-4000-8000-000000000001',
            '00000000-0000-4000-8000-000000000001', NULL, 1, 'dev', '2023-05-01 14:00:00+02');
        INSERT INTO image (barcode, image_id, source_image, width, height, deleted)
        VALUES ('3017620425035', '1', '/301/762/042/5035/1.jpg', 10, 10, false);
    )SQL");
    const auto s = f.import();
    CHECK(s.skipped == 0);
    CHECK(table(s, "product_insight").written == 1);
    CHECK(table(s, "embedding.logo_embedding").note == "absent in source");
    auto r = f.target_conn->exec(
        "SELECT lc IS NULL, with_image IS NULL, bounding_box IS NULL, campaign::text FROM product_insight");
    REQUIRE(r.rows() == 1);
    CHECK(r.get_bool(0, 0));
    CHECK(r.get_bool(0, 1));
    CHECK(r.get_bool(0, 2));
    CHECK(r.get_string(0, 3) == "[]");
    CHECK(f.target_conn->exec("SELECT timestamp::text FROM annotation_vote").get_string(0, 0) == "2023-05-01 12:00:00");
    CHECK(f.target_conn->exec("SELECT count(*) FROM image").get_int(0, 0) == 1);
}

TEST_CASE("import-robotoff on the command line: exit codes, summary, clear errors", "[pg]") {
    fixture f;
    const std::string db_flag = "--database.url=" + f.target.url();
    auto r = robotoff::testing::run_robotoffd({"import-robotoff", db_flag, "--from", f.source.url(), "--reject-file",
                                               f.rejects});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);  // rows were skipped
    CHECK(r.out.find("product_insight") != std::string::npos);
    CHECK(r.out.find("10 rows skipped") != std::string::npos);
    CHECK(r.err.find("--allow-rejects") != std::string::npos);

    r = robotoff::testing::run_robotoffd({"import-robotoff", db_flag, "--from=" + f.source.url(), "--allow-rejects",
                                          "--reject-file=" + f.rejects});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("not imported (no table yet)") != std::string::npos);

    // Unreachable source: a message without the password, exit 1.
    auto [host, port] = robotoff::testing::url_host_port(f.source.url());
    (void)host;
    (void)port;
    r = robotoff::testing::run_robotoffd({"import-robotoff", db_flag, "--from",
                                          "postgresql://someone:s3cr3tpw@127.0.0.1:1/robotoff?connect_timeout=2"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("cannot connect to the source database") != std::string::npos);
    CHECK(r.err.find("s3cr3tpw") == std::string::npos);
    CHECK(r.out.find("s3cr3tpw") == std::string::npos);

    // A malformed DSN.
    r = robotoff::testing::run_robotoffd({"import-robotoff", db_flag, "--from", "postgresql://[::1"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("cannot connect to the source database") != std::string::npos);

    // Not a Robotoff database.
    r = robotoff::testing::run_robotoffd({"import-robotoff", db_flag, "--from", robotoff::testing::admin_database_url()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("not a Robotoff database") != std::string::npos);

    // Usage.
    r = robotoff::testing::run_robotoffd({"import-robotoff", db_flag});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--from") != std::string::npos);
}
