#pragma once

#include <string_view>

namespace pushsync {

// Compares secrets in time that depends on neither (both are hashed first).
bool same_secret(std::string_view given, std::string_view expected);

}  // namespace pushsync
