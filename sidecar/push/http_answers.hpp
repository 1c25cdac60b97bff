#pragma once

#include <span>
#include <string>
#include <vector>

#include "sidecar/config/config.hpp"
#include "sidecar/http2/message.hpp"
#include "sidecar/push/outcome.hpp"
#include "sidecar/util/backoff.hpp"

namespace pushsync::push {

// What a provider's answer means for the push that got it; each provider
// maps its own answers to these in one table.
enum class Verdict {
  accepted,
  invalid_token,  // disable the installation, feedback row
  retry,          // throttled or unavailable: backoff, honouring Retry-After
  dead,           // this push can never be sent: dead letter
  provider_down,  // no push can be sent (auth, config, path): all wait
  refresh_auth,   // our credential expired or was refused: renew it, resend once
};

// How much of a provider's own words (an error reason or body) an answer
// keeps: enough to name the problem, bounded for logs and dead letters.
inline constexpr std::size_t max_provider_words = 200;

// One answer, read once: its verdict and the words for logs and dead letters.
struct Answer {
  Verdict verdict = Verdict::retry;
  std::string why;
  Duration retry_after{0};  // Retry-After, for Verdict::retry
};

// Indices of the answers whose credential must be renewed (Verdict::refresh_auth).
std::vector<std::size_t> needing_refresh(const std::vector<Answer>& answers);

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

  // The answer to a request that got no response.
  Answer no_answer(const http2::Result& result) const;
  // A refresh_auth still there after the one renewal means the provider is down.
  Outcome outcome_of(const Answer& answer);

  // After each batch, with its outcomes.
  void note(std::span<const Outcome> outcomes);
  // Whether the last batch found the provider down.
  bool down() const { return streak_ > 0; }

 private:
  std::string name_;
  Backoff backoff_;
  int streak_ = 0;  // consecutive batches with the provider down
};

}  // namespace pushsync::push
