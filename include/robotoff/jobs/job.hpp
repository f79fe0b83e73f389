#pragma once
// Job values and the pure rules of pipeline.md §8.1: retry back-off, dedup-merge of payloads, per-kind lock
// timeouts, payload builders. No I/O; thread-safe.

#include "robotoff/core/json.hpp"
#include "robotoff/core/product_ref.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::jobs {

// A claimed job as a handler sees it.
struct job {
    long long id = 0;
    std::string kind;
    std::string payload_text;        // the payload as stored (JSON object)
    rapidjson::Document payload;     // parsed payload_text
    int attempts = 0;                // runs started, this one included
    std::string product_key;         // payload.product_key or empty
};

// What a handler reports. Failures are exceptions (retried with back-off); "not ready" is not a failure.
struct job_outcome {
    enum class type { done, not_ready };
    type kind = type::done;
    std::chrono::seconds delay{0};          // not_ready: when to look again
    std::optional<std::string> new_payload; // not_ready: replaces the payload (e.g. ocr_checks + 1)
    std::string note;                       // logged

    static job_outcome done(std::string note = {}) { return {type::done, {}, std::nullopt, std::move(note)}; }
    static job_outcome not_ready(std::chrono::seconds delay, std::optional<std::string> payload = std::nullopt,
                                 std::string note = {}) {
        return {type::not_ready, delay, std::move(payload), std::move(note)};
    }
};

// run_after delay after the n-th failed attempt: min(base × 2^(n−1), 1 h); base is 30 s (tests shorten it).
std::chrono::seconds retry_delay(int attempts, std::chrono::seconds base = std::chrono::seconds(30));

// Merge of a new payload into a pending job with the same kind and dedup_key (§8.1). For product_updated the
// `diffs` are merged (union of lists, later values win for scalars, objects merged recursively; an absent or
// empty diff object on either side means "everything changed") and a true `force_category` stays. For
// import_image the `flags` are unioned (absent on either side = all flags = no member). Other kinds keep
// `existing`.
std::string merge_payload(std::string_view kind, std::string_view existing, std::string_view incoming);

// Recursively merges `incoming` into `target`: arrays are unioned (order kept, duplicates dropped), objects
// merged key by key, other values replaced.
void merge_diffs(rapidjson::Value& target, const rapidjson::Value& incoming,
                 rapidjson::Document::AllocatorType& alloc);

// The image-import flags of intake.md §2.3: the `flags` member of an import_image payload (strings). No member
// means all seven (the webhook and images/import routes, product_type_switched).
namespace image_flag {
inline constexpr std::string_view add_image_fingerprint = "add_image_fingerprint";
inline constexpr std::string_view run_nutrition_table_object_detection = "run_nutrition_table_object_detection";
inline constexpr std::string_view run_logo_object_detection = "run_logo_object_detection";
inline constexpr std::string_view import_insights_from_image = "import_insights_from_image";
inline constexpr std::string_view extract_ingredients = "extract_ingredients";
inline constexpr std::string_view extract_nutrition = "extract_nutrition";
inline constexpr std::string_view predict_category = "predict_category";
}  // namespace image_flag

using image_flags = std::vector<std::string>;
const image_flags& all_image_flags();      // the seven, in the order above
const image_flags& upload_image_flags();   // add_image_fingerprint, run_nutrition_table_object_detection
const image_flags& ocr_image_flags();      // the other five (they need the OCR JSON)
// The JSON array text of `flags`: ["add_image_fingerprint",...].
std::string image_flags_json(const image_flags& flags);
// The flags of an import_image payload; nullopt when it has no `flags` member (= all flags). Non-string items
// are ignored.
std::optional<image_flags> image_flags_of(const rapidjson::Value& payload);
// Whether the payload asks for `flag` (true when it has no `flags` member).
bool has_image_flag(const rapidjson::Value& payload, std::string_view flag);

// Payload of an import_image job (pipeline.md §8.2), dedup key "image:{product_key}:{image_id}", ocr_checks 0;
// `flags` nullopt = no member = all flags.
std::string import_image_payload(core::server_type s, std::string_view barcode, std::string_view image_id,
                                 std::string_view image_url, std::string_view ocr_url,
                                 const std::optional<image_flags>& flags = std::nullopt);

// Payload of a product job: {"server_type", "barcode", "product_key", "dedup_key"?} plus the members of
// `extra_json` (a JSON object text, may be empty). `dedup_key` empty = none.
std::string product_payload(core::server_type s, std::string_view barcode, std::string_view dedup_key,
                            std::string_view extra_json = {});

// The §8.1 table of dedup keys: "image:{product_key}:{image_id}", "updated:{product_key}",
// "type_switch:{product_key}" (product_type_switched), ... Kinds without a product and with a fixed key use the
// kind name.
std::string dedup_key_for(std::string_view kind, std::string_view product_key, std::string_view image_id = {});

// Whether a kind is a long batch job (its stale-lock timeout is longer): informative for logs.
bool is_batch_kind(std::string_view kind);

// Every kind of pipeline.md §8.1, and product_type_switched (intake.md §3.5).
const std::vector<std::string>& all_kinds();

}  // namespace robotoff::jobs
