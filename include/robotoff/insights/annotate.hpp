#pragma once
// Annotation and votes (pipeline.md §6, api.md §5). The Product Opener side of a decision (the type actions
// of §6.4) sits behind `product_writer`, implemented by the Product Opener client; without one, a decision
// that needs a write answers 10 error_failed_update and nothing is stored.
// Each call runs in one transaction holding the product's advisory lock and the insight row lock. Blocking.

#include "robotoff/db/connection.hpp"
#include "robotoff/insights/model.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robotoff::insights {

// Credentials extracted from a request (api.md §1.4). robotoffd never checks them; it forwards them.
struct credentials {
    std::optional<std::string> username;   // set when authenticated (session cookie or Basic)
    std::string session_cookie;            // raw `session` cookie value
    std::string basic_user;
    std::string basic_password;
    bool authenticated() const { return username.has_value(); }
};

// api.md §5.3 status codes.
namespace status {
inline constexpr int saved = 1;
inline constexpr int updated = 2;
inline constexpr int missing_product = 3;
inline constexpr int updated_product = 4;
inline constexpr int already_annotated = 5;
inline constexpr int unknown_insight = 6;
inline constexpr int invalid_image = 8;
inline constexpr int vote_saved = 9;
inline constexpr int failed_update = 10;
inline constexpr int invalid_data = 11;
inline constexpr int user_input_updated = 12;
inline constexpr int cannot_vote = 13;
}  // namespace status

struct annotation_result {
    int status_code = 0;
    std::string status;
    std::string description;
};
annotation_result make_result(int status_code);

// Runs the §6.4 type action for a decided insight (annotation 1 or 2, update = true): reads the product from
// Product Opener, checks "already present", writes. Returns a §5.3 code (2, 3, 4, 5, 8, 12 or 10). For
// annotation 2 it may rewrite `ins.value_tag`, `ins.value` and `ins.data` (stored with the decision).
// Called inside the decision's transaction; must be thread-safe (several requests at once).
class product_writer {
public:
    virtual ~product_writer() = default;
    virtual int apply(insight& ins, int annotation, const std::optional<std::string>& user_data_json,
                      const credentials& user, bool is_vote) = 0;
};

// §6.3 step 1: does `data` (JSON) match the user-value schema of the type? Types without one: false.
bool valid_annotation_data(std::string_view insight_type, std::string_view data_json);

// §6.2 step 3: the decision from vote counts (value, count) of values 0/1, or nullopt.
std::optional<int> vote_decision(const std::vector<std::pair<int, long long>>& counts);

struct annotate_request {
    std::string insight_id;
    int annotation = 0;
    bool update = true;
    std::optional<std::string> data;   // JSON object text (annotation 2)
    credentials user;
    std::string device_id;
};

// POST /api/v1/insights/annotate after parameter validation (api.md §5.1 checks are the caller's).
annotation_result annotate(db::connection& conn, const annotate_request& request, product_writer* writer);

// Decides an insight directly (automatic processing, §6.5: annotation 1, update, no user). Same transaction
// rules as annotate().
annotation_result decide_insight(db::connection& conn, const std::string& insight_id, int annotation, bool update,
                                 const std::optional<std::string>& data, const credentials& user, bool is_vote,
                                 product_writer* writer);

}  // namespace robotoff::insights
