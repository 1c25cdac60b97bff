#include "sidecar/push/webpush/allowed_origins.hpp"

#include <algorithm>
#include <cctype>

namespace pushsync::push::webpush {

namespace {

struct Pattern {
  std::string host;  // "*", "*.example.com" or "example.com"
  std::string port;  // empty: any
};

// "host[:port]"; an IPv6 host in brackets ("[::1]:8443").
Pattern split(const std::string& pattern) {
  auto colon = pattern.rfind(':');
  if (colon == std::string::npos || pattern.find(']', colon) != std::string::npos) return {pattern, ""};
  return {pattern.substr(0, colon), pattern.substr(colon + 1)};
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool host_matches(const std::string& pattern, const std::string& host) {
  if (pattern == "*") return true;
  if (pattern.rfind("*.", 0) == 0)
    return host.size() > pattern.size() - 1 && host.ends_with(std::string_view(pattern).substr(1));
  return host == pattern;
}

bool matches(const Pattern& pattern, const http2::Endpoint& endpoint) {
  return host_matches(pattern.host, lower(endpoint.host)) && (pattern.port.empty() || pattern.port == endpoint.port);
}

}  // namespace

AllowedOrigins::AllowedOrigins(std::optional<std::vector<std::string>> configured)
    : patterns_(configured ? std::move(*configured) : browser_push_services()), listed_(configured.has_value()) {
  for (auto& pattern : patterns_) pattern = lower(pattern);
}

std::vector<std::string> AllowedOrigins::browser_push_services() {
  return {"fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com", "*.notify.windows.com",
          "*.push.apple.com"};
}

bool AllowedOrigins::allows(const http2::Endpoint& endpoint) const {
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const std::string& p) { return matches(split(p), endpoint); });
}

http2::Endpoint AllowedOrigins::connectable(http2::Endpoint endpoint) const {
  const bool named = listed_ && std::any_of(patterns_.begin(), patterns_.end(), [&](const std::string& p) {
                       auto pattern = split(p);
                       return pattern.host.find('*') == std::string::npos && matches(pattern, endpoint);
                     });
  endpoint.public_only = !named;
  return endpoint;
}

}  // namespace pushsync::push::webpush
