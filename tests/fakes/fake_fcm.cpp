#include "tests/fakes/fake_fcm.hpp"

#include "tests/fakes/test_pki.hpp"

#include <set>

#include <openssl/evp.h>

#include "tests/fakes/jwt_check.hpp"

namespace pushsync::test {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t max_message = 4096;

std::string google_status(int status) {
  switch (status) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 429: return "RESOURCE_EXHAUSTED";
    case 503: return "UNAVAILABLE";
    default: return "INTERNAL";
  }
}

ServerReply json_reply(int status, const nlohmann::json& body) {
  ServerReply reply;
  reply.status = status;
  reply.headers = {{"content-type", "application/json; charset=UTF-8"}};
  reply.body = body.dump();
  return reply;
}

// Google's error body; FcmError details unless `code` is the status itself.
ServerReply error_reply(int status, const std::string& code, const std::string& message) {
  nlohmann::json error = {{"code", status}, {"message", message}, {"status", google_status(status)}};
  if (code != google_status(status))
    error["details"] = {{{"@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError"}, {"errorCode", code}}};
  return json_reply(status, {{"error", error}});
}

// application/x-www-form-urlencoded, enough for grant_type and assertion.
std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    auto end = body.find('&', start);
    auto pair = body.substr(start, end - start);
    auto eq = pair.find('=');
    std::string value;
    for (std::size_t i = eq + 1; eq != std::string::npos && i < pair.size(); ++i) {
      if (pair[i] == '%' && i + 2 < pair.size()) {
        value += static_cast<char>(std::stoi(pair.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        value += pair[i] == '+' ? ' ' : pair[i];
      }
    }
    if (eq != std::string::npos) fields[pair.substr(0, eq)] = value;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return fields;
}

bool is_duration(const std::string& s) {
  return s.size() >= 2 && s.back() == 's' && s.find_first_not_of("0123456789.") == s.size() - 1;
}

}  // namespace

FakeFcm::FakeFcm(Options options) : options_(std::move(options)) {
  public_key_ = read_public_key(options_.public_key_file);
  server_ = std::make_unique<H2Server>(H2Server::Options{options_.cert_file, options_.key_file, "", options_.port,
                                                         options_.threads},
                                       [this](const ServerRequest& r) { return handle(r); });
  port_ = server_->port();
}

FakeFcm::Options FakeFcm::with_test_pki() {
  const auto& pki = TestPki::get();
  Options options;
  options.cert_file = pki.server_cert;
  options.key_file = pki.server_key;
  options.public_key_file = pki.fcm_public_key;
  return options;
}

FakeFcm::~FakeFcm() {
  server_.reset();
  EVP_PKEY_free(public_key_);
}

void FakeFcm::script_for(const std::string& token, std::vector<Next> answers) {
  std::lock_guard lock(mutex_);
  script_.add_for(token, std::move(answers));
}

void FakeFcm::outage(Next answer, std::chrono::steady_clock::time_point until) {
  std::lock_guard lock(mutex_);
  script_.outage(std::move(answer), until);
}

void FakeFcm::script(std::vector<Next> answers) {
  std::lock_guard lock(mutex_);
  script_.add(std::move(answers));
}

std::vector<FakeFcm::Received> FakeFcm::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::size_t FakeFcm::accepted_count() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

int FakeFcm::tokens_issued() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(tokens_.size());
}

ServerReply FakeFcm::handle(const ServerRequest& request) {
  if (request.method == "POST" && request.path == "/token") return token(request);
  if (request.method == "POST" && request.path == "/v1/projects/" + options_.project_id + "/messages:send")
    return send(request);
  return error_reply(404, "NOT_FOUND", "Requested entity was not found.");
}

ServerReply FakeFcm::token(const ServerRequest& request) {
  auto invalid = [](const std::string& why) {
    return json_reply(400, {{"error", "invalid_grant"}, {"error_description", why}});
  };
  if (request.header("content-type") != "application/x-www-form-urlencoded") return invalid("bad content type");
  auto form = form_fields(request.body);
  if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer") return invalid("bad grant_type");
  auto jwt = verify_jwt(form["assertion"], public_key_);
  if (!jwt) return invalid("Invalid JWT Signature.");
  const auto& c = jwt->claims;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  if (c.value("iss", "") != options_.client_email) return invalid("Invalid issuer");
  if (c.value("scope", "").find("https://www.googleapis.com/auth/firebase.messaging") == std::string::npos)
    return invalid("Invalid scope");
  if (c.value("aud", "") != token_uri()) return invalid("Invalid JWT audience");
  if (!c["iat"].is_number_integer() || !c["exp"].is_number_integer()) return invalid("iat and exp are required");
  long iat = c["iat"], exp = c["exp"];
  if (exp - iat > 3600 || iat > now.count() + 60 || exp < now.count())
    return invalid("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe");
  std::lock_guard lock(mutex_);
  std::string token = "ya29.fake-" + std::to_string(tokens_.size() + 1);
  tokens_[token] = Clock::now() + options_.token_lifetime;
  return json_reply(200, {{"access_token", token},
                          {"expires_in", options_.token_lifetime.count()},
                          {"token_type", "Bearer"}});
}

std::pair<int, std::string> FakeFcm::check(const ServerRequest& r, std::string& bearer) const {
  std::string auth = r.header("authorization");
  if (auth.rfind("Bearer ", 0) != 0) return {401, "UNAUTHENTICATED"};
  bearer = auth.substr(7);
  {
    std::lock_guard lock(mutex_);
    auto token = tokens_.find(bearer);
    if (token == tokens_.end() || token->second <= Clock::now()) return {401, "UNAUTHENTICATED"};
  }
  if (r.header("content-type").rfind("application/json", 0) != 0) return {400, "INVALID_ARGUMENT"};
  if (r.body.size() > max_message) return {400, "INVALID_ARGUMENT"};
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body["message"].is_object()) return {400, "INVALID_ARGUMENT"};
  const auto& m = body["message"];
  static const std::set<std::string> known{"token", "data", "notification", "android", "apns", "webpush",
                                           "fcm_options", "name", "topic", "condition"};
  for (const auto& [key, value] : m.items())
    if (!known.count(key)) return {400, "INVALID_ARGUMENT"};
  if (!m.contains("token") || !m["token"].is_string() || m["token"].get<std::string>().empty())
    return {400, "INVALID_ARGUMENT"};
  if (m.contains("data")) {
    if (!m["data"].is_object()) return {400, "INVALID_ARGUMENT"};
    for (const auto& [key, value] : m["data"].items())
      if (!value.is_string()) return {400, "INVALID_ARGUMENT"};
  }
  if (m.contains("android")) {
    const auto& a = m["android"];
    if (a.contains("priority") && a["priority"] != "high" && a["priority"] != "normal") return {400, "INVALID_ARGUMENT"};
    if (a.contains("ttl") && (!a["ttl"].is_string() || !is_duration(a["ttl"]))) return {400, "INVALID_ARGUMENT"};
  }
  return {200, ""};
}

ServerReply FakeFcm::send(const ServerRequest& request) {
  Received received{request, "", 0, "", Clock::now()};
  auto [status, code] = check(request, received.bearer);
  Next next = Next::error(status, code, status == 401 ? "Request had invalid authentication credentials."
                                                      : "Invalid message");
  std::lock_guard lock(mutex_);
  if (status == 200)
    if (auto answer = script_.next(received.message().value("token", ""))) next = *answer;
  received.status = next.status;
  received.code = next.code;
  accepted_ += next.status == 200;
  if (options_.record) received_.push_back(received);
  if (next.status == 200)
    return json_reply(200, {{"name", "projects/" + options_.project_id + "/messages/0:" + std::to_string(accepted_)}});
  auto reply = error_reply(next.status, next.code, next.message);
  if (!next.retry_after.empty()) reply.headers.emplace_back("retry-after", next.retry_after);
  return reply;
}

}  // namespace pushsync::test
