#pragma once

#include <string>

#include "sidecar/config/config.hpp"
#include "sidecar/config/env_subst.hpp"

namespace pushsync::config {

// Reads and validates a config file (everything that can be checked without
// a database). Throws ConfigError.
Config load_config(const std::string& file, const EnvLookup& env);

// Same, from text already in memory; `file` is only used in messages.
Config parse_config(const std::string& file, const std::string& text, const EnvLookup& env);

}  // namespace pushsync::config
