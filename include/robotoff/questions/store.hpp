#pragma once
// SQL behind the question routes (api.md §6). Filters become constant SQL fragments with values as parameters.
// Scales to millions of open insights: popularity and random orders run one index walk per insight type
// (popularity index / random_key index, data-model.md §2.1) combined with UNION ALL, each stopping after
// the rows it needs; random never sorts the filtered table by random(). Blocking; uses the given connection.

#include "robotoff/db/connection.hpp"
#include "robotoff/questions/questions.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace robotoff::questions {

// Caller identity used to hide insights already voted on (api.md §1.4): username if authenticated, else
// device id.
struct voter {
    std::optional<std::string> username;
    std::string device_id;
};

// Filters of /questions, /questions/random, /questions/popular (api.md §6.2). Always: open, non-automatic.
struct question_filter {
    core::server_type server_type = core::server_type::off;
    std::vector<std::string> types;             // question types to serve; empty -> no rows
    std::optional<std::string> value_tag;
    std::optional<std::string> predictor;
    std::vector<std::string> brands;            // contains any
    std::vector<std::string> countries;         // country tags, contains any
    std::vector<std::string> campaigns;         // contains all
    bool include_reserved = false;              // false: reserved_barcode = false only
    std::optional<bool> with_image;
    std::optional<voter> exclude_voted;
};

enum class question_order { popularity, random, confidence };

std::vector<insight_row> list_questions(db::connection& conn, const question_filter& filter, question_order order,
                                        int count, long long offset);
// Number of matches, counting stops at `cap`.
long long count_questions(db::connection& conn, const question_filter& filter, long long cap = 100);

// Question-eligible insights of one product minus voted ones, `count` with the most votes, then stably sorted
// by type priority (api.md §6.1).
std::vector<insight_row> product_questions(db::connection& conn, core::server_type server_type,
                                           const std::string& barcode, const std::vector<std::string>& types,
                                           const voter& who, int count);

// /questions/unanswered (api.md §6.3).
struct unanswered_filter {
    core::server_type server_type = core::server_type::off;
    std::optional<std::string> type;
    std::vector<std::string> countries;
    std::vector<std::string> campaigns;
    std::optional<std::string> predictor;
    bool include_reserved = false;
};
struct unanswered_page {
    long long total = 0;                                  // matching insights, all groups
    std::vector<std::pair<std::optional<std::string>, long long>> groups;  // (value_tag, count), biggest first
};
unanswered_page unanswered_questions(db::connection& conn, const unanswered_filter& filter, int count,
                                     long long offset);

// Product rows (name, language, images) of the given barcodes; absent products are missing from the map.
std::map<std::string, product_info> load_products(db::connection& conn, core::server_type server_type,
                                                  const std::vector<std::string>& barcodes);

// Number of insights whose `username` is `username` (api.md §4.9).
long long user_annotation_count(db::connection& conn, const std::string& username);

}  // namespace robotoff::questions
