#pragma once

#include <string>

#include "sidecar/api/routes.hpp"

namespace pushsync::api {

// Query parameters several routes share; each throws ApiError 400 naming it.

// `name` as RFC 3339 (or a span back from now, "2h"); "" when absent.
std::string moment_param(const Call& call, const std::string& name);
// `limit`: 1..max, `fallback` when absent.
// The listing routes' page size (feedback, dead letters): 1000, at most 10,000.
constexpr int default_page_limit = 1000;
constexpr int max_page_limit = 10000;
int limit_param(const Call& call, int fallback = default_page_limit, int max = max_page_limit);
// `name`: a whole number min..max, `fallback` when absent.
int number_param(const Call& call, const std::string& name, int fallback, int min, int max);

}  // namespace pushsync::api
