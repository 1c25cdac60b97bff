#pragma once

#include <string_view>

namespace pushsync::push {

// What an APNs answer means for the push that got it.
enum class ApnsVerdict {
  accepted,
  invalid_token,   // disable the installation, feedback row
  retry,           // throttled or unavailable: backoff, honouring Retry-After
  dead,            // this push can never be sent: dead letter
  provider_down,   // no push can be sent (auth, topic, path): all wait
  refresh_token,   // the provider token expired: sign a new one, resend once
};

struct ApnsAnswer {
  int status;
  std::string_view reason;  // the "reason" of Apple's JSON body; "" for any
  ApnsVerdict verdict;
};

// Apple's documented answers ("Handling notification responses from APNs"),
// in one table; anything else falls back on its status class.
inline constexpr ApnsAnswer apns_answers[] = {
    {200, "", ApnsVerdict::accepted},
    {400, "BadDeviceToken", ApnsVerdict::invalid_token},
    {400, "DeviceTokenNotForTopic", ApnsVerdict::invalid_token},
    {400, "MissingDeviceToken", ApnsVerdict::invalid_token},
    {400, "BadCollapseId", ApnsVerdict::dead},
    {400, "BadExpirationDate", ApnsVerdict::dead},
    {400, "BadMessageId", ApnsVerdict::dead},
    {400, "BadPriority", ApnsVerdict::dead},
    {400, "DuplicateHeaders", ApnsVerdict::dead},
    {400, "InvalidPushType", ApnsVerdict::dead},
    {400, "PayloadEmpty", ApnsVerdict::dead},
    {400, "IdleTimeout", ApnsVerdict::retry},
    {400, "BadTopic", ApnsVerdict::provider_down},
    {400, "MissingTopic", ApnsVerdict::provider_down},
    {400, "TopicDisallowed", ApnsVerdict::provider_down},
    {403, "ExpiredProviderToken", ApnsVerdict::refresh_token},
    {403, "InvalidProviderToken", ApnsVerdict::provider_down},
    {403, "MissingProviderToken", ApnsVerdict::provider_down},
    {403, "UnrelatedKeyIdInToken", ApnsVerdict::provider_down},
    {403, "BadCertificate", ApnsVerdict::provider_down},
    {403, "BadCertificateEnvironment", ApnsVerdict::provider_down},
    {403, "Forbidden", ApnsVerdict::provider_down},
    {404, "BadPath", ApnsVerdict::provider_down},
    {405, "MethodNotAllowed", ApnsVerdict::provider_down},
    {410, "Unregistered", ApnsVerdict::invalid_token},
    {410, "ExpiredToken", ApnsVerdict::invalid_token},
    {413, "PayloadTooLarge", ApnsVerdict::dead},
    {429, "TooManyProviderTokenUpdates", ApnsVerdict::retry},
    {429, "TooManyRequests", ApnsVerdict::retry},
    {500, "InternalServerError", ApnsVerdict::retry},
    {503, "ServiceUnavailable", ApnsVerdict::retry},
    {503, "Shutdown", ApnsVerdict::retry},
};

constexpr ApnsVerdict apns_verdict(int status, std::string_view reason) {
  for (const auto& answer : apns_answers)
    if (answer.status == status && (answer.reason == reason || answer.reason.empty())) return answer.verdict;
  if (status == 410) return ApnsVerdict::invalid_token;
  if (status == 429 || status >= 500) return ApnsVerdict::retry;
  if (status == 401 || status == 403) return ApnsVerdict::provider_down;
  return ApnsVerdict::dead;
}

}  // namespace pushsync::push
