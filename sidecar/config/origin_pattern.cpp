#include "sidecar/config/origin_pattern.hpp"

#include <algorithm>
#include <cctype>

#include "sidecar/util/ascii_lower.hpp"

namespace pushsync::config {

std::optional<OriginPattern> parse_origin_pattern(std::string_view text) {
  const auto colon = text.rfind(':');
  const bool has_port = colon != std::string_view::npos && text.find(']', colon) == std::string_view::npos;
  OriginPattern pattern{ascii_lower(std::string(text.substr(0, has_port ? colon : text.size()))),
                        has_port ? std::string(text.substr(colon + 1)) : ""};
  auto digit = [](unsigned char c) { return std::isdigit(c); };
  if (has_port && (pattern.port.empty() || !std::all_of(pattern.port.begin(), pattern.port.end(), digit)))
    return std::nullopt;
  std::string_view name = pattern.host;
  if (name == "*") return pattern;
  if (name.starts_with("*.")) name.remove_prefix(2);
  const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
  if (!valid) return std::nullopt;
  return pattern;
}

}  // namespace pushsync::config
