#pragma once

#include <algorithm>
#include <random>

#include "sidecar/model/duration.hpp"

namespace pushsync {

// Exponential backoff with "equal jitter": attempt n waits between half and
// all of min(max, initial * 2^(n-1)), so retries of many sidecars spread out.
class Backoff {
 public:
  Backoff(Duration initial, Duration max, std::uint32_t seed = std::random_device{}())
      : initial_(initial), max_(max), random_(seed) {}

  Duration delay(int attempt) {
    Duration cap = initial_;
    for (int i = 1; i < attempt && cap < max_; ++i) cap *= 2;
    cap = std::min(cap, max_);
    std::uniform_int_distribution<Duration::rep> jitter(0, cap.count() / 2);
    return Duration(cap.count() - cap.count() / 2 + jitter(random_));
  }

 private:
  Duration initial_;
  Duration max_;
  std::mt19937 random_;
};

}  // namespace pushsync
