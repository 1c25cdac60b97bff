#pragma once

#include <string_view>

namespace pushsync::push {

enum class FcmVerdict {
  accepted,
  invalid_token,  // disable the installation, feedback row
  retry,          // backoff, honouring Retry-After
  dead,           // this message can never be sent: dead letter
  provider_down,  // no message can be sent: all wait
  refresh_token,  // our access token was refused: fetch a new one, resend once
};

struct FcmAnswer {
  int status;
  std::string_view code;  // FcmError errorCode, else google.rpc status; "" for any
  FcmVerdict verdict;
};

// Google's FCM v1 errors (ErrorCode in the FCM reference), in one table;
// anything else falls back on its status class.
inline constexpr FcmAnswer fcm_answers[] = {
    {200, "", FcmVerdict::accepted},
    {400, "INVALID_ARGUMENT", FcmVerdict::dead},  // about the token: invalid_token, see fcm_verdict
    {404, "UNREGISTERED", FcmVerdict::invalid_token},
    {403, "SENDER_ID_MISMATCH", FcmVerdict::invalid_token},
    {401, "UNAUTHENTICATED", FcmVerdict::refresh_token},
    {401, "THIRD_PARTY_AUTH_ERROR", FcmVerdict::provider_down},
    {403, "PERMISSION_DENIED", FcmVerdict::provider_down},
    {404, "NOT_FOUND", FcmVerdict::provider_down},
    {429, "QUOTA_EXCEEDED", FcmVerdict::retry},
    {429, "RESOURCE_EXHAUSTED", FcmVerdict::retry},
    {500, "INTERNAL", FcmVerdict::retry},
    {503, "UNAVAILABLE", FcmVerdict::retry},
};

constexpr FcmVerdict fcm_verdict(int status, std::string_view code, std::string_view message) {
  if (code == "INVALID_ARGUMENT" && message.find("registration token") != std::string_view::npos)
    return FcmVerdict::invalid_token;
  for (const auto& answer : fcm_answers)
    if (answer.status == status && (answer.code == code || answer.code.empty())) return answer.verdict;
  if (status == 429 || status >= 500) return FcmVerdict::retry;
  if (status == 401 || status == 403) return FcmVerdict::provider_down;
  return FcmVerdict::dead;
}

}  // namespace pushsync::push
