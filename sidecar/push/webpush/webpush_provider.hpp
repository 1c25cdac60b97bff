#pragma once

#include <map>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "sidecar/config/config.hpp"
#include "sidecar/http1/client.hpp"
#include "sidecar/http2/client.hpp"
#include "sidecar/push/http_answers.hpp"
#include "sidecar/push/provider.hpp"
#include "sidecar/push/webpush/allowed_origins.hpp"
#include "sidecar/push/webpush/ece.hpp"
#include "sidecar/push/webpush/vapid.hpp"

namespace pushsync::push {

// Web Push (RFC 8030) to browsers: each push is encrypted for its
// subscription (RFC 8291), signed for with VAPID (RFC 8292) and POSTed to
// the subscription's endpoint. Endpoints live on each browser vendor's
// push service, so there is one small connection pool per origin, opened
// when first needed: HTTP/2, or HTTP/1.1 for a service that does not offer
// h2. The origins of one batch are sent to at the same time.
class WebPushProvider : public Provider {
 public:
  // Throws std::runtime_error when the VAPID key or the CA is unusable.
  WebPushProvider(boost::asio::any_io_executor ex, const config::WebPushConfig& config,
                  const config::DeliveryConfig& delivery);

  boost::asio::awaitable<std::vector<Outcome>> send(std::span<const Push> pushes) override;
  void close() override;  // never unhealthy as a whole: see answer_of
  std::map<std::string, std::size_t> connections() const override;

 private:
  // Sends pushes[i] for each i in `which`, all origins at once; sets answers[i].
  boost::asio::awaitable<void> deliver(std::span<const Push> pushes, const std::vector<std::size_t>& which,
                                       std::vector<Answer>& answers);
  // One push service's connections; `h2_confirmed` once it answered over HTTP/2.
  struct Origin {
    std::string name;  // https://host[:port]
    http2::Endpoint endpoint;
    std::unique_ptr<http2::Client> h2;
    std::unique_ptr<http1::Client> http1;
    bool h2_confirmed = false;
  };
  Origin& origin(const std::string& name, const http2::Endpoint& endpoint);
  http2::ClientOptions client_options(const Origin& origin) const;
  boost::asio::awaitable<std::vector<http2::Result>> send_to(Origin& origin, std::vector<http2::Request> requests);
  Answer answer_of(const http2::Result& result) const;

  boost::asio::any_io_executor ex_;
  config::WebPushConfig config_;
  Duration ttl_;
  webpush::Vapid vapid_;
  webpush::AllowedOrigins allowed_;
  webpush::Encryptor encryptor_;
  std::map<std::string, Origin> origins_;
  ProviderHealth health_;
};

}  // namespace pushsync::push
