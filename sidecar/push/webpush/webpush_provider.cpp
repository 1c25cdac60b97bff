#include "sidecar/push/webpush/webpush_provider.hpp"

#include <spdlog/spdlog.h>

#include "sidecar/http2/public_address.hpp"
#include "sidecar/http2/tls_context.hpp"
#include "sidecar/push/webpush/subscription.hpp"
#include "sidecar/push/webpush/webpush_answers.hpp"
#include "sidecar/push/wire_format.hpp"
#include "sidecar/util/eager.hpp"
#include "sidecar/util/sha256.hpp"

namespace pushsync::push {

namespace {

constexpr std::size_t max_topic_chars = 32;

// RFC 8030 §5.4: at most 32 characters of the base64url alphabet. The
// collapse id when it is one, else a digest of it.
std::string topic_of(const std::string& collapse_id) {
  bool usable = collapse_id.size() <= max_topic_chars &&
                std::all_of(collapse_id.begin(), collapse_id.end(),
                            [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
  if (usable) return collapse_id;
  return sha256_hex(collapse_id).substr(0, max_topic_chars);
}

std::string seconds_of(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

}  // namespace

WebPushProvider::WebPushProvider(boost::asio::any_io_executor ex, const config::WebPushConfig& config,
                                 const config::DeliveryConfig& delivery)
    : ex_(std::move(ex)),
      config_(config),
      ttl_(delivery.expiration),
      vapid_(PrivateKey::from_pem_file(config.vapid_private_key_file, "webpush.vapid_private_key_file"),
             config.vapid_public_key, config.subject),
      allowed_(config.allowed_origins),
      health_("webpush", delivery.backoff) {
  http2::make_client_tls({config.ca_file, "", "", ""});  // an unusable ca_file is a config error now
}

std::map<std::string, std::size_t> WebPushProvider::connections() const {
  std::map<std::string, std::size_t> out;
  for (const auto& [name, origin] : origins_)
    out[name] = origin.h2->open_connections() + (origin.http1 ? origin.http1->open_connections() : 0);
  return out;
}

void WebPushProvider::close() {
  for (auto& [name, origin] : origins_) {
    origin.h2->close();
    if (origin.http1) origin.http1->close();
  }
}

http2::ClientOptions WebPushProvider::client_options(const Origin& origin) const {
  http2::ClientOptions options;
  options.endpoint = origin.endpoint;
  options.connections = config_.connections;
  options.request_timeout = config_.request_timeout;
  options.name = "webpush " + origin.endpoint.authority();
  return options;
}

WebPushProvider::Origin& WebPushProvider::origin(const std::string& name, const http2::Endpoint& endpoint) {
  auto& origin = origins_[name];
  if (!origin.h2) {
    origin.name = name;
    origin.endpoint = endpoint;
    origin.h2 = std::make_unique<http2::Client>(
        ex_, http2::make_client_tls({config_.ca_file, "", "", "", http2::TlsOptions::Alpn::h2_or_http1}),
        client_options(origin));
  }
  return origin;
}

boost::asio::awaitable<std::vector<http2::Result>> WebPushProvider::send_to(Origin& origin,
                                                                           std::vector<http2::Request> requests) {
  if (!origin.http1) {
    // Until the service has answered over HTTP/2, keep the requests for HTTP/1.1.
    std::vector<http2::Request> kept;
    if (!origin.h2_confirmed) kept = requests;
    auto results = co_await origin.h2->send(std::move(requests));
    auto no_h2 = [](const http2::Result& r) {
      return r.failure == http2::Failure::connect_failed && r.detail.find(http2::no_h2) != std::string::npos;
    };
    origin.h2_confirmed = origin.h2_confirmed || std::any_of(results.begin(), results.end(),
                                                             [](const http2::Result& r) { return r.response; });
    if (origin.h2_confirmed || std::none_of(results.begin(), results.end(), no_h2)) co_return results;
    spdlog::info("webpush: {} offers no HTTP/2; using HTTP/1.1", origin.name);
    origin.http1 = std::make_unique<http1::Client>(
        ex_, http2::make_client_tls({config_.ca_file, "", "", "", http2::TlsOptions::Alpn::http1}), client_options(origin));
    requests = std::move(kept);
  }
  co_return co_await origin.http1->send(std::move(requests));
}

// Push services are many and each subscription names its own: one that
// cannot be reached is that push's problem (retried, then dead-lettered),
// not a reason to hold every browser's pushes.
Answer WebPushProvider::answer_of(const http2::Result& result) const {
  if (!result.response && result.detail.find(http2::refused_address) != std::string::npos)
    return {Verdict::dead, "webpush: " + result.detail + " (webpush.allowed_origins)"};
  if (!result.response) {
    auto answer = health_.no_answer(result);
    answer.verdict = Verdict::retry;
    return answer;
  }
  return webpush_answer(*result.response);
}

boost::asio::awaitable<void> WebPushProvider::deliver(std::span<const Push> pushes,
                                                      const std::vector<std::size_t>& which,
                                                      std::vector<Answer>& answers) {
  struct OriginBatch {
    http2::Endpoint endpoint;
    std::vector<std::size_t> indices;
    std::vector<http2::Request> requests;
  };
  std::map<std::string, OriginBatch> batches;
  for (auto i : which) {
    const Push& push = pushes[i];
    auto parsed = webpush::parse_subscription(push.target.token, webpush::KeyCheck::length_only);
    if (!parsed.subscription) {
      answers[i] = {Verdict::invalid_token, "webpush: the stored subscription is unusable: " + parsed.why};
      continue;
    }
    auto& subscription = *parsed.subscription;
    if (!allowed_.allows(subscription.endpoint.endpoint)) {
      answers[i] = {Verdict::dead, "webpush: origin_not_allowed: " + subscription.origin +
                                       " is not in webpush.allowed_origins"};
      continue;
    }
    http2::Request request;
    try {
      request.body = encryptor_.encrypt(wire_body(push, ttl_), subscription.keys);
    } catch (const webpush::UnusableKeys& e) {
      answers[i] = {Verdict::invalid_token, "webpush: the stored subscription is unusable: " + std::string(e.what())};
      continue;
    } catch (const std::runtime_error& e) {
      answers[i] = {Verdict::dead, e.what()};
      continue;
    }
    request.path = subscription.endpoint.path;
    request.headers = {{"content-type", "application/octet-stream"},
                       {"content-encoding", "aes128gcm"},
                       {"ttl", seconds_of(ttl_)},
                       {"urgency", push.kind == PayloadKind::alert ? "high" : "normal"},
                       {"authorization", vapid_.authorization(subscription.origin), true}};
    if (!push.collapse_id.empty()) request.headers.push_back({"topic", topic_of(push.collapse_id)});
    auto& batch = batches[subscription.origin];
    batch.endpoint = allowed_.connectable(subscription.endpoint.endpoint);
    batch.indices.push_back(i);
    batch.requests.push_back(std::move(request));
  }
  std::vector<std::pair<const OriginBatch*, Eager<std::vector<http2::Result>>>> sending;
  for (auto& [origin, batch] : batches)
    sending.emplace_back(&batch, Eager(ex_, send_to(this->origin(origin, batch.endpoint), std::move(batch.requests))));
  for (auto& [batch, results] : sending) {
    auto answered = co_await results.get();
    for (std::size_t k = 0; k < answered.size(); ++k) answers[batch->indices[k]] = answer_of(answered[k]);
  }
}

boost::asio::awaitable<std::vector<Outcome>> WebPushProvider::send(std::span<const Push> pushes) {
  std::vector<Answer> answers(pushes.size());
  std::vector<std::size_t> all(pushes.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  co_await deliver(pushes, all, answers);
  // 401: a push service refused our JWT; sign new ones and resend once. A
  // second 401 dead-letters the push: that service, not Web Push, is broken.
  if (auto refused = needing_refresh(answers); !refused.empty()) {
    spdlog::info("webpush: a push service refused the VAPID JWT; signing a new one");
    vapid_.renew();
    co_await deliver(pushes, refused, answers);
    for (auto i : refused)
      if (answers[i].verdict == Verdict::refresh_auth) answers[i] = {Verdict::dead, answers[i].why + " (a new JWT too)"};
  }
  std::vector<Outcome> outcomes(pushes.size());
  for (std::size_t i = 0; i < answers.size(); ++i) outcomes[i] = health_.outcome_of(answers[i]);
  co_return outcomes;
}

}  // namespace pushsync::push
