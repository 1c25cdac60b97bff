// PUT/GET/DELETE /v1/installations/{id}: devices register here (Azure style).
#include <algorithm>
#include <cctype>

#include <boost/beast/http/verb.hpp>

#include "sidecar/api/endpoints.hpp"
#include "sidecar/api/field_checks.hpp"
#include "sidecar/db/installation_store.hpp"
#include "sidecar/push/webpush/allowed_origins.hpp"
#include "sidecar/push/webpush/subscription.hpp"
#include "sidecar/util/json_text.hpp"
#include "sidecar/util/random_token.hpp"
#include "sidecar/util/sha256.hpp"

namespace pushsync::api {

namespace {

using boost::beast::http::verb;
using nlohmann::json;

constexpr std::size_t max_installation_tags = 64;
constexpr std::size_t max_fcm_token_bytes = 4096;

void check_installation_id(const std::string& id) {
  if (!is_printable_text(id, 256))
    throw ApiError(400, "invalid_installation_id",
                   "the installation id must be 1 to 256 bytes of UTF-8 without control characters");
}

bool is_apns_token(const std::string& token) {
  return token.size() >= 64 && token.size() <= 200 && token.size() % 2 == 0 &&
         std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isxdigit(c); });
}

bool is_fcm_token(const std::string& token) {
  return !token.empty() && token.size() <= max_fcm_token_bytes &&
         std::all_of(token.begin(), token.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

// A webpush "pushChannel": the PushSubscription as a JSON object, or as its text.
std::string subscription_text(const json& body) {
  auto channel = body.find("pushChannel");
  if (channel != body.end() && channel->is_object()) return json_text(*channel);
  return string_field(body, "pushChannel", max_fcm_token_bytes);
}

db::InstallationWrite installation_from(const std::string& id, const json& body,
                                        const push::webpush::AllowedOrigins& allowed) {
  only_known_fields(body, {"installationId", "platform", "pushChannel", "tags"});
  if (auto given = body.find("installationId"); given != body.end() && *given != id)
    throw invalid("installation_id_mismatch", "\"installationId\" differs from the id in the path");
  std::string platform_name = string_field(body, "platform", 16);
  auto platform = parse_platform(platform_name);
  if (!platform) throw invalid("invalid_platform", "\"platform\" must be \"apns\", \"fcm\", \"ws\" or \"webpush\"");
  std::string channel = *platform == Platform::webpush ? subscription_text(body)
                                                        : string_field(body, "pushChannel", max_fcm_token_bytes);
  db::InstallationWrite write{id, *platform, std::move(channel), tag_list(body, "tags", max_installation_tags),
                              std::nullopt};
  switch (*platform) {
    case Platform::apns:
      if (!is_apns_token(write.push_channel))
        throw invalid("invalid_push_channel", "an APNs \"pushChannel\" is the device token in hex (64+ digits)");
      break;
    case Platform::fcm:
      if (!is_fcm_token(write.push_channel))
        throw invalid("invalid_push_channel", "an FCM \"pushChannel\" is the registration token (printable, "
                                              "at most 4096 bytes)");
      break;
    case Platform::webpush:
      if (auto parsed = push::webpush::parse_subscription(write.push_channel); !parsed.subscription)
        throw invalid("invalid_push_channel", "a webpush \"pushChannel\" is the browser's PushSubscription "
                                              "(its toJSON()): " + parsed.why);
      else if (!allowed.allows(parsed.subscription->endpoint.endpoint))
        throw invalid("origin_not_allowed", "the push service " + parsed.subscription->origin +
                                                " is not in webpush.allowed_origins");
      write.push_channel = push::webpush::stored_form(write.push_channel);
      break;
    case Platform::ws:
      if (write.push_channel.empty()) write.push_channel = id;  // ws devices are reached by installation id
      if (!is_printable_text(write.push_channel, 256))
        throw invalid("invalid_push_channel", "a ws \"pushChannel\" is optional text of at most 256 bytes");
      break;
  }
  return write;
}

json to_json(const db::InstallationRecord& r) {
  return {{"installationId", r.id},
          {"platform", to_string(r.platform)},
          {"pushChannel", r.push_channel},
          {"tags", r.tags},
          {"createdAt", r.created_at},
          {"updatedAt", r.updated_at},
          {"disabledAt", r.disabled_at ? json(*r.disabled_at) : json(nullptr)}};
}

ApiError no_such_installation() { return {404, "installation_not_found", "no installation with this id"}; }

}  // namespace

void add_installation_routes(Routes& routes, const ApiContext& context) {
  auto store = std::make_shared<db::InstallationStore>(context.config.database.schema);
  const auto& webpush = context.config.webpush;
  auto allowed = std::make_shared<push::webpush::AllowedOrigins>(webpush ? webpush->allowed_origins : std::nullopt);
  Route& route = routes.add("/v1/installations/{id}", Access::api_token);

  route.methods[verb::put] = [&context, store, allowed](const Call& call) -> boost::asio::awaitable<Response> {
    check_installation_id(call.param);
    auto write = installation_from(call.param, json_object_body(call.request), *allowed);
    std::string secret;
    if (write.platform == Platform::ws) {
      secret = random_token(32);
      write.channel_secret_sha256 = sha256_hex(secret);
    }
    auto put = [store, write](pqxx::connection& conn) { return store->put(conn, write); };
    auto result = co_await context.db.run(put);
    json body = to_json(result.installation);
    if (!secret.empty()) body["channelSecret"] = secret;
    co_return Response::json(result.created ? 201 : 200, body);
  };

  route.methods[verb::get] = [&context, store](const Call& call) -> boost::asio::awaitable<Response> {
    check_installation_id(call.param);
    auto get = [store, id = call.param](pqxx::connection& conn) { return store->get(conn, id); };
    auto found = co_await context.db.run(get);
    if (!found) throw no_such_installation();
    co_return Response::json(200, to_json(*found));
  };

  // Idempotent: deleting what is not there is not an error (a retried DELETE).
  route.methods[verb::delete_] = [&context, store](const Call& call) -> boost::asio::awaitable<Response> {
    check_installation_id(call.param);
    auto remove = [store, id = call.param](pqxx::connection& conn) { return store->remove(conn, id); };
    co_await context.db.run(remove);
    co_return Response::empty(204);
  };
}

}  // namespace pushsync::api
