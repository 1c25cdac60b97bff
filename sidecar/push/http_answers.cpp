#include "sidecar/push/http_answers.hpp"

#include <algorithm>
#include <charconv>

#include <spdlog/spdlog.h>

namespace pushsync::push {

Duration retry_after_of(const http2::Response& response) {
  auto value = response.header("retry-after");
  long seconds = 0;
  if (!value || std::from_chars(value->data(), value->data() + value->size(), seconds).ec != std::errc{}) return {};
  return std::chrono::seconds(std::clamp(seconds, 0L, 3600L));
}

std::vector<std::size_t> needing_refresh(const std::vector<Answer>& answers) {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < answers.size(); ++i)
    if (answers[i].verdict == Verdict::refresh_auth) indices.push_back(i);
  return indices;
}

Answer ProviderHealth::no_answer(const http2::Result& result) const {
  auto verdict = result.failure == http2::Failure::connect_failed ? Verdict::provider_down : Verdict::retry;
  return {verdict, name_ + " " + http2::to_string(result.failure) + ": " + result.detail, Duration{0}};
}

Outcome ProviderHealth::outcome_of(const Answer& answer) {
  switch (answer.verdict) {
    case Verdict::accepted: return Outcome::accepted();
    case Verdict::invalid_token: return Outcome::invalid_token(answer.why);
    case Verdict::retry: return Outcome::retry(answer.why, answer.retry_after);
    case Verdict::dead: return Outcome::dead(answer.why);
    case Verdict::refresh_auth:
    case Verdict::provider_down: return Outcome::provider_down(answer.why, backoff_.delay(streak_ + 1));
  }
  return Outcome::dead(answer.why);
}

void ProviderHealth::note(std::span<const Outcome> outcomes) {
  auto down = std::find_if(outcomes.begin(), outcomes.end(),
                           [](const Outcome& o) { return o.kind == Outcome::Kind::provider_down; });
  if (down != outcomes.end() && streak_++ == 0)
    spdlog::error("{}: cannot send ({}); pushes wait in the outbox", name_, down->reason);
  if (down == outcomes.end() && streak_ > 0) {
    spdlog::info("{}: sending again", name_);
    streak_ = 0;
  }
}

}  // namespace pushsync::push
