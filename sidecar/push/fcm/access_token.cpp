#include "sidecar/push/fcm/access_token.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "sidecar/http2/tls_context.hpp"
#include "sidecar/push/http_answers.hpp"
#include "sidecar/util/json_text.hpp"
#include "sidecar/util/utf8.hpp"

namespace pushsync::push {

namespace {

http2::Url token_url(const std::string& uri) {
  auto url = http2::parse_https_url(uri);
  if (!url) throw std::runtime_error("fcm: the service account's token_uri is not an https URL");
  return *url;
}

http2::ClientOptions token_client_options(const http2::Url& url, Duration timeout) {
  http2::ClientOptions options;
  options.endpoint = url.endpoint;
  options.connections = 1;
  options.request_timeout = timeout;
  options.name = "fcm oauth";
  return options;
}

}  // namespace

TokenAnswer token_answer(const http2::Response& response) {
  auto body = parse_json_or_discarded(response.body);
  if (!body.is_object()) body = nlohmann::json::object();
  auto text = [&body](const char* key) -> std::string {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : "";
  };
  TokenAnswer answer;
  auto token = text("access_token");
  if (response.status != 200 || token.empty()) {
    // Google's error body names the problem (invalid_grant, ...), never a secret.
    answer.error = "token endpoint answered " + std::to_string(response.status) + " " +
                   utf8_excerpt(text("error") + " " + text("error_description"), max_provider_words);
    return answer;
  }
  constexpr long long an_hour = 3600, a_day = 86400;
  auto expires_in = body.find("expires_in");
  long long seconds = expires_in != body.end() && expires_in->is_number_integer() ? expires_in->get<long long>()
                                                                                   : an_hour;
  answer.lifetime = std::chrono::seconds(std::clamp(seconds, 1LL, a_day));
  answer.token = std::move(token);
  return answer;
}

AccessToken::AccessToken(boost::asio::any_io_executor ex, const config::ServiceAccount& account,
                         const std::string& ca_file, Duration request_timeout)
    : account_(account),
      key_(PrivateKey::from_pem(account.private_key, "fcm service account private_key")),
      token_url_(token_url(account.token_uri)),
      client_(std::move(ex), http2::make_client_tls({ca_file, "", "", ""}),
              token_client_options(token_url_, request_timeout)) {}

std::string AccessToken::assertion() const {
  auto iat = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
  return sign_jwt({{"typ", "JWT"}},
                  {{"iss", account_.client_email}, {"scope", scope}, {"aud", account_.token_uri}, {"iat", iat},
                   {"exp", iat + 3600}},
                  key_);
}

boost::asio::awaitable<std::optional<std::string>> AccessToken::get() {
  if (!token_.empty() && Clock::now() < refresh_at_) co_return token_;
  http2::Request request;
  request.path = token_url_.path;
  request.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  // The assertion is base64url and dots: nothing to escape.
  request.body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion();
  std::vector<http2::Request> requests{std::move(request)};
  auto results = co_await client_.send(std::move(requests));
  const auto& result = results.at(0);
  if (!result.response) {
    last_error_ = std::string("token endpoint: ") + http2::to_string(result.failure) + ": " + result.detail;
    co_return std::nullopt;
  }
  auto answer = token_answer(*result.response);
  if (!answer.token) {
    last_error_ = answer.error;
    co_return std::nullopt;
  }
  token_ = std::move(*answer.token);
  auto lifetime = answer.lifetime;
  // Refresh a minute early, or a quarter of the lifetime for short ones.
  refresh_at_ = Clock::now() + lifetime - std::min<Duration>(std::chrono::minutes(1), lifetime / 4);
  spdlog::debug("fcm: new access token, valid {} s", lifetime.count());
  co_return token_;
}

}  // namespace pushsync::push
