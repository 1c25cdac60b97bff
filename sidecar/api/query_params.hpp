#pragma once

#include <string>

#include "sidecar/api/routes.hpp"

namespace pushsync::api {

// Query parameters several routes share; each throws ApiError 400 naming it.

// `name` as RFC 3339 (or a span back from now, "2h"); "" when absent.
std::string moment_param(const Call& call, const std::string& name);
// `limit`: 1..max, `fallback` when absent.
int limit_param(const Call& call, int fallback, int max);

}  // namespace pushsync::api
