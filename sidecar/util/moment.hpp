#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pushsync {

// "2026-11-23T08:00:00Z", "2026-11-23 08:00:00.5+01:00", ...
bool is_rfc3339(std::string_view text);

// A moment as people type it: RFC 3339, or a span back from `now` ("90s",
// "15m", "2h", "7d", at most a hundred years). RFC 3339 text comes back as
// given, a span as UTC; nullopt when it is neither.
std::optional<std::string> parse_moment(std::string_view text, std::chrono::system_clock::time_point now);

// "2026-11-23T08:00:00.000000Z" (UTC, microseconds).
std::string rfc3339(std::chrono::system_clock::time_point at);

}  // namespace pushsync
