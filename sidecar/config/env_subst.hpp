#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pushsync::config {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment, for main; tests pass their own lookup.
EnvLookup process_env();

// Replaces ${VAR} and ${VAR:-default}; "$${" stays a literal "${".
// Throws std::invalid_argument naming the variable when it is unset and has
// no default, or when the syntax is broken.
std::string substitute_env(std::string_view text, const EnvLookup& env);

}  // namespace pushsync::config
