#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pushsync::config {

// One entry of webpush.allowed_origins: a host ("push.example.com"), any
// subdomain of one ("*.example.com") or "*", with an optional port; an IPv6
// host in brackets ("[::1]:8443"). Kept in lower case.
struct OriginPattern {
  std::string host;
  std::string port;  // empty: any port
};

// nullopt when `text` is not such a pattern.
std::optional<OriginPattern> parse_origin_pattern(std::string_view text);

}  // namespace pushsync::config
