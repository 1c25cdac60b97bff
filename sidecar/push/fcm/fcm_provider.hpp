#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "sidecar/config/config.hpp"
#include "sidecar/http2/client.hpp"
#include "sidecar/push/fcm/access_token.hpp"
#include "sidecar/push/http_answers.hpp"
#include "sidecar/push/provider.hpp"

namespace pushsync::push {

// Firebase Cloud Messaging HTTP v1 over HTTP/2: one
// POST /v1/projects/{project}/messages:send per push, with the service
// account's OAuth access token.
class FcmProvider : public Provider {
 public:
  // Throws std::runtime_error when the endpoint, CA or key is unusable.
  FcmProvider(boost::asio::any_io_executor ex, const config::FcmConfig& config, const config::DeliveryConfig& delivery);

  boost::asio::awaitable<std::vector<Outcome>> send(std::span<const Push> pushes) override;
  void close() override;
  bool healthy() const override { return !health_.down(); }
  std::map<std::string, std::size_t> connections() const override {
    return {{"https://" + client_.endpoint().authority(), client_.open_connections()}};
  }

 private:
  http2::Request request_for(const Push& push, const std::string& access_token) const;
  Answer answer_of(const http2::Result& result) const;

  std::string path_;  // /v1/projects/{project_id}/messages:send
  Duration ttl_;
  http2::Client client_;
  AccessToken token_;
  ProviderHealth health_;
};

}  // namespace pushsync::push
