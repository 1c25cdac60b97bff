#pragma once

#include <chrono>

namespace pushsync {

using Duration = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
// The database's clock (its now()), for deadlines stored in the outbox.
using DbTime = std::chrono::system_clock::time_point;

}  // namespace pushsync
