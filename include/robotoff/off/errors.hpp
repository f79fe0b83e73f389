#pragma once
// Typed failures of Product Opener calls. Jobs retry the transient ones (timeout, transport, server_error);
// the annotate route turns any of them into `error_failed_update` (api.md §5.3).

#include <stdexcept>
#include <string>
#include <string_view>

namespace robotoff::off {

enum class error_kind {
    not_found,      // HTTP 404 (or a product read answering "product not found")
    unauthorized,   // HTTP 401/403 (bad robot or user credentials)
    client_error,   // other HTTP 4xx
    server_error,   // HTTP 5xx
    timeout,        // the request's deadline passed
    transport,      // DNS, connect, TLS, protocol or malformed-URL failure
    refused,        // the write needs credentials and none are configured
};

std::string_view to_string(error_kind kind);

class po_error : public std::runtime_error {
public:
    po_error(error_kind kind, std::string message, unsigned status = 0)
        : std::runtime_error(std::move(message)), kind_(kind), status_(status) {}

    error_kind kind() const noexcept { return kind_; }
    unsigned status() const noexcept { return status_; }
    // Worth retrying later (timeout, transport, 5xx).
    bool transient() const noexcept {
        return kind_ == error_kind::timeout || kind_ == error_kind::transport || kind_ == error_kind::server_error;
    }

private:
    error_kind kind_;
    unsigned status_;
};

// The error kind of a non-2xx HTTP status.
error_kind kind_of_status(unsigned status);

}  // namespace robotoff::off
