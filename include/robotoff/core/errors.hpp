#pragma once
// The error hierarchy shared by every module (see STYLE.md "Errors").
//
// client_error carries an HTTP status and a public title/description: the HTTP error mapper turns it into
// the JSON error body as is. Every other std::exception reaching the mapper becomes a generic 500.

#include <stdexcept>
#include <string>
#include <utility>

namespace robotoff::core {

class client_error : public std::runtime_error {
public:
    client_error(unsigned status, std::string title, std::string description)
        : std::runtime_error(description), status_(status), title_(std::move(title)),
          description_(std::move(description)) {}

    unsigned status() const noexcept { return status_; }
    const std::string& title() const noexcept { return title_; }
    const std::string& description() const noexcept { return description_; }

private:
    unsigned status_;
    std::string title_;
    std::string description_;
};

// 400 "Missing parameter": The "<name>" parameter is required.
inline client_error missing_parameter(const std::string& name) {
    return client_error(400, "Missing parameter", "The \"" + name + "\" parameter is required.");
}

// 400 "Invalid parameter" with a description naming the parameter and the rule.
inline client_error invalid_parameter(const std::string& name, const std::string& rule) {
    return client_error(400, "Invalid parameter", "The \"" + name + "\" parameter " + rule);
}

// 400 "400 Bad Request": a rule between parameters failed.
inline client_error bad_request(std::string description) {
    return client_error(400, "400 Bad Request", std::move(description));
}

inline client_error not_found(std::string description = "Not Found") {
    return client_error(404, "404 Not Found", std::move(description));
}

// The server cannot take more work right now (pool or queue full, database down): 503 + Retry-After.
class service_unavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bad configuration or usage detected at start-up: the CLI prints it and exits with code 2.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace robotoff::core
