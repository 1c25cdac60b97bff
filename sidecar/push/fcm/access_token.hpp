#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "sidecar/config/config.hpp"
#include "sidecar/http2/client.hpp"
#include "sidecar/http2/url.hpp"
#include "sidecar/util/jwt.hpp"

namespace pushsync::push {

// The token endpoint's answer: the access token and how long it lives
// (expires_in, 1 s to a day; an hour when absent), or the endpoint's own
// words (error, error_description) for the log.
struct TokenAnswer {
  std::optional<std::string> token;
  std::chrono::seconds lifetime{0};
  std::string error;
};
TokenAnswer token_answer(const http2::Response& response);

// Google OAuth 2.0 for a service account: an RS256 JWT assertion (iss =
// client_email, scope firebase.messaging, aud = token_uri, one hour) is
// exchanged at token_uri for an access token, which is cached until shortly
// before it expires (or until FCM rejects it). Neither is ever logged.
class AccessToken {
 public:
  using Clock = std::chrono::system_clock;
  static constexpr const char* scope = "https://www.googleapis.com/auth/firebase.messaging";

  // Throws std::runtime_error for an unusable token_uri or key.
  AccessToken(boost::asio::any_io_executor ex, const config::ServiceAccount& account, const std::string& ca_file,
              Duration request_timeout);

  // The cached token, or a new one; nullopt when the token endpoint failed
  // (why in last_error()).
  boost::asio::awaitable<std::optional<std::string>> get();
  void invalidate() { token_.clear(); }
  const std::string& last_error() const { return last_error_; }
  void close() { client_.close(); }

 private:
  std::string assertion() const;

  config::ServiceAccount account_;
  PrivateKey key_;
  http2::Url token_url_;
  http2::Client client_;
  std::string token_;
  Clock::time_point refresh_at_{};
  std::string last_error_;
};

}  // namespace pushsync::push
