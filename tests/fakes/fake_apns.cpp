#include "tests/fakes/fake_apns.hpp"

#include "tests/fakes/test_pki.hpp"


#include <openssl/evp.h>

#include "tests/fakes/jwt_check.hpp"

namespace pushsync::test {

namespace {

constexpr std::size_t max_payload = 4096;

bool all_of(std::string_view s, std::string_view allowed) {
  return !s.empty() && s.find_first_not_of(allowed) == std::string_view::npos;
}

constexpr std::string_view hex = "0123456789abcdefABCDEF";

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : hex.find(s[i]) == std::string_view::npos)
      return false;
  return true;
}

}  // namespace

FakeApns::FakeApns(Options options) : options_(std::move(options)) {
  if (!options_.public_key_file.empty()) public_key_ = read_public_key(options_.public_key_file);
  server_ = std::make_unique<H2Server>(
      H2Server::Options{options_.cert_file, options_.key_file, options_.client_ca, options_.port, options_.threads,
                        options_.max_concurrent_streams},
      [this](const ServerRequest& r) { return handle(r); });
}

FakeApns::Options FakeApns::with_test_pki() {
  const auto& pki = TestPki::get();
  Options options;
  options.cert_file = pki.server_cert;
  options.key_file = pki.server_key;
  options.public_key_file = pki.apns_public_key;
  return options;
}

FakeApns::~FakeApns() {
  server_.reset();  // stop the thread before the key goes
  if (public_key_) EVP_PKEY_free(public_key_);
}

void FakeApns::script_for(const std::string& token, std::vector<Next> answers) {
  std::lock_guard lock(mutex_);
  script_.add_for(token, std::move(answers));
}

void FakeApns::outage(Next answer, std::chrono::steady_clock::time_point until) {
  std::lock_guard lock(mutex_);
  script_.outage(std::move(answer), until);
}

void FakeApns::script(std::vector<Next> answers) {
  std::lock_guard lock(mutex_);
  script_.add(std::move(answers));
}

std::vector<FakeApns::Received> FakeApns::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::vector<FakeApns::Received> FakeApns::accepted() const {
  std::vector<Received> out;
  for (auto& r : received())
    if (r.status == 200) out.push_back(r);
  return out;
}

std::size_t FakeApns::accepted_count() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

std::pair<int, std::string> FakeApns::check(const ServerRequest& r, std::string& jwt) const {
  if (r.method != "POST") return {405, "MethodNotAllowed"};
  if (r.path.rfind("/3/device/", 0) != 0) return {404, "BadPath"};
  std::string_view device = std::string_view(r.path).substr(10);
  if (device.size() < 64 || device.size() > 200 || !all_of(device, hex)) return {400, "BadDeviceToken"};
  if (public_key_) {  // token auth
    std::string auth = r.header("authorization");
    if (auth.rfind("bearer ", 0) != 0) return {403, "MissingProviderToken"};
    jwt = auth.substr(7);
    auto token = verified(jwt);
    if (!token || token->header.value("kid", "") != options_.key_id ||
        token->claims.value("iss", "") != options_.team_id || !token->claims["iat"].is_number_integer())
      return {403, "InvalidProviderToken"};
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    long iat = token->claims["iat"];
    if (iat > now.count() + 60) return {403, "InvalidProviderToken"};
    if (iat < now.count() - 3600) return {403, "ExpiredProviderToken"};
  } else if (r.has("authorization")) {
    return {403, "InvalidProviderToken"};  // certificate connections must not carry a token
  }
  if (!r.has("apns-topic")) return {400, "MissingTopic"};
  if (r.header("apns-topic") != options_.topic) return {400, "DeviceTokenNotForTopic"};
  std::string type = r.header("apns-push-type");
  if (type != "background" && type != "alert") return {400, "InvalidPushType"};
  std::string priority = r.header("apns-priority");
  if (type == "background" && priority != "5") return {400, "BadPriority"};
  if (type == "alert" && priority != "10" && priority != "5") return {400, "BadPriority"};
  if (r.has("apns-expiration") && !all_of(r.header("apns-expiration"), "0123456789"))
    return {400, "BadExpirationDate"};
  if (r.has("apns-collapse-id") && r.header("apns-collapse-id").size() > 64) return {400, "BadCollapseId"};
  if (r.has("apns-id") && !is_uuid(r.header("apns-id"))) return {400, "BadMessageId"};
  if (r.body.empty()) return {400, "PayloadEmpty"};
  if (r.body.size() > max_payload) return {413, "PayloadTooLarge"};
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body["aps"].is_object()) return {400, "BadPayload"};
  if (type == "background" && (body["aps"].value("content-available", 0) != 1 || body["aps"].contains("alert")))
    return {400, "BadPayload"};
  return {200, ""};
}

// Like Apple, a token whose signature was checked once is not checked again.
std::optional<Jwt> FakeApns::verified(const std::string& jwt) const {
  std::lock_guard lock(verified_mutex_);
  auto found = verified_.find(jwt);
  if (found != verified_.end()) return found->second;
  auto token = verify_jwt(jwt, public_key_);
  if (token) verified_.emplace(jwt, *token);
  return token;
}

ServerReply FakeApns::handle(const ServerRequest& request) {
  Received received{request, "", 0, "", std::chrono::steady_clock::now(), std::chrono::system_clock::now()};
  auto [status, reason] = check(request, received.jwt);
  Next next = Next::answer(status, reason);
  std::lock_guard lock(mutex_);
  if (status == 200)
    if (auto answer = script_.next(received.token())) next = *answer;
  ServerReply reply;
  reply.action = next.action;
  reply.then_goaway = next.then_goaway;
  if (next.action == ServerReply::Action::answer) {
    received.status = next.status;
    received.reason = next.reason;
    reply.status = next.status;
    reply.headers.emplace_back("apns-id", request.header("apns-id"));
    if (!next.retry_after.empty()) reply.headers.emplace_back("retry-after", next.retry_after);
    if (next.status != 200) reply.body = nlohmann::json{{"reason", next.reason}}.dump();
  }
  accepted_ += received.status == 200;
  if (options_.record) received_.push_back(std::move(received));
  return reply;
}

}  // namespace pushsync::test
