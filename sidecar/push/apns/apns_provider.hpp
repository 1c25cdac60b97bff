#pragma once

#include <optional>
#include <random>

#include <boost/asio/any_io_executor.hpp>

#include "sidecar/config/config.hpp"
#include "sidecar/http2/client.hpp"
#include "sidecar/push/apns/apns_answers.hpp"
#include "sidecar/push/apns/provider_token.hpp"
#include "sidecar/push/http_answers.hpp"
#include "sidecar/push/provider.hpp"

namespace pushsync::push {

// Apple Push Notification service over HTTP/2: token auth (ES256 JWT from a
// .p8 key) or certificate auth, one POST /3/device/{token} per push.
class ApnsProvider : public Provider {
 public:
  // Throws std::runtime_error when a key or certificate file is unusable.
  // Pushes expire after delivery.expiration; while APNs cannot be used at
  // all, changes wait delivery.backoff (growing) between tries.
  ApnsProvider(boost::asio::any_io_executor ex, const config::ApnsConfig& config,
               const config::DeliveryConfig& delivery);

  boost::asio::awaitable<std::vector<Outcome>> send(std::span<const Push> pushes) override;
  void close() override { client_.close(); }
  bool healthy() const override { return !health_.down(); }
  std::map<std::string, std::size_t> connections() const override {
    return {{"https://" + client_.endpoint().authority(), client_.open_connections()}};
  }

 private:
  http2::Request request_for(const Push& push);
  Answer answer_of(const http2::Result& result) const;

  config::ApnsConfig config_;
  Duration expiration_;
  std::optional<ProviderToken> token_;  // token auth; certificate auth has none
  http2::Client client_;
  std::mt19937_64 random_{std::random_device{}()};
  ProviderHealth health_;
};

}  // namespace pushsync::push
