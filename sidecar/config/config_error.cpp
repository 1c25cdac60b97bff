#include "sidecar/config/config_error.hpp"

namespace pushsync::config {

std::string ConfigIssue::to_string() const {
  std::string out = file;
  if (pos.line > 0) out += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
  out += ": ";
  if (!key_path.empty()) out += key_path + ": ";
  return out + message;
}

static std::string join(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const auto& issue : issues) {
    if (!out.empty()) out += '\n';
    out += issue.to_string();
  }
  return out;
}

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : std::runtime_error(join(issues)), issues_(std::move(issues)) {}

}  // namespace pushsync::config
