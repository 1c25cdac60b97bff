#include "sidecar/push/webpush/subscription.hpp"

#include <nlohmann/json.hpp>

#include "sidecar/util/base64url.hpp"
#include "sidecar/util/json_text.hpp"

namespace pushsync::push::webpush {

namespace {

constexpr std::size_t max_endpoint_bytes = 2048;

ParsedSubscription refused(std::string why) { return {std::nullopt, std::move(why)}; }

// Some libraries pad their base64url; browsers do not.
std::optional<std::string> unpadded_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  return base64url_decode(text);
}

std::optional<std::string> string_member(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

ParsedSubscription parse_subscription(std::string_view json, KeyCheck check) {
  auto doc = parse_json_or_discarded(json);
  if (!doc.is_object()) return refused("it is not a JSON object (PushSubscription.toJSON())");
  auto endpoint = string_member(doc, "endpoint");
  if (!endpoint) return refused("\"endpoint\" is missing");
  auto url = http2::parse_https_url(*endpoint);
  if (!url || endpoint->size() > max_endpoint_bytes) return refused("\"endpoint\" is not an https URL of at most 2048 bytes");
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_object()) return refused("\"keys\" is missing");
  auto p256dh = string_member(*keys, "p256dh");
  auto auth = string_member(*keys, "auth");
  if (!p256dh || !auth) return refused("\"keys\" needs \"p256dh\" and \"auth\"");
  auto point = unpadded_decode(*p256dh);
  bool usable = point && point->size() == 65 && (check == KeyCheck::length_only || is_p256_point(*point));
  if (!usable) return refused("\"keys.p256dh\" is not a P-256 public key in base64url");
  auto secret = unpadded_decode(*auth);
  if (!secret || secret->size() != 16) return refused("\"keys.auth\" is not 16 bytes in base64url");
  std::string origin = "https://" + url->endpoint.authority();
  return {Subscription{std::move(*url), std::move(origin), ReceiverKeys{std::move(*point), std::move(*secret)}}, ""};
}

std::string stored_form(std::string_view json) {
  auto doc = parse_json(json);
  nlohmann::ordered_json stored = {{"endpoint", doc["endpoint"]},
                                   {"keys", {{"p256dh", doc["keys"]["p256dh"]}, {"auth", doc["keys"]["auth"]}}}};
  return json_text(stored);
}

}  // namespace pushsync::push::webpush
