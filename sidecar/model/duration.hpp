#pragma once

#include <chrono>

namespace pushsync {

using Duration = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
// The database's clock (its now()), for deadlines stored in the outbox.
using DbTime = std::chrono::system_clock::time_point;

// Microseconds since the epoch: how a DbTime travels in the outbox's JSON
// (to_timestamp(x / 1000000.0) on the other side).
inline long long micros(DbTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace pushsync
