#pragma once
// DESIGN: Product Opener's event streams (intake.md). This module turns Redis Stream entries into durable
// job rows: event.hpp is the pure mapping (entry -> outcome + jobs, §3.4), redis.hpp the hiredis client,
// store.hpp the one transaction that records entries and their jobs, consumer.hpp the reader thread of a
// consumer group, replay.hpp the operator's XRANGE replay. Nothing here runs a job: the job workers do.

#include "robotoff/jobs/queue.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robotoff::core {
class config;
}

namespace robotoff::intake {

// Which stream an entry comes from: the two carry different fields (intake.md §1.2, §1.4).
enum class source { product_updates, ocr_ready };
std::string_view to_string(source s);

// One stream entry as Redis returns it: the entry ID and its field/value pairs (all strings).
struct stream_entry {
    std::string id;
    std::vector<std::pair<std::string, std::string>> fields;

    // The value of `name`, empty when missing (intake.md §1.1: missing = empty).
    std::string_view field(std::string_view name) const;
    // The fields as a JSON object (kept with invalid and dead-lettered entries).
    std::string fields_json() const;
};

// Outcomes of §3.4 step 6, as stored in redis_stream_event.outcome and counted in metrics.
namespace outcome {
inline constexpr const char* enqueued = "enqueued";
inline constexpr const char* robot = "robot";
inline constexpr const char* pro_platform = "pro_platform";
inline constexpr const char* invalid = "invalid";
inline constexpr const char* ignored_action = "ignored_action";
inline constexpr const char* ignored_server_type = "ignored_server";  // a project this deployment does not serve
inline constexpr const char* duplicate = "duplicate";
inline constexpr const char* dead_letter = "dead_letter";
inline constexpr const char* trimmed = "trimmed";
}  // namespace outcome

struct mapping_settings {
    std::string robot_user;                                // off.user
    std::vector<std::string> skip_user_ids{"roboto-app"};  // redis.skip_user_ids
    std::vector<std::string> low_priority_users{"scanbot", "update_all_products"};
    std::vector<std::string> server_types{"off", "obf", "opff", "opf"};  // redis.server_types
    bool ocr_ready_enabled = true;                         // redis.ocr_ready_enabled
    std::chrono::seconds updated_wait{10};                 // jobs.updated_product_wait_s
    std::string images_url = "https://images.{base}.{tld}";
    std::string tld = "org";

    static mapping_settings from_config(const core::config& cfg);
};

// What one entry becomes: an outcome, a reason for logs when nothing is enqueued, and the jobs.
struct planned_entry {
    std::string outcome = outcome::enqueued;
    std::string reason;
    std::vector<jobs::new_job> jobs;
};

// The mapping of intake.md §3.4 (pure: no I/O).
planned_entry plan_entry(source src, const stream_entry& entry, const mapping_settings& settings);

// The unix milliseconds of an entry ID ("1718822400123-0" -> 1718822400123); 0 when malformed.
long long entry_id_millis(std::string_view id);

}  // namespace robotoff::intake
