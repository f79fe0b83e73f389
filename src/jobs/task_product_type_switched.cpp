// product_type_switched (intake.md §3.5): Product Opener moved a product to the server of another type (a food
// product that is in fact a cosmetic, ...). What the old key had goes, and the product is imported again on its
// new server: every raw image, then product_updated with the category model forced.

#include "robotoff/core/log.hpp"
#include "robotoff/insights/store.hpp"
#include "robotoff/jobs/queue.hpp"
#include "robotoff/products/repository.hpp"
#include "tasks_internal.hpp"

namespace robotoff::jobs {

namespace {

// The other tables of intake.md §3.5 (logo_annotation, image_prediction, image_embedding) do not exist yet.
constexpr const char* sql_delete_predictions = "DELETE FROM prediction WHERE server_type = $1 AND barcode = $2";
// Annotated insights are never deleted (spec README §10).
constexpr const char* sql_delete_insights =
    "DELETE FROM product_insight WHERE server_type = $1 AND barcode = $2 AND annotation IS NULL";
constexpr const char* sql_delete_images = "DELETE FROM image WHERE server_type = $1 AND barcode = $2";

// Product Opener's product_type -> the server that hosts it.
std::optional<core::server_type> server_of_product_type(std::string_view type) {
    if (type == "food") {
        return core::server_type::off;
    }
    if (type == "beauty") {
        return core::server_type::obf;
    }
    if (type == "petfood") {
        return core::server_type::opff;
    }
    if (type == "product") {
        return core::server_type::opf;
    }
    return std::nullopt;
}

}  // namespace

job_outcome run_product_type_switched(task_environment& env, const job& j) {
    if (!env.settings.product_check) {
        return job_outcome::done("product checks off");
    }
    const auto old_server = payload_server(j);
    const auto barcode = payload_barcode(j);

    // 1. The real type. Transport errors and unexpected statuses throw: the job is retried.
    auto type = env.po.get_product_type(old_server, barcode);
    if (!type) {
        return job_outcome::done("product not found");
    }
    auto new_server = server_of_product_type(*type);
    if (!new_server) {
        core::log::warning("jobs.unknown_product_type", {{"job_id", j.id}, {"barcode", barcode}, {"type", *type}});
        return job_outcome::done("unknown product_type " + *type);
    }
    // A pro-platform product is food: its type cannot switch it to the public off server.
    if (*new_server == old_server ||
        (old_server == core::server_type::off_pro && *new_server == core::server_type::off)) {
        return job_outcome::done("same server type");
    }

    // 2. Forget the old key.
    {
        auto conn = env.pool.acquire();
        db::transaction tx(*conn);
        insights::lock_product(*conn, old_server, barcode);
        const std::string st(core::to_string(old_server));
        conn->exec(sql_delete_predictions, {st, barcode});
        conn->exec(sql_delete_insights, {st, barcode});
        conn->exec(sql_delete_images, {st, barcode});
        products::mark_product_deleted(*conn, old_server, barcode);
        tx.commit();
    }

    // 3. Import it on the new server (read outside any transaction: no network while holding locks).
    const auto s = *new_server;
    auto product = read_product(env, s, barcode);
    if (!product) {
        return job_outcome::done("product not found on " + std::string(core::to_string(s)));
    }
    const auto image_ids = product->image_ids();
    {
        auto conn = env.pool.acquire();
        db::transaction tx(*conn);
        for (const auto& id : image_ids) {
            auto payload = import_image_payload(s, barcode, id, env.po.image_url(s, barcode, id),
                                                env.po.ocr_url(s, barcode, id));  // no flags: all of them
            enqueue_in_transaction(*conn, {"import_image", std::move(payload)});
        }
        enqueue_in_transaction(
            *conn, {"product_updated",
                    product_payload(s, barcode, dedup_key_for("product_updated", core::product_key(s, barcode)),
                                    R"({"diffs":{},"force_category":true})")});
        tx.commit();
    }
    if (env.wake) {
        env.wake();
    }
    return job_outcome::done("moved to " + std::string(core::to_string(s)) + ", " + std::to_string(image_ids.size()) +
                             " image imports");
}

}  // namespace robotoff::jobs
