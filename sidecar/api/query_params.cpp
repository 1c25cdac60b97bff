#include "sidecar/api/query_params.hpp"

#include "sidecar/util/moment.hpp"

namespace pushsync::api {

std::string moment_param(const Call& call, const std::string& name) {
  std::string text = last_value(call.query, name);
  if (text.empty()) return text;
  // A '+' offset sent unescaped arrives as a space.
  for (auto& c : text)
    if (c == ' ') c = '+';
  auto moment = parse_moment(text, std::chrono::system_clock::now());
  if (!moment)
    throw ApiError(400, "invalid_" + name,
                   "\"" + name + "\" must be an RFC 3339 time, e.g. 2026-11-23T08:00:00Z, or a span back like 2h");
  return *moment;
}

int number_param(const Call& call, const std::string& name, int fallback, int min, int max) {
  std::string text = last_value(call.query, name);
  if (text.empty()) return fallback;
  if (text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos || std::stoi(text) < min ||
      std::stoi(text) > max)
    throw ApiError(400, "invalid_" + name,
                   "\"" + name + "\" must be a number from " + std::to_string(min) + " to " + std::to_string(max));
  return std::stoi(text);
}

int limit_param(const Call& call, int fallback, int max) { return number_param(call, "limit", fallback, 1, max); }

}  // namespace pushsync::api
