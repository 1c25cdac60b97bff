#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "sidecar/model/duration.hpp"

namespace pushsync::config {

// "250ms", "5s", "2m", "1h", "1m30s"; nullopt when malformed or unit missing.
std::optional<Duration> parse_duration(std::string_view text);

// "512", "512B", "64KiB", "1MiB", "2GiB", "10kB", "1MB"; nullopt when malformed.
std::optional<std::size_t> parse_size(std::string_view text);

}  // namespace pushsync::config
