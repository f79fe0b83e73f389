// Annotation and votes against PostgreSQL (pipeline.md §6): vote counting and decisions, one vote per voter,
// authenticated decisions, the failed-write rule without a Product Opener writer, annotation 2.
#include "robotoff/insights/annotate.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>

using namespace robotoff;
using namespace robotoff::insights;
using robotoff::testing::temp_database;

namespace {

// Stands in for the Product Opener client: records calls, answers a fixed code.
class fake_writer final : public product_writer {
public:
    explicit fake_writer(int code) : code_(code) {}
    int apply(insight& ins, int annotation, const std::optional<std::string>& data, const credentials&,
              bool is_vote) override {
        ++calls;
        last_vote = is_vote;
        if (annotation == 2 && data && ins.type == "category") {
            ins.data = R"({"original_value_tag":")" + ins.value_tag.value_or("") + R"(","user_input":true})";
            ins.value_tag = "en:biscuits";
            ins.value = std::nullopt;
            return status::user_input_updated;
        }
        return code_;
    }
    std::atomic<int> calls{0};
    bool last_vote = false;

private:
    int code_;
};

std::string new_insight(db::connection& conn, const std::string& type = "label") {
    return conn
        .exec("INSERT INTO product_insight (barcode, type, timestamp, value_tag) "
              "VALUES ('3017620425035', $1, now(), 'en:cookies') RETURNING id::text",
              {type})
        .get_string(0, 0);
}

annotation_result vote(db::connection& conn, const std::string& id, int value, const std::string& device,
                       product_writer* writer) {
    annotate_request r;
    r.insight_id = id;
    r.annotation = value;
    r.device_id = device;
    return annotate(conn, r, writer);
}

struct row {
    std::optional<long long> annotation;
    long long n_votes;
    std::optional<long long> annotated_result;
    std::optional<std::string> username;
};

row load(db::connection& conn, const std::string& id) {
    auto r = conn.exec(
        "SELECT annotation, n_votes, annotated_result, username FROM product_insight WHERE id = $1::uuid", {id});
    return {r.get_optional_int(0, 0), r.get_int(0, 1), r.get_optional_int(0, 2), r.get_optional(0, 3)};
}

}  // namespace

TEST_CASE("votes: yes, yes stays open; a third yes decides and writes with the robot", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    fake_writer writer(status::updated);
    auto id = new_insight(*conn);
    CHECK(vote(*conn, id, 1, "d1", &writer).status == "vote_saved");
    CHECK(vote(*conn, id, 1, "d2", &writer).status == "vote_saved");
    auto open = load(*conn, id);
    CHECK_FALSE(open.annotation);
    CHECK(open.n_votes == 2);
    auto decided = vote(*conn, id, 1, "d3", &writer);
    CHECK(decided.status_code == status::updated);
    CHECK(writer.last_vote);
    auto r = load(*conn, id);
    CHECK(r.annotation == 1);
    CHECK(r.annotated_result == 2);
    CHECK_FALSE(r.username);  // vote decisions carry no user name
    CHECK(r.n_votes == 3);
    CHECK(vote(*conn, id, 1, "d4", &writer).status == "error_already_annotated");
    // A refresh of the product is queued after the decision.
    CHECK(conn->exec("SELECT count(*) FROM job WHERE kind = 'refresh_product' AND payload->>'barcode' = "
                     "'3017620425035'").get_int(0, 0) == 1);
}

TEST_CASE("votes: 2 against 2 is ambiguous; skips do not count; one vote per device", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    fake_writer writer(status::updated);
    auto id = new_insight(*conn);
    vote(*conn, id, 1, "a", &writer);
    vote(*conn, id, -1, "b", &writer);
    vote(*conn, id, -1, "c", &writer);
    CHECK(load(*conn, id).n_votes == 1);
    vote(*conn, id, 0, "b", &writer);  // device b changes its mind: replaces its skip
    CHECK(load(*conn, id).n_votes == 2);
    CHECK(conn->exec("SELECT count(*) FROM annotation_vote WHERE insight_id = $1::uuid", {id}).get_int(0, 0) == 3);
    vote(*conn, id, 1, "d", &writer);
    auto result = vote(*conn, id, 0, "e", &writer);
    CHECK(result.status == "saved");  // -1 decided, nothing written
    CHECK(load(*conn, id).annotation == -1);
    CHECK(writer.calls == 0);
}

TEST_CASE("votes: no, no, yes, no decides 0 without a write", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    auto id = new_insight(*conn);
    vote(*conn, id, 0, "a", nullptr);
    vote(*conn, id, 0, "b", nullptr);
    vote(*conn, id, 1, "c", nullptr);
    CHECK(vote(*conn, id, 0, "d", nullptr).status == "saved");
    CHECK(load(*conn, id).annotation == 0);
}

TEST_CASE("authenticated decisions; without a Product Opener writer an update fails and stores nothing", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    annotate_request r;
    r.insight_id = new_insight(*conn);
    r.annotation = 1;
    r.user.username = "alice";
    r.device_id = "dev";
    auto failed = annotate(*conn, r, nullptr);
    CHECK(failed.status_code == status::failed_update);
    CHECK_FALSE(load(*conn, r.insight_id).annotation);
    CHECK(conn->exec("SELECT count(*) FROM job").get_int(0, 0) == 0);

    r.update = false;
    CHECK(annotate(*conn, r, nullptr).status == "saved");
    auto saved = load(*conn, r.insight_id);
    CHECK(saved.annotation == 1);
    CHECK(saved.username == "alice");
    CHECK(saved.annotated_result == 1);

    annotate_request no;
    no.insight_id = new_insight(*conn);
    no.annotation = 0;
    no.user.username = "bob";
    CHECK(annotate(*conn, no, nullptr).status == "saved");
    CHECK(load(*conn, no.insight_id).annotation == 0);

    annotate_request unknown = no;
    unknown.insight_id = "00000000-0000-4000-8000-000000000000";
    CHECK(annotate(*conn, unknown, nullptr).status == "error_unknown_insight");
}

TEST_CASE("annotation 2 on a category stores the user value; invalid data stores nothing", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    fake_writer writer(status::updated);
    annotate_request r;
    r.insight_id = new_insight(*conn, "category");
    r.annotation = 2;
    r.user.username = "alice";
    r.data = R"({"wrong":"x"})";
    CHECK(annotate(*conn, r, &writer).status == "error_invalid_data");
    CHECK_FALSE(load(*conn, r.insight_id).annotation);
    r.data = R"({"value_tag":"en:biscuits"})";
    CHECK(annotate(*conn, r, &writer).status == "user_input_updated");
    auto stored = conn->exec("SELECT annotation, value_tag, data->>'original_value_tag', annotated_result "
                             "FROM product_insight WHERE id = $1::uuid", {r.insight_id});
    CHECK(stored.get_int(0, 0) == 2);
    CHECK(stored.get_string(0, 1) == "en:biscuits");
    CHECK(stored.get_string(0, 2) == "en:cookies");
    CHECK(stored.get_int(0, 3) == 12);
}

TEST_CASE("an 'already present' answer keeps the decision with a null annotated_result", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    fake_writer writer(status::already_annotated);
    annotate_request r;
    r.insight_id = new_insight(*conn);
    r.annotation = 1;
    r.user.username = "alice";
    CHECK(annotate(*conn, r, &writer).status_code == 5);
    auto stored = load(*conn, r.insight_id);
    CHECK(stored.annotation == 1);
    CHECK_FALSE(stored.annotated_result);
}
