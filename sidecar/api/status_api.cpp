// GET /v1/status: what the console (GET /console) draws, from the counters
// the sidecar keeps and bounded reads of the database (db::Outbox::backlog,
// read at most once a second whoever asks: ten consoles cost what one does).
// GET /v1/status/installations/{id}: one installation's last pushes (among
// the newest this sidecar sent) and those waiting in the database.
#include <boost/beast/http/verb.hpp>

#include "sidecar/api/endpoints.hpp"
#include "sidecar/db/outbox.hpp"
#include "sidecar/db/waiting_pushes.hpp"
#include "sidecar/util/moment.hpp"

namespace pushsync::api {

namespace {

using boost::beast::http::verb;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr auto backlog_reread = std::chrono::seconds(1);
constexpr int waiting_shown = 20;

// The backlog, read again when older than backlog_reread.
struct BacklogCache {
  Backlog value;
  SteadyClock::time_point read_at{};
};

json time_or_null(metrics::WallTime at) { return at == metrics::WallTime{} ? json() : json(rfc3339(at)); }

json backlog_json(const Backlog& b) {
  return {{"changes", b.changes},           {"oldestSeconds", b.oldest_seconds}, {"deliveriesWaiting", b.deliveries},
          {"deadLetters", b.dead_letters},  {"wsMailbox", b.ws_mailbox},         {"countedTo", Backlog::counted_to}};
}

// Each configured provider: down (cannot send at all), failing (its last
// answers were errors) or up, with its last error in the provider's words.
json providers_json(const ApiContext& context) {
  const auto& platforms = context.metrics.push_status().platforms();
  json out = json::array();
  for (const auto& state : context.providers.states()) {
    const std::string name(to_string(state.platform));
    json provider = {{"platform", name},          {"state", state.healthy ? "up" : "down"},
                     {"failingSince", nullptr},   {"lastError", ""},
                     {"lastErrorAt", nullptr},    {"lastAcceptedAt", nullptr},
                     {"connections", state.connections}};
    if (auto it = platforms.find(name); it != platforms.end()) {
      const auto& seen = it->second;
      if (seen.failing_since) {
        provider["failingSince"] = rfc3339(*seen.failing_since);
        if (state.healthy) provider["state"] = "failing";
      }
      provider["lastError"] = seen.last_error;
      provider["lastErrorAt"] = time_or_null(seen.last_error_at);
      provider["lastAcceptedAt"] = time_or_null(seen.last_accepted_at);
    }
    out.push_back(std::move(provider));
  }
  return out;
}

json pushes_json(const metrics::Metrics& metrics) {
  json out = json::object();
  for (const auto& [key, count] : metrics.pushes()) out[key.first][key.second] = count;
  return out;
}

boost::asio::awaitable<Response> status(const ApiContext& context, BacklogCache& cache) {
  if (SteadyClock::now() - cache.read_at >= backlog_reread) {
    const std::string schema = context.config.database.schema;
    auto read = [schema](pqxx::connection& conn) { return db::Outbox(schema).backlog(conn); };
    cache.value = co_await context.db.run(read);
    cache.read_at = SteadyClock::now();
  }
  co_return Response::json(200, {{"time", rfc3339(std::chrono::system_clock::now())},
                                 {"version", PUSHSYNC_VERSION},
                                 {"captured", context.metrics.captured()},
                                 {"pushes", pushes_json(context.metrics)},
                                 {"backlog", backlog_json(cache.value)},
                                 {"providers", providers_json(context)},
                                 {"websocket", {{"devices", context.metrics.ws_connections()}}}});
}

// A remembered record is "<table key>\n<row id>", or "#<change id>".
json record_json(const std::string& record) {
  auto newline = record.find('\n');
  if (newline == std::string::npos) return {{"table", ""}, {"rowId", record}};
  return {{"table", record.substr(0, newline)}, {"rowId", record.substr(newline + 1)}};
}

boost::asio::awaitable<Response> installation_status(const ApiContext& context, std::string id) {
  json recent = json::array();
  for (const auto& sent : context.metrics.push_status().sent_to(id)) {
    json push = record_json(sent.record);
    push.update(json{{"at", rfc3339(sent.at)}, {"platform", sent.platform}, {"outcome", sent.outcome},
                     {"reason", sent.reason}});
    recent.push_back(std::move(push));
  }
  const std::string schema = context.config.database.schema;
  auto read = [schema, id](pqxx::connection& conn) { return db::waiting_pushes(conn, schema, id, waiting_shown); };
  json waiting = json::array();
  for (const auto& w : co_await context.db.run(read))
    waiting.push_back({{"table", w.table}, {"rowId", w.row_id}, {"attempts", w.attempts},
                       {"lastError", w.last_error}, {"dueAt", w.due_at}});
  co_return Response::json(200, {{"installationId", id}, {"recentPushes", std::move(recent)},
                                 {"waiting", std::move(waiting)}});
}

}  // namespace

void add_status_routes(Routes& routes, const ApiContext& context) {
  auto cache = std::make_shared<BacklogCache>();
  routes.add("/v1/status", Access::api_token).methods[verb::get] = [&context, cache](const Call&) {
    return status(context, *cache);
  };
  routes.add("/v1/status/installations/{id}", Access::api_token).methods[verb::get] = [&context](const Call& call) {
    return installation_status(context, call.param);
  };
}

}  // namespace pushsync::api
