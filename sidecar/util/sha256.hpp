#pragma once

#include <string>
#include <string_view>

namespace pushsync {

// Lower-case hex SHA-256 (64 characters).
std::string sha256_hex(std::string_view data);

}  // namespace pushsync
