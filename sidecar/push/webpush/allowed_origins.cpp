#include "sidecar/push/webpush/allowed_origins.hpp"

#include <algorithm>

#include "sidecar/util/ascii_lower.hpp"

namespace pushsync::push::webpush {

namespace {

using config::OriginPattern;

bool host_matches(const std::string& pattern, const std::string& host) {
  if (pattern == "*") return true;
  if (pattern.starts_with("*."))
    return host.size() > pattern.size() - 1 && host.ends_with(std::string_view(pattern).substr(1));
  return host == pattern;
}

// `host`: the endpoint's, in lower case.
bool matches(const OriginPattern& pattern, const std::string& host, const std::string& port) {
  return host_matches(pattern.host, host) && (pattern.port.empty() || pattern.port == port);
}

}  // namespace

AllowedOrigins::AllowedOrigins(std::optional<std::vector<OriginPattern>> configured)
    : patterns_(configured ? std::move(*configured) : browser_push_services()), listed_(configured.has_value()) {}

std::vector<OriginPattern> AllowedOrigins::browser_push_services() {
  std::vector<OriginPattern> out;
  for (const char* host : {"fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com",
                           "*.notify.windows.com", "*.push.apple.com"})
    out.push_back({host, ""});
  return out;
}

bool AllowedOrigins::allows(const http2::Endpoint& endpoint) const {
  const std::string host = ascii_lower(endpoint.host);
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const OriginPattern& p) { return matches(p, host, endpoint.port); });
}

http2::Endpoint AllowedOrigins::connectable(http2::Endpoint endpoint) const {
  const std::string host = ascii_lower(endpoint.host);
  const bool named = listed_ && std::any_of(patterns_.begin(), patterns_.end(), [&](const OriginPattern& p) {
                       return p.host.find('*') == std::string::npos && matches(p, host, endpoint.port);
                     });
  endpoint.public_only = !named;
  return endpoint;
}

}  // namespace pushsync::push::webpush
