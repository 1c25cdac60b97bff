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

Outcome ProviderHealth::no_answer(const http2::Result& result) {
  auto why = name_ + " " + http2::to_string(result.failure) + ": " + result.detail;
  if (result.failure == http2::Failure::connect_failed) return down(why);
  return Outcome::retry(why);
}

void ProviderHealth::note(const Outcome* down) {
  if (down && streak_++ == 0) spdlog::error("{}: cannot send ({}); pushes wait in the outbox", name_, down->reason);
  if (!down && streak_ > 0) {
    spdlog::info("{}: sending again", name_);
    streak_ = 0;
  }
}

}  // namespace pushsync::push
