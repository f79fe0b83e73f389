// The event -> jobs mapping of intake.md §3.4. Pure: the consumer and the replay command call it, and the
// unit tests check every row of the table with the example entries of §1.5.

#include "robotoff/intake/event.hpp"

#include "robotoff/core/config.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/product_ref.hpp"
#include "robotoff/jobs/job.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <variant>

namespace robotoff::intake {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// product_type -> server type (§1.2); nullopt for any other value.
std::optional<core::server_type> server_of_product_type(std::string_view product_type) {
    if (product_type == "food") {
        return core::server_type::off;
    }
    if (product_type == "beauty") {
        return core::server_type::obf;
    }
    if (product_type == "petfood") {
        return core::server_type::opff;
    }
    if (product_type == "product") {
        return core::server_type::opf;
    }
    return std::nullopt;
}

// Image ids of a diffs list: strings, or integers as Robotoff's development CLI writes them (§1.3).
std::vector<std::string> image_ids(const rapidjson::Value* list) {
    std::vector<std::string> out;
    if (!list || !list->IsArray()) {
        return out;
    }
    for (const auto& item : list->GetArray()) {
        if (item.IsString() && item.GetStringLength() > 0) {
            out.emplace_back(item.GetString(), item.GetStringLength());
        } else if (item.IsInt64()) {
            out.push_back(std::to_string(item.GetInt64()));
        }
    }
    return out;
}

bool list_contains(const rapidjson::Value* group, const char* list, std::string_view value) {
    if (!group || !group->IsObject()) {
        return false;
    }
    const auto* items = core::get_member(*group, list);
    if (!items || !items->IsArray()) {
        return false;
    }
    return std::any_of(items->Begin(), items->End(), [&](const rapidjson::Value& v) {
        return v.IsString() && std::string_view(v.GetString(), v.GetStringLength()) == value;
    });
}

planned_entry rejected(const char* outcome, std::string reason) {
    planned_entry p;
    p.outcome = outcome;
    p.reason = std::move(reason);
    return p;
}

struct product_target {
    core::server_type server;
    std::string barcode;
};

// Steps 1 of §3.4 common to both streams: barcode and server type.
std::variant<product_target, planned_entry> target_of(const stream_entry& e, const mapping_settings& s) {
    std::string barcode = core::normalize_barcode(e.field("code"));
    if (barcode.empty()) {
        return rejected(outcome::invalid, "empty code");
    }
    auto server = server_of_product_type(e.field("product_type"));
    if (!server) {
        return rejected(outcome::invalid, "unknown product_type '" + std::string(e.field("product_type")) + "'");
    }
    if (e.field("flavor") == "off_pro") {
        // The event carries no organisation id: the pro product key cannot be built.
        return rejected(outcome::pro_platform, "producers platform event");
    }
    if (!contains(s.server_types, core::to_string(*server))) {
        return rejected(outcome::ignored_server_type, "server type not in redis.server_types");
    }
    return product_target{*server, std::move(barcode)};
}

jobs::new_job image_job(const product_target& t, const std::string& image_id, const mapping_settings& s,
                        const std::optional<jobs::image_flags>& flags) {
    const std::string base = core::expand_base_url(s.images_url, t.server, s.tld) + "/images/products" +
                             core::split_barcode(t.barcode) + "/" + image_id;
    return {"import_image",
            jobs::import_image_payload(t.server, t.barcode, image_id, base + ".jpg", base + ".json", flags),
            std::chrono::seconds(0)};
}

jobs::new_job product_job(const char* kind, const product_target& t, std::chrono::seconds delay,
                          std::string_view extra = {}) {
    const std::string key = jobs::dedup_key_for(kind, core::product_key(t.server, t.barcode));
    return {kind, jobs::product_payload(t.server, t.barcode, key, extra), delay};
}

planned_entry plan_product_update(const stream_entry& e, const mapping_settings& s) {
    auto target = target_of(e, s);
    if (auto* p = std::get_if<planned_entry>(&target)) {
        return std::move(*p);
    }
    const auto& t = std::get<product_target>(target);
    const std::string_view user = e.field("user_id");
    if ((!s.robot_user.empty() && user == s.robot_user) || contains(s.skip_user_ids, user) ||
        e.field("comment").find("[robotoff]") != std::string_view::npos) {
        return rejected(outcome::robot, "robotoff's own edit");
    }
    planned_entry plan;
    const std::string_view action = e.field("action");
    if (action == "deleted") {
        plan.jobs.push_back(product_job("product_deleted", t, std::chrono::seconds(0)));
    } else if (action == "updated") {
        const std::string_view diffs_text = e.field("diffs").empty() ? std::string_view("{}") : e.field("diffs");
        auto diffs = core::try_parse_json(diffs_text);
        if (!diffs || !diffs->IsObject()) {
            return rejected(outcome::invalid, "diffs is not a JSON object");
        }
        const auto* fields = core::get_member(*diffs, "fields");
        if (list_contains(fields, "change", "product_type")) {
            // A type switch wins over everything else in the event (§3.4).
            plan.jobs.push_back(product_job("product_type_switched", t, s.updated_wait));
        } else {
            const auto* images = core::get_member(*diffs, "uploaded_images");
            const bool images_object = images && images->IsObject();
            const auto flags = s.ocr_ready_enabled ? std::optional(jobs::upload_image_flags()) : std::nullopt;
            for (const auto& id : image_ids(images_object ? core::get_member(*images, "add") : nullptr)) {
                plan.jobs.push_back(image_job(t, id, s, flags));
            }
            for (const auto& id : image_ids(images_object ? core::get_member(*images, "delete") : nullptr)) {
                std::string extra = "{\"image_id\":";
                core::append_json_string(extra, id);
                extra += "}";
                plan.jobs.push_back({"image_deleted", jobs::product_payload(t.server, t.barcode, "", extra),
                                     s.updated_wait});
            }
            const bool other_groups = std::any_of(diffs->MemberBegin(), diffs->MemberEnd(), [](const auto& m) {
                return std::string_view(m.name.GetString(), m.name.GetStringLength()) != "uploaded_images";
            });
            if (other_groups || diffs->ObjectEmpty()) {
                plan.jobs.push_back(
                    product_job("product_updated", t, s.updated_wait, "{\"diffs\":" + core::to_json(*diffs) + "}"));
            }
        }
    } else {
        return rejected(outcome::ignored_action, "action '" + std::string(action) + "'");
    }
    if (contains(s.low_priority_users, user)) {
        for (auto& job : plan.jobs) {
            job.priority = 1;
        }
    }
    return plan;
}

planned_entry plan_ocr_ready(const stream_entry& e, const mapping_settings& s) {
    auto target = target_of(e, s);
    if (auto* p = std::get_if<planned_entry>(&target)) {
        return std::move(*p);
    }
    const std::string image_id(e.field("image_id"));
    if (image_id.empty()) {
        return rejected(outcome::invalid, "no image_id");
    }
    planned_entry plan;
    // json_url is ignored: the URLs are rebuilt from barcode and image id, like every other import.
    plan.jobs.push_back(image_job(std::get<product_target>(target), image_id, s, jobs::ocr_image_flags()));
    return plan;
}

}  // namespace

std::string_view to_string(source s) {
    return s == source::ocr_ready ? "ocr_ready" : "product_updates";
}

std::string_view stream_entry::field(std::string_view name) const {
    for (const auto& [key, value] : fields) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

std::string stream_entry::fields_json() const {
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : fields) {
        std::string quoted;
        core::append_json_string(quoted, value);
        core::append_json_member(out, key, quoted, first);
    }
    return out + "}";
}

mapping_settings mapping_settings::from_config(const core::config& cfg) {
    mapping_settings s;
    s.robot_user = cfg.get_string("off.user");
    s.skip_user_ids = cfg.get_list("redis.skip_user_ids");
    s.low_priority_users = cfg.get_list("redis.low_priority_users");
    s.server_types = cfg.get_list("redis.server_types");
    s.ocr_ready_enabled = cfg.get_bool("redis.ocr_ready_enabled");
    s.updated_wait = std::chrono::seconds(cfg.get_int("jobs.updated_product_wait_s"));
    s.images_url = cfg.get_string("off.images_url");
    s.tld = cfg.tld();
    return s;
}

planned_entry plan_entry(source src, const stream_entry& entry, const mapping_settings& settings) {
    try {
        return src == source::ocr_ready ? plan_ocr_ready(entry, settings) : plan_product_update(entry, settings);
    } catch (const std::exception& e) {
        // Whatever an entry holds, it is acknowledged and kept: never a crash or an endless redelivery.
        return rejected(outcome::invalid, e.what());
    }
}

long long entry_id_millis(std::string_view id) {
    long long ms = 0;
    const auto dash = id.find('-');
    const auto digits = id.substr(0, dash);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
    return ec == std::errc() && end == digits.data() + digits.size() ? ms : 0;
}

}  // namespace robotoff::intake
