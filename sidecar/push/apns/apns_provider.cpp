#include "sidecar/push/apns/apns_provider.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sidecar/http2/tls_context.hpp"
#include "sidecar/push/wire_format.hpp"

namespace pushsync::push {

namespace {

constexpr std::size_t max_collapse_id_bytes = 64;

http2::TlsOptions tls_options(const config::ApnsConfig& config) {
  return {config.ca_file, config.certificate_file, config.private_key_file, config.private_key_password};
}

http2::Endpoint endpoint_of(const config::ApnsConfig& config) {
  if (config.endpoint.empty())
    return {config.environment == "sandbox" ? "api.sandbox.push.apple.com" : "api.push.apple.com", "443"};
  auto colon = config.endpoint.rfind(':');
  if (colon == std::string::npos) return {config.endpoint, "443"};
  return {config.endpoint.substr(0, colon), config.endpoint.substr(colon + 1)};
}

http2::ClientOptions client_options(const config::ApnsConfig& config) {
  http2::ClientOptions options;
  options.endpoint = endpoint_of(config);
  options.connections = config.connections;
  options.request_timeout = config.request_timeout;
  options.name = "apns";
  return options;
}

bool is_hex_token(std::string_view token) {
  return !token.empty() && token.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

}  // namespace

ApnsProvider::ApnsProvider(boost::asio::any_io_executor ex, const config::ApnsConfig& config,
                           const config::DeliveryConfig& delivery)
    : config_(config),
      expiration_(delivery.expiration),
      client_(std::move(ex), http2::make_client_tls(tls_options(config)), client_options(config)),
      health_("apns", delivery.backoff) {
  if (!config.key_file.empty())
    token_.emplace(PrivateKey::from_pem_file(config.key_file, "apns.key_file"), config.key_id, config.team_id);
}

http2::Request ApnsProvider::request_for(const Push& push) {
  http2::Request request;
  request.path = "/3/device/" + push.target.token;
  request.body = wire_body(push, expiration_);
  const bool alert = push.kind == PayloadKind::alert;
  auto expires = std::chrono::system_clock::now() + expiration_;
  auto& h = request.headers;
  h.push_back({"apns-topic", config_.topic});
  h.push_back({"apns-push-type", alert ? "alert" : "background"});
  h.push_back({"apns-priority", alert ? "10" : "5"});
  h.push_back({"apns-expiration",
               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count())});
  if (!push.collapse_id.empty() && push.collapse_id.size() <= max_collapse_id_bytes)
    h.push_back({"apns-collapse-id", push.collapse_id});
  std::uint64_t a = random_(), b = random_();
  h.push_back({"apns-id", fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                                      0x8000 | (b >> 48 & 0x3fff), b & 0xffffffffffff)});
  if (token_) h.push_back({"authorization", "bearer " + token_->bearer(std::chrono::system_clock::now()), true});
  return request;
}

Answer ApnsProvider::answer_of(const http2::Result& result) const {
  if (!result.response) return health_.no_answer(result);
  return apns_answer(*result.response);
}

boost::asio::awaitable<std::vector<Outcome>> ApnsProvider::send(std::span<const Push> pushes) {
  std::vector<Outcome> outcomes(pushes.size());
  std::vector<http2::Request> requests;
  std::vector<std::size_t> sent;  // index in `pushes` of each request
  for (std::size_t i = 0; i < pushes.size(); ++i) {
    if (!is_hex_token(pushes[i].target.token)) {
      outcomes[i] = Outcome::invalid_token("apns: the device token is not hexadecimal");
      continue;
    }
    requests.push_back(request_for(pushes[i]));
    sent.push_back(i);
  }
  auto results = co_await client_.send(std::move(requests));
  std::vector<Answer> answers;
  for (const auto& result : results) answers.push_back(answer_of(result));

  // 403 ExpiredProviderToken: sign a new token once and resend those.
  // (Certificate auth has no token: such an answer means APNs is down.)
  if (auto expired = needing_refresh(answers); token_ && !expired.empty()) {
    spdlog::info("apns: provider token expired; signing a new one");
    token_->expire();
    std::vector<http2::Request> again;
    for (auto k : expired) again.push_back(request_for(pushes[sent[k]]));
    auto retried = co_await client_.send(std::move(again));
    for (std::size_t j = 0; j < expired.size(); ++j) answers[expired[j]] = answer_of(retried[j]);
  }

  for (std::size_t k = 0; k < answers.size(); ++k) outcomes[sent[k]] = health_.outcome_of(answers[k]);
  health_.note(outcomes);
  co_return outcomes;
}

}  // namespace pushsync::push
