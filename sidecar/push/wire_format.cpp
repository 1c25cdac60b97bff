#include "sidecar/push/wire_format.hpp"

#include "sidecar/util/json_text.hpp"

namespace pushsync::push {

namespace {

void add_alert_fields(const Push& push, nlohmann::ordered_json& into) {
  if (push.alert) into["alert"] = *push.alert;
  if (push.sound) into["sound"] = *push.sound;
  if (push.badge) into["badge"] = *push.badge;
}

std::string as_string(const nlohmann::ordered_json& value) {
  return value.is_string() ? value.get<std::string>() : json_text(value);
}

nlohmann::ordered_json aps_of(const Push& push) {
  nlohmann::ordered_json aps = nlohmann::ordered_json::object();
  if (push.kind == PayloadKind::background)
    aps["content-available"] = 1;
  else
    add_alert_fields(push, aps);
  return aps;
}

// apns_body(push).dump(), without copying the fields into a new document.
std::string apns_body_text(const Push& push) {
  if (!push.fields.is_object() || push.fields.empty() || push.fields.contains("aps")) return json_text(apns_body(push));
  std::string fields = json_text(push.fields);
  std::string body = R"({"aps":)" + json_text(aps_of(push));
  body += ',';
  body.append(fields, 1);  // without its opening brace
  return body;
}

std::string serialize(const Push& push, Duration ttl) {
  switch (push.target.platform) {
    case Platform::apns: return apns_body_text(push);
    case Platform::fcm: return json_text(fcm_message(push, ttl));
    case Platform::ws:
    case Platform::webpush: return json_text(ws_frame(push));
  }
  return {};
}

bool same_body(const Push& a, const Push& b) {
  return a.target.platform == b.target.platform && a.target.platform != Platform::fcm && a.kind == b.kind &&
         a.alert == b.alert && a.sound == b.sound && a.badge == b.badge && a.fields == b.fields;
}

std::size_t limit_of(Platform platform) {
  return platform == Platform::webpush ? webpush::max_plaintext_bytes : max_payload_bytes;
}

}  // namespace

nlohmann::ordered_json apns_body(const Push& push) {
  nlohmann::ordered_json body = {{"aps", aps_of(push)}};
  for (const auto& [key, value] : push.fields.items()) body[key] = value;
  return body;
}

nlohmann::ordered_json fcm_message(const Push& push, Duration ttl, bool with_token) {
  nlohmann::ordered_json data = nlohmann::ordered_json::object();
  for (const auto& [key, value] : push.fields.items()) data[key] = as_string(value);
  nlohmann::ordered_json android = {{"priority", "high"}};
  if (!push.collapse_id.empty()) android["collapse_key"] = push.collapse_id;
  android["ttl"] = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(ttl).count()) + "s";
  nlohmann::ordered_json message = nlohmann::ordered_json::object();
  if (with_token) message["token"] = push.target.token;
  message["data"] = data;
  if (push.kind == PayloadKind::alert && push.alert) message["notification"] = {{"body", *push.alert}};
  message["android"] = android;
  return {{"message", message}};
}

nlohmann::ordered_json ws_frame(const Push& push) {
  nlohmann::ordered_json frame = push.fields;
  add_alert_fields(push, frame);
  return frame;
}

std::string wire_body(const Push& push, Duration ttl) { return push.body.empty() ? serialize(push, ttl) : push.body; }

bool fit_to_limit(Push& push, Duration ttl) {
  push.body = serialize(push, ttl);
  if (push.body.size() <= limit_of(push.target.platform)) return true;
  nlohmann::ordered_json minimal;
  for (const char* key : {"message", "table", "op", "id"}) minimal[key] = push.fields[key];
  push.fields = std::move(minimal);
  push.alert.reset();
  push.body = serialize(push, ttl);
  if (push.body.size() <= limit_of(push.target.platform)) return true;
  push.body.clear();
  return false;
}

void fit_all_to_limit(std::span<Push> pushes, Duration ttl) {
  const Push* previous = nullptr;
  for (Push& push : pushes) {
    if (previous && same_body(*previous, push))
      push.body = previous->body;
    else
      fit_to_limit(push, ttl);
    previous = &push;
  }
}

}  // namespace pushsync::push
