#pragma once

#include "sidecar/push/http_answers.hpp"

namespace pushsync::push {

// What a push service's answer to a Web Push request means (RFC 8030 §5,
// RFC 8292 §4.2). 403 is about one subscription (made with another
// applicationServerKey), so it dead-letters that push; 401 is about our
// JWT, so it is signed again once and then dead-lettered too.
constexpr Verdict webpush_verdict(int status) {
  if (status >= 200 && status < 300) return Verdict::accepted;  // 201 Created
  if (status == 404 || status == 410) return Verdict::invalid_token;  // the subscription expired or was removed
  if (status == 401) return Verdict::refresh_auth;
  if (status == 429 || status >= 500) return Verdict::retry;
  return Verdict::dead;  // 400 bad request, 403 key mismatch, 413 payload too large, ...
}

// What a push service's answer means for its push, with the start of its
// body (any bytes: made UTF-8) in the words kept.
Answer webpush_answer(const http2::Response& response);

}  // namespace pushsync::push
