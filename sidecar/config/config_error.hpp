#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "sidecar/config/source_pos.hpp"

namespace pushsync::config {

// One problem in the config, printed as `file:line:col: key.path: message`.
struct ConfigIssue {
  std::string file;
  SourcePos pos;
  std::string key_path;
  std::string message;

  std::string to_string() const;
};

// Thrown for bad config or bad usage; main prints every issue and exits 2.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<ConfigIssue> issues);
  explicit ConfigError(ConfigIssue issue) : ConfigError(std::vector<ConfigIssue>{std::move(issue)}) {}
  const std::vector<ConfigIssue>& issues() const { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

}  // namespace pushsync::config
