#include "sidecar/push/webpush/webpush_answers.hpp"

#include <fmt/format.h>

#include "sidecar/util/utf8.hpp"

namespace pushsync::push {

Answer webpush_answer(const http2::Response& response) {
  auto verdict = webpush_verdict(response.status);
  std::string why = fmt::format("webpush {}", response.status);
  if (verdict != Verdict::accepted && !response.body.empty())
    why += ": " + utf8_excerpt(response.body, max_provider_words);
  return {verdict, why, retry_after_of(response)};
}

}  // namespace pushsync::push
