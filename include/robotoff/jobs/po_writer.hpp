#pragma once
// The Product Opener side of a decision (pipeline.md §6.4 type actions + §7 writes), implementing
// insights::product_writer with off::client. Used by the annotate route (user credentials forwarded) and by
// process_insights / vote decisions (robot credentials). Reads the product from Product Opener first:
// not found -> 3; "already present" -> 5; changed data -> 4; missing image -> 8; any failure of the read or
// the write (timeout, transport, HTTP 4xx/5xx, v3 errors, no credentials) -> 10.
// Thread-safe (stateless besides the shared client). Blocking.

#include "robotoff/insights/annotate.hpp"
#include "robotoff/off/client.hpp"

namespace robotoff::jobs {

class po_writer final : public insights::product_writer {
public:
    explicit po_writer(const off::client& po) : po_(po) {}

    int apply(insights::insight& ins, int annotation, const std::optional<std::string>& user_data_json,
              const insights::credentials& user, bool is_vote) override;

private:
    const off::client& po_;
};

}  // namespace robotoff::jobs
