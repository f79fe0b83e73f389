#pragma once
// Who is calling (api.md §1.4): credentials forwarded to Product Opener (session cookie or Basic), the
// anonymous device id (parameter, else SHA-1 of the client address) and the voter identity.
// Pure functions of the request; thread-safe.

#include "robotoff/http/request.hpp"
#include "robotoff/insights/annotate.hpp"

#include <string>

namespace robotoff::api {

// Throws core::client_error 401 "Invalid authentication, Basic auth expected." for an Authorization header
// that is neither Basic (with or without the word) nor, when `bearer_allowed`, a Bearer token.
insights::credentials caller_credentials(const http::request& req, bool bearer_allowed = false);

// device_id parameter, else lowercase hex SHA-1 of the client address (request::client_address: the peer, or
// the client that http.trusted_proxies forwarded for).
std::string caller_device_id(const http::request& req);

std::string sha1_hex(std::string_view text);

}  // namespace robotoff::api
