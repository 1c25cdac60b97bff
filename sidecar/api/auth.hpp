#pragma once

#include <optional>
#include <string_view>

#include "sidecar/api/response.hpp"

namespace pushsync::api {

// The token of "Authorization: Bearer <token>", if present.
std::optional<std::string_view> bearer_token(const Request& request);

}  // namespace pushsync::api
