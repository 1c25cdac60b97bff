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

int limit_param(const Call& call, int fallback, int max) {
  std::string text = last_value(call.query, "limit");
  if (text.empty()) return fallback;
  if (text.size() > 7 || text.find_first_not_of("0123456789") != std::string::npos || std::stoi(text) < 1 ||
      std::stoi(text) > max)
    throw ApiError(400, "invalid_limit", "\"limit\" must be a number from 1 to " + std::to_string(max));
  return std::stoi(text);
}

}  // namespace pushsync::api
