#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pushsync::api {

// A request the API refuses: the status, a snake_case code clients can
// branch on, and a message for people. Never carries a secret.
struct ApiError : std::runtime_error {
  ApiError(int http_status, std::string error_code, const std::string& message)
      : std::runtime_error(message), status(http_status), code(std::move(error_code)) {}
  int status;
  std::string code;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Allow
};

// 422: the request is well-formed JSON, but a field's value is not usable.
inline ApiError invalid(const std::string& code, const std::string& message) { return {422, code, message}; }

}  // namespace pushsync::api
