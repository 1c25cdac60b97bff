#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "sidecar/http2/connection.hpp"

namespace pushsync::http2 {

struct Url {
  Endpoint endpoint;
  std::string path = "/";
};

// https://host[:port][/path]; nullopt for anything else.
inline std::optional<Url> parse_https_url(std::string_view text) {
  constexpr std::string_view scheme = "https://";
  if (text.substr(0, scheme.size()) != scheme) return std::nullopt;
  // No spaces or control characters: a URL has none, and its path goes
  // into a request line as it is.
  if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return std::nullopt;
  text.remove_prefix(scheme.size());
  Url url;
  auto slash = text.find('/');
  if (slash != std::string_view::npos) url.path = std::string(text.substr(slash));
  auto authority = text.substr(0, slash);
  auto colon = authority.rfind(':');
  url.endpoint.host = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) url.endpoint.port = std::string(authority.substr(colon + 1));
  if (url.endpoint.host.empty() || url.endpoint.port.empty()) return std::nullopt;
  return url;
}

}  // namespace pushsync::http2
