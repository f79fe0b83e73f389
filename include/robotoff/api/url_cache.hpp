#pragma once
// An on-disk cache in front of a url_fetcher (api.md §4.8: images fetched by /api/v1/images/crop are kept
// 24 h). Files are named by the SHA-1 of the URL, written atomically; an entry older than `max_age` is
// fetched again. The cleanup job removes old entries. Thread-safe (no shared state beyond the folder).

#include "robotoff/api/ocr_routes.hpp"

#include <chrono>
#include <string>

namespace robotoff::api {

url_fetcher cached_fetcher(url_fetcher inner, std::string directory, std::chrono::seconds max_age);

}  // namespace robotoff::api
