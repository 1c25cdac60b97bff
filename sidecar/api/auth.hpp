#pragma once

#include <optional>
#include <string_view>

#include "sidecar/api/response.hpp"

namespace pushsync::api {

// Compares secrets in time that depends on neither (both are hashed first).
bool same_secret(std::string_view given, std::string_view expected);

// The token of "Authorization: Bearer <token>", if present.
std::optional<std::string_view> bearer_token(const Request& request);

}  // namespace pushsync::api
