#pragma once

#include <string>

#include "sidecar/config/config.hpp"
#include "sidecar/http2/message.hpp"
#include "sidecar/push/outcome.hpp"
#include "sidecar/util/backoff.hpp"

namespace pushsync::push {

// Retry-After in seconds (clamped to an hour); 0 when absent or not seconds.
Duration retry_after_of(const http2::Response& response);

// What HTTP/2 providers share about their own health: a request that got
// no answer is retried, a provider that cannot send at all (no connection,
// auth refused) is down, and that is logged once when it starts and once
// when it ends.
class ProviderHealth {
 public:
  ProviderHealth(std::string name, const config::BackoffConfig& backoff)
      : name_(std::move(name)), backoff_(backoff.initial, backoff.max) {}

  Outcome down(std::string why) { return Outcome::provider_down(std::move(why), backoff_.delay(streak_ + 1)); }
  Outcome no_answer(const http2::Result& result);

  // After each batch: the first provider_down outcome in it, or null.
  void note(const Outcome* down);
  bool healthy() const { return streak_ == 0; }

 private:
  std::string name_;
  Backoff backoff_;
  int streak_ = 0;  // consecutive batches with the provider down
};

}  // namespace pushsync::push
