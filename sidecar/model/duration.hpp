#pragma once

#include <chrono>

namespace pushsync {

using Duration = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

}  // namespace pushsync
