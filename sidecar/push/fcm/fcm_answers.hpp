#pragma once

#include <string_view>

#include "sidecar/push/http_answers.hpp"

namespace pushsync::push {

struct FcmAnswer {
  int status;
  std::string_view code;  // FcmError errorCode, else google.rpc status; "" for any
  Verdict verdict;
};

// Google's FCM v1 errors (ErrorCode in the FCM reference), in one table;
// anything else falls back on its status class.
inline constexpr FcmAnswer fcm_answers[] = {
    {200, "", Verdict::accepted},
    {400, "INVALID_ARGUMENT", Verdict::dead},  // about the token: invalid_token, see fcm_verdict
    {404, "UNREGISTERED", Verdict::invalid_token},
    {403, "SENDER_ID_MISMATCH", Verdict::invalid_token},
    {401, "UNAUTHENTICATED", Verdict::refresh_auth},
    {401, "THIRD_PARTY_AUTH_ERROR", Verdict::provider_down},
    {403, "PERMISSION_DENIED", Verdict::provider_down},
    {404, "NOT_FOUND", Verdict::provider_down},
    {429, "QUOTA_EXCEEDED", Verdict::retry},
    {429, "RESOURCE_EXHAUSTED", Verdict::retry},
    {500, "INTERNAL", Verdict::retry},
    {503, "UNAVAILABLE", Verdict::retry},
};

constexpr Verdict fcm_verdict(int status, std::string_view code, std::string_view message) {
  if (code == "INVALID_ARGUMENT" && message.find("registration token") != std::string_view::npos)
    return Verdict::invalid_token;
  for (const auto& answer : fcm_answers)
    if (answer.status == status && (answer.code == code || answer.code.empty())) return answer.verdict;
  if (status == 429 || status >= 500) return Verdict::retry;
  if (status == 401 || status == 403) return Verdict::provider_down;
  return Verdict::dead;
}

// What an answer from FCM means for its push; Google's error code, and its
// message when the push is dead, in the words kept.
Answer fcm_answer(const http2::Response& response);

}  // namespace pushsync::push
