// POST /v1/push (Pushlet-style sends) and POST /rc/v1/users/ping
// (RhoConnect's ping, unchanged for its callers). Both queue one direct push
// through the outbox, so it gets the same guarantees as a row change.
#include <boost/beast/http/verb.hpp>
#include <pqxx/transaction>

#include "sidecar/api/endpoints.hpp"
#include "sidecar/api/field_checks.hpp"
#include "sidecar/db/outbox.hpp"
#include "sidecar/db/pg_directory.hpp"
#include "sidecar/route/directory.hpp"
#include "sidecar/util/json_text.hpp"

namespace pushsync::api {

namespace {

using boost::beast::http::verb;
using nlohmann::json;

constexpr std::size_t max_push_targets = 1000;
constexpr std::size_t max_alert_bytes = 2048;
constexpr std::size_t max_short_text = 256;

struct Queued {
  ChangeId id = 0;
  std::size_t devices = 0;
};

// Counts the enabled devices the push reaches, then queues it.
boost::asio::awaitable<Queued> queue_push(const ApiContext& context, const json& push) {
  const std::string schema = context.config.database.schema;
  return context.db.run([schema, push](pqxx::connection& conn) {
    long long devices = 0;
    {
      pqxx::read_transaction tx(conn);
      devices = db::PgDirectory(tx, schema).count(push["tags"].get<std::vector<std::string>>());
    }
    return Queued{db::Outbox(schema).enqueue_push(conn, push), static_cast<std::size_t>(devices)};
  });
}

Response queued(int status, const Queued& q) {
  return Response::json(status, {{"id", std::to_string(q.id)}, {"devices", q.devices}});
}

std::optional<int> badge_field(const json& value) {
  if (value.is_number_integer() && value.get<long long>() >= 0 && value.get<long long>() <= 99999)
    return value.get<int>();
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (!text.empty() && text.size() <= 5 && text.find_first_not_of("0123456789") == std::string::npos)
      return std::stoi(text);
  }
  throw invalid("invalid_badge", "\"badge\" must be a whole number from 0 to 99999");
}

// {tags, alert, sound, badge, data}: what the router's direct push reads.
json direct_push(std::vector<std::string> tags, const json& fields) {
  json push = {{"tags", std::move(tags)}, {"data", fields.value("data", json::object())}};
  for (const char* key : {"alert", "sound", "badge"})
    if (fields.contains(key)) push[key] = fields[key];
  return push;
}

boost::asio::awaitable<Response> post_push(const ApiContext& context, const Call& call) {
  json body = json_object_body(call.request);
  only_known_fields(body, {"tags", "installations", "alert", "badge", "sound", "data"});
  auto tags = tag_list(body, "tags", max_push_targets);
  for (auto& id : tag_list(body, "installations", max_push_targets))
    tags.push_back(std::string(route::installation_tag_prefix) + id);
  if (tags.empty()) throw invalid("no_target", "give \"tags\" or \"installations\" (a non-empty list)");
  json fields = json::object();
  if (auto alert = string_field(body, "alert", max_alert_bytes); !alert.empty()) fields["alert"] = alert;
  if (auto sound = string_field(body, "sound", max_short_text); !sound.empty()) fields["sound"] = sound;
  if (body.contains("badge")) fields["badge"] = badge_field(body["badge"]).value();
  if (body.contains("data")) {
    if (!body["data"].is_object()) throw invalid("invalid_data", "\"data\" must be a JSON object");
    fields["data"] = body["data"];
  }
  json push = direct_push(std::move(tags), fields);
  Queued result = co_await queue_push(context, push);
  co_return queued(202, result);
}

// --- RhoConnect ping ---------------------------------------------------------

// The ping's parameters, from JSON or a form: each name with its values.
FormFields ping_fields(const Request& request) {
  if (has_content_type(request, "application/x-www-form-urlencoded")) return parse_form(request.body());
  json body = json_object_body(request);  // 415 for anything else
  FormFields fields;
  for (const auto& [key, value] : body.items()) {
    auto add = [&, name = key](const json& item) {
      if (item.is_string()) fields[name].push_back(item.get<std::string>());
      else if (item.is_number() || item.is_boolean()) fields[name].push_back(json_text(item));
      else throw invalid("invalid_" + name, "\"" + name + "\" must be a string, a number or a list of them");
    };
    if (value.is_array())
      for (const auto& item : value) add(item);
    else if (!value.is_null())
      add(value);
  }
  return fields;
}

// RhoConnect's `sources` (or .NET's `source_id`): names, comma lists, or "all".
std::string sources_of(const FormFields& fields) {
  std::vector<std::string> names;
  for (const char* key : {"sources", "source_id"})
    if (auto it = fields.find(key); it != fields.end())
      for (const auto& value : it->second)
        if (!value.empty()) names.push_back(value);
  if (names.empty() || std::find(names.begin(), names.end(), "all") != names.end()) return "all";
  std::string joined;
  for (const auto& n : names) joined += (joined.empty() ? "" : ",") + n;
  return joined;
}

boost::asio::awaitable<Response> post_ping(const ApiContext& context, const Call& call) {
  FormFields fields = ping_fields(call.request);
  auto users = fields.find("user_id");
  if (users == fields.end() || users->second.empty())
    throw invalid("missing_user_id", "\"user_id\" (one or a list) is required");
  if (users->second.size() > max_push_targets)
    throw invalid("too_many_user_id", "at most " + std::to_string(max_push_targets) + " users per ping");
  const config::Template user_tag = context.config.users_tag.value_or(config::Template::parse("{user_id}"));
  std::vector<std::string> tags;
  for (const auto& user : users->second) {
    if (!is_printable_text(user, max_short_text))
      throw invalid("invalid_user_id", "each \"user_id\" must be 1 to 256 bytes without control characters");
    tags.push_back(*user_tag.render([&](const std::string&) { return std::optional<std::string>(user); }));
  }
  json data = {{"sources", sources_of(fields)}};
  data["do_sync"] = data["sources"];  // what Rhodes clients read
  if (auto vibrate = last_value(fields, "vibrate"); !vibrate.empty()) data["vibrate"] = vibrate;
  json push = {{"data", data}};
  if (auto message = last_value(fields, "message"); !message.empty()) {
    if (message.size() > max_alert_bytes) throw invalid("invalid_message", "\"message\" is longer than 2048 bytes");
    push["alert"] = message;
  }
  if (auto sound = last_value(fields, "sound"); !sound.empty()) push["sound"] = sound.substr(0, max_short_text);
  if (auto badge = last_value(fields, "badge"); !badge.empty()) push["badge"] = badge_field(json(badge)).value();
  json queued_push = direct_push(std::move(tags), push);
  Queued result = co_await queue_push(context, queued_push);
  co_return queued(200, result);
}

}  // namespace

void add_push_routes(Routes& routes, const ApiContext& context) {
  routes.add("/v1/push", Access::api_token).methods[verb::post] = [&context](const Call& call) {
    return post_push(context, call);
  };
  routes.add("/rc/v1/users/ping", Access::api_token_or_rhoconnect).methods[verb::post] = [&context](const Call& call) {
    return post_ping(context, call);
  };
}

}  // namespace pushsync::api
