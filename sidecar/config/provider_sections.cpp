#include "sidecar/config/provider_sections.hpp"

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "sidecar/config/node_values.hpp"
#include "sidecar/config/origin_pattern.hpp"
#include "sidecar/util/base64url.hpp"
#include "sidecar/util/json_text.hpp"
#include "sidecar/util/jwt.hpp"
#include "sidecar/util/readable_file.hpp"

namespace pushsync::config {

// Reads a private key now, so that a wrong one is a config error at `at`,
// not a failure at the first push: `load` must give an EC key when `ec`,
// an RSA key otherwise; `wrong_type` says so. Messages start with `prefix`.
namespace {

void check_key(const YamlNode& at, const std::string& prefix, bool ec, const std::string& wrong_type,
               const std::function<PrivateKey()>& load) {
  std::string problem;
  try {
    if (load().is_ec() != ec) problem = wrong_type;
  } catch (const std::runtime_error& e) {
    problem = e.what();
  }
  if (!problem.empty()) at.fail(prefix + problem);
}

// The .p8 key Apple issues: PEM, EC P-256.
void check_es256_key(const YamlNode& at, const std::string& file) {
  check_key(at, "", true, "the key in " + file + " is not an EC (ES256) key",
            [&] { return PrivateKey::from_pem_file(file, "key"); });
}

}  // namespace

ApnsConfig read_apns(const YamlNode& node) {
  node.entries({"team_id", "key_id", "key_file", "certificate_file", "private_key_file", "private_key_password",
                "private_key_password_file", "topic", "environment", "endpoint", "ca_file", "connections",
                "request_timeout"});
  ApnsConfig apns;
  apns.pos = node.pos();
  auto text = [&](std::string_view key, std::string& out) {
    if (auto v = node.get(key)) out = v->str();
  };
  text("team_id", apns.team_id);
  text("key_id", apns.key_id);
  text("key_file", apns.key_file);
  text("certificate_file", apns.certificate_file);
  text("private_key_file", apns.private_key_file);
  apns.private_key_password = node.secret("private_key_password").value_or("");
  apns.topic = node.required("topic").str();
  if (apns.topic.empty()) node.required("topic").fail("topic (the app's bundle id) is required");
  if (auto v = node.get("environment")) apns.environment = one_of(*v, {"production", "sandbox"});
  text("endpoint", apns.endpoint);
  text("ca_file", apns.ca_file);
  if (auto v = node.get("connections")) apns.connections = static_cast<int>(v->integer(1, 64));
  if (auto v = node.get("request_timeout")) apns.request_timeout = positive_duration(*v, Duration(100));
  bool token_auth = !apns.key_file.empty();
  bool cert_auth = !apns.certificate_file.empty();
  if (token_auth == cert_auth)
    node.fail("set key_file (token auth) or certificate_file + private_key_file (certificate auth), exactly one");
  if (token_auth && (apns.team_id.empty() || apns.key_id.empty()))
    node.fail("token auth needs team_id and key_id next to key_file");
  if (cert_auth && apns.private_key_file.empty()) node.fail("certificate auth needs private_key_file");
  if (token_auth) check_es256_key(node.required("key_file"), apns.key_file);
  return apns;
}

namespace {

// The JSON key file of a Google service account, checked field by field so
// that a wrong file is an error at its config line, not at the first push.
ServiceAccount read_service_account(const YamlNode& at, const std::string& file) {
  auto text = read_file_text(file);
  if (!text.text) at.fail("cannot read " + file + ": " + text.why);
  auto json = parse_json_or_discarded(*text.text);
  if (!json.is_object()) at.fail(file + " is not a JSON service account file");
  ServiceAccount account;
  for (auto [key, out] : {std::pair{"project_id", &account.project_id}, {"client_email", &account.client_email},
                          {"private_key", &account.private_key}, {"token_uri", &account.token_uri}}) {
    if (!json.contains(key) || !json[key].is_string() || json[key].get<std::string>().empty())
      at.fail(file + " has no \"" + key + "\" (download the key of a service account from the Firebase console)");
    *out = json[key].get<std::string>();
  }
  if (account.token_uri.rfind("https://", 0) != 0) at.fail(file + ": token_uri must be an https:// URL");
  check_key(at, file + ": ", false, "private_key must be an RSA key",
            [&] { return PrivateKey::from_pem(account.private_key, "private_key"); });
  return account;
}

}  // namespace

FcmConfig read_fcm(const YamlNode& node) {
  node.entries({"service_account_file", "endpoint", "ca_file", "connections", "request_timeout"});
  FcmConfig fcm;
  fcm.pos = node.pos();
  fcm.service_account_file = node.required("service_account_file").str();
  fcm.account = read_service_account(node.required("service_account_file"), fcm.service_account_file);
  if (auto v = node.get("endpoint"); v && !v->str().empty()) {
    fcm.endpoint = v->str();
    if (fcm.endpoint.rfind("https://", 0) != 0) v->fail("endpoint must start with https://");
  }
  if (auto v = node.get("ca_file")) fcm.ca_file = v->str();
  if (auto v = node.get("connections")) fcm.connections = static_cast<int>(v->integer(1, 64));
  if (auto v = node.get("request_timeout")) fcm.request_timeout = positive_duration(*v, Duration(100));
  return fcm;
}

WebPushConfig read_webpush(const YamlNode& node) {
  node.entries({"vapid_public_key", "vapid_private_key_file", "subject", "ca_file", "connections", "request_timeout",
                "allowed_origins"});
  WebPushConfig webpush;
  webpush.pos = node.pos();
  webpush.vapid_public_key = node.required("vapid_public_key").str();
  webpush.vapid_private_key_file = node.required("vapid_private_key_file").str();
  webpush.subject = node.required("subject").str();
  if (webpush.subject.rfind("mailto:", 0) != 0 && webpush.subject.rfind("https://", 0) != 0)
    node.required("subject").fail("subject must be a mailto: or https: URL push services can reach you at");
  if (auto v = node.get("ca_file")) webpush.ca_file = v->str();
  if (auto v = node.get("connections")) webpush.connections = static_cast<int>(v->integer(1, 64));
  if (auto v = node.get("request_timeout")) webpush.request_timeout = positive_duration(*v, Duration(100));
  if (auto v = node.get("allowed_origins")) {
    webpush.allowed_origins.emplace();
    for (const auto& item : v->items()) {
      auto pattern = parse_origin_pattern(item.str());
      if (!pattern)
        item.fail("\"" + item.str() + "\" is not an origin pattern: a host (push.example.com), a wildcard for "
                  "its subdomains (*.example.com) or *, with an optional :port");
      webpush.allowed_origins->push_back(std::move(*pattern));
    }
  }
  std::string public_key, problem;
  try {
    public_key = base64url_encode(PrivateKey::from_pem_file(webpush.vapid_private_key_file, "key").p256_public_point());
  } catch (const std::runtime_error& e) {
    problem = e.what();
  }
  if (!problem.empty()) node.required("vapid_private_key_file").fail(problem);
  if (public_key != webpush.vapid_public_key)
    node.required("vapid_public_key")
        .fail("vapid_public_key is not the public half of the key in " + webpush.vapid_private_key_file +
              " (pushsync vapid-keys prints both)");
  return webpush;
}

}  // namespace pushsync::config
