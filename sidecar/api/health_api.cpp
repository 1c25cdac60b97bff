// GET /healthz (the process answers), /readyz (the schema is ready, the
// database answers and no provider is down) and /metrics (Prometheus text).
#include <boost/beast/http/verb.hpp>
#include <pqxx/nontransaction>

#include "sidecar/api/endpoints.hpp"
#include "sidecar/db/outbox.hpp"

namespace pushsync::api {

namespace {

using boost::beast::http::verb;
using nlohmann::json;

boost::asio::awaitable<Response> readyz(const ApiContext& context) {
  if (!context.readiness.serving())
    co_return Response::json(503, {{"error", "not_ready"}, {"message", context.readiness.waiting_for()}});
  std::string database = "ok";
  try {
    co_await context.db.run([](pqxx::connection& conn) {
      pqxx::nontransaction(conn).exec("SELECT 1");
      return true;
    });
  } catch (const std::exception&) {
    database = "unreachable";
  }
  json providers = json::object();
  for (const auto& state : context.providers.states())
    if (!state.healthy) providers[std::string(to_string(state.platform))] = "down";
  if (database == "ok" && providers.empty()) co_return Response::json(200, {{"status", "ready"}});
  json body = {{"error", "not_ready"},
               {"message", database != "ok" ? "the database cannot be reached" : "a push provider cannot send"},
               {"database", database},
               {"providers", providers}};
  co_return Response::json(503, body);
}

boost::asio::awaitable<Response> metrics(const ApiContext& context) {
  const std::string schema = context.config.database.schema;
  auto read = [schema](pqxx::connection& conn) { return db::Outbox(schema).backlog(conn); };
  auto backlog = co_await context.db.run(read);
  std::map<std::string, bool> providers_up;
  for (const auto& state : context.providers.states()) providers_up[std::string(to_string(state.platform))] = state.healthy;
  co_return Response{200, context.metrics.render(backlog, providers_up), "text/plain; version=0.0.4; charset=utf-8",
                     {}};
}

}  // namespace

void add_health_routes(Routes& routes, const ApiContext& context) {
  routes.add("/healthz", Access::health).methods[verb::get] = [](const Call&) -> boost::asio::awaitable<Response> {
    co_return Response::json(200, {{"status", "ok"}});
  };
  routes.add("/readyz", Access::health).methods[verb::get] = [&context](const Call&) { return readyz(context); };
  routes.add("/metrics", Access::metrics).methods[verb::get] = [&context](const Call&) { return metrics(context); };
}

}  // namespace pushsync::api
