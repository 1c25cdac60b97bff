#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace pushsync {

enum class Platform { apns, fcm, ws, webpush };

inline constexpr std::array<Platform, 4> all_platforms{Platform::apns, Platform::fcm, Platform::ws, Platform::webpush};

constexpr std::string_view to_string(Platform p) {
  switch (p) {
    case Platform::apns: return "apns";
    case Platform::fcm: return "fcm";
    case Platform::ws: return "ws";
    case Platform::webpush: return "webpush";
  }
  return "?";
}

constexpr std::optional<Platform> parse_platform(std::string_view s) {
  for (auto p : all_platforms)
    if (to_string(p) == s) return p;
  return std::nullopt;
}

}  // namespace pushsync
