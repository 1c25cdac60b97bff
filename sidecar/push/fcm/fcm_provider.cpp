#include "sidecar/push/fcm/fcm_provider.hpp"

#include <spdlog/spdlog.h>

#include "sidecar/http2/tls_context.hpp"
#include "sidecar/http2/url.hpp"
#include "sidecar/push/fcm/fcm_answers.hpp"
#include "sidecar/push/wire_format.hpp"

namespace pushsync::push {

namespace {

http2::ClientOptions client_options(const config::FcmConfig& config) {
  auto url = http2::parse_https_url(config.endpoint);
  if (!url) throw std::runtime_error("fcm.endpoint is not an https URL");
  http2::ClientOptions options;
  options.endpoint = url->endpoint;
  options.connections = config.connections;
  options.request_timeout = config.request_timeout;
  options.name = "fcm";
  return options;
}

}  // namespace

FcmProvider::FcmProvider(boost::asio::any_io_executor ex, const config::FcmConfig& config,
                         const config::DeliveryConfig& delivery)
    : path_("/v1/projects/" + config.account.project_id + "/messages:send"),
      ttl_(delivery.expiration),
      client_(ex, http2::make_client_tls({config.ca_file, "", "", ""}), client_options(config)),
      token_(ex, config.account, config.ca_file, config.request_timeout),
      health_("fcm", delivery.backoff) {}

void FcmProvider::close() {
  client_.close();
  token_.close();
}

http2::Request FcmProvider::request_for(const Push& push, const std::string& access_token) const {
  http2::Request request;
  request.path = path_;
  request.body = wire_body(push, ttl_);
  request.headers = {{"content-type", "application/json; charset=UTF-8"},
                     {"authorization", "Bearer " + access_token, true}};
  return request;
}

Answer FcmProvider::answer_of(const http2::Result& result) const {
  if (!result.response) return health_.no_answer(result);
  return fcm_answer(*result.response);
}

boost::asio::awaitable<std::vector<Outcome>> FcmProvider::send(std::span<const Push> pushes) {
  std::vector<Outcome> outcomes(pushes.size());
  if (pushes.empty()) co_return outcomes;
  auto access_token = co_await token_.get();
  if (!access_token) {
    for (auto& o : outcomes) o = health_.outcome_of({Verdict::provider_down, "fcm oauth: " + token_.last_error()});
    health_.note(outcomes);
    co_return outcomes;
  }
  std::vector<http2::Request> requests;
  for (const auto& push : pushes) requests.push_back(request_for(push, *access_token));
  auto results = co_await client_.send(std::move(requests));
  std::vector<Answer> answers;
  for (const auto& result : results) answers.push_back(answer_of(result));

  // 401 UNAUTHENTICATED: our access token was refused; fetch a new one once.
  if (auto refused = needing_refresh(answers); !refused.empty()) {
    spdlog::info("fcm: access token refused; fetching a new one");
    token_.invalidate();
    if (auto fresh = co_await token_.get()) {
      std::vector<http2::Request> again;
      for (auto i : refused) again.push_back(request_for(pushes[i], *fresh));
      auto retried = co_await client_.send(std::move(again));
      for (std::size_t j = 0; j < refused.size(); ++j) answers[refused[j]] = answer_of(retried[j]);
    }
  }

  for (std::size_t i = 0; i < answers.size(); ++i) outcomes[i] = health_.outcome_of(answers[i]);
  health_.note(outcomes);
  co_return outcomes;
}

}  // namespace pushsync::push
