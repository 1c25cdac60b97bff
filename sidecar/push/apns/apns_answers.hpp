#pragma once

#include <string_view>

#include "sidecar/push/http_answers.hpp"

namespace pushsync::push {

struct ApnsAnswer {
  int status;
  std::string_view reason;  // the "reason" of Apple's JSON body; "" for any
  Verdict verdict;
};

// Apple's documented answers ("Handling notification responses from APNs"),
// in one table; anything else falls back on its status class.
inline constexpr ApnsAnswer apns_answers[] = {
    {200, "", Verdict::accepted},
    {400, "BadDeviceToken", Verdict::invalid_token},
    {400, "DeviceTokenNotForTopic", Verdict::invalid_token},
    {400, "MissingDeviceToken", Verdict::invalid_token},
    {400, "BadCollapseId", Verdict::dead},
    {400, "BadExpirationDate", Verdict::dead},
    {400, "BadMessageId", Verdict::dead},
    {400, "BadPriority", Verdict::dead},
    {400, "DuplicateHeaders", Verdict::dead},
    {400, "InvalidPushType", Verdict::dead},
    {400, "PayloadEmpty", Verdict::dead},
    {400, "IdleTimeout", Verdict::retry},
    {400, "BadTopic", Verdict::provider_down},
    {400, "MissingTopic", Verdict::provider_down},
    {400, "TopicDisallowed", Verdict::provider_down},
    {403, "ExpiredProviderToken", Verdict::refresh_auth},
    {403, "InvalidProviderToken", Verdict::provider_down},
    {403, "MissingProviderToken", Verdict::provider_down},
    {403, "UnrelatedKeyIdInToken", Verdict::provider_down},
    {403, "BadCertificate", Verdict::provider_down},
    {403, "BadCertificateEnvironment", Verdict::provider_down},
    {403, "Forbidden", Verdict::provider_down},
    {404, "BadPath", Verdict::provider_down},
    {405, "MethodNotAllowed", Verdict::provider_down},
    {410, "Unregistered", Verdict::invalid_token},
    {410, "ExpiredToken", Verdict::invalid_token},
    {413, "PayloadTooLarge", Verdict::dead},
    {429, "TooManyProviderTokenUpdates", Verdict::retry},
    {429, "TooManyRequests", Verdict::retry},
    {500, "InternalServerError", Verdict::retry},
    {503, "ServiceUnavailable", Verdict::retry},
    {503, "Shutdown", Verdict::retry},
};

constexpr Verdict apns_verdict(int status, std::string_view reason) {
  for (const auto& answer : apns_answers)
    if (answer.status == status && (answer.reason == reason || answer.reason.empty())) return answer.verdict;
  if (status == 410) return Verdict::invalid_token;
  if (status == 429 || status >= 500) return Verdict::retry;
  if (status == 401 || status == 403) return Verdict::provider_down;
  return Verdict::dead;
}

// What an answer from APNs means for its push; Apple's reason (JSON body)
// in the words kept for logs and dead letters.
Answer apns_answer(const http2::Response& response);

}  // namespace pushsync::push
