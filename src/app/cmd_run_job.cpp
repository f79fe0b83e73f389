// `robotoffd run-job NAME`: enqueue one job and run it now, in this process, printing the result.

#include "application.hpp"
#include "commands.hpp"
#include "robotoff/core/clock.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/jobs/service.hpp"

#include <cstdio>

namespace robotoff::app {

int run_run_job(command_context& ctx) {
    std::string name;
    std::string barcode;
    std::string server = "off";
    std::string image_id;
    std::string payload;
    for (std::size_t i = 0; i < ctx.args.size(); ++i) {
        const std::string& a = ctx.args[i];
        auto value = [&](const char* flag) -> std::string {
            std::string prefix = std::string(flag) + "=";
            if (a.starts_with(prefix)) {
                return a.substr(prefix.size());
            }
            if (i + 1 >= ctx.args.size()) {
                throw usage_failure(std::string(flag) + " needs a value");
            }
            return ctx.args[++i];
        };
        if (a.starts_with("--barcode")) {
            barcode = core::normalize_barcode(value("--barcode"));
        } else if (a.starts_with("--server-type")) {
            server = value("--server-type");
        } else if (a.starts_with("--image-id")) {
            image_id = value("--image-id");
        } else if (a.starts_with("--payload")) {
            payload = value("--payload");
        } else if (a.starts_with("--")) {
            throw usage_failure("unknown option '" + a + "'");
        } else if (name.empty()) {
            name = a;
        } else {
            throw usage_failure("unexpected argument '" + a + "'");
        }
    }
    if (name.empty()) {
        throw usage_failure("missing NAME (a job kind or a schedule name, e.g. process_insights)");
    }
    auto st = core::parse_server_type(server);
    if (!st) {
        throw usage_failure("invalid server type '" + server + "'");
    }

    db::pool pool(pool_settings_from(ctx.cfg));
    core::metrics_registry metrics;
    core::system_clock clock;
    jobs::service svc(ctx.cfg, pool, metrics, clock, jobs::service_options{0, std::chrono::seconds(30)});

    std::string kind = name;
    for (const auto& s : svc.schedules()) {
        if (s.name == name) {
            kind = s.kind;
            if (payload.empty()) {
                payload = s.payload(clock.now());
            }
        }
    }
    auto kinds = svc.jobs().kinds();
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
        std::fprintf(stderr, "robotoffd run-job: job kind '%s' is not available on this node\n", kind.c_str());
        return 1;
    }
    if (payload.empty()) {
        if (!barcode.empty()) {
            std::string pk = core::product_key(*st, barcode);
            std::string extra;
            if (!image_id.empty()) {
                extra = "{\"image_id\":\"" + image_id + "\",\"image_url\":\"" +
                        svc.po().image_url(*st, barcode, image_id) + "\",\"ocr_url\":\"" +
                        svc.po().ocr_url(*st, barcode, image_id) + "\",\"ocr_checks\":0}";
            }
            payload = jobs::product_payload(*st, barcode, jobs::dedup_key_for(kind, pk, image_id), extra);
        } else {
            payload = "{\"dedup_key\":\"" + kind + "\"}";
        }
    }
    auto queued = svc.jobs().enqueue({kind, payload, std::chrono::seconds(0)});
    auto row = svc.jobs().run_until_settled(queued.id);
    if (!row) {
        std::fprintf(stderr, "robotoffd run-job: job %lld vanished\n", queued.id);
        return 1;
    }
    std::printf("job %lld %s: %s (attempts %d)%s%s\n", row->id, row->kind.c_str(), row->state.c_str(), row->attempts,
                row->last_error ? ", last error: " : "", row->last_error ? row->last_error->c_str() : "");
    return row->state == "done" ? 0 : 1;
}

}  // namespace robotoff::app
