#pragma once

#include <chrono>
#include <string>

#include "sidecar/util/jwt.hpp"

namespace pushsync::push {

// APNs token auth: an ES256 JWT {alg, kid} {iss: team id, iat}. Apple
// refuses tokens older than an hour and refreshing more often than every 20
// minutes (TooManyProviderTokenUpdates), so one is reused until it is
// `refresh_age` old, or until Apple calls it expired.
class ProviderToken {
 public:
  using Clock = std::chrono::system_clock;
  static constexpr std::chrono::minutes refresh_age{40};

  ProviderToken(PrivateKey key, std::string key_id, std::string team_id)
      : key_(std::move(key)), key_id_(std::move(key_id)), team_id_(std::move(team_id)) {}

  const std::string& bearer(Clock::time_point now) {
    if (jwt_.empty() || now - issued_at_ >= refresh_age || now < issued_at_) {
      issued_at_ = now;
      auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
      jwt_ = sign_jwt({{"kid", key_id_}}, {{"iss", team_id_}, {"iat", iat}}, key_);
    }
    return jwt_;
  }

  // Apple answered 403 ExpiredProviderToken: the next bearer() signs anew.
  void expire() { jwt_.clear(); }

 private:
  PrivateKey key_;
  std::string key_id_;
  std::string team_id_;
  std::string jwt_;
  Clock::time_point issued_at_{};
};

}  // namespace pushsync::push
