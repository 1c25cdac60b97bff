#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sidecar/config/config.hpp"

namespace pushsync::config {

// Splits a `tables:` key: `Sales.Order Items` -> {Sales, Order Items};
// `"my.schema".orders` for names holding a dot; a bare name means `public`.
// Returns nullopt (with `error` set) when the key is malformed.
std::optional<QualifiedName> split_table_key(std::string_view key, std::string& error);

}  // namespace pushsync::config
