// /v1/dead-letters: the pushes given up on, for a person to act on (the
// same as `pushsync dead-letters list|retry|purge`).
//   GET    /v1/dead-letters?since=&table=&reason=&installation=&limit=&offset=&order=newest
//   POST   /v1/dead-letters/retry   {"ids": [...]} or {"all": true, "since": TIME}
//   DELETE /v1/dead-letters?before=TIME
#include <boost/beast/http/verb.hpp>

#include "sidecar/api/endpoints.hpp"
#include "sidecar/api/field_checks.hpp"
#include "sidecar/api/query_params.hpp"
#include "sidecar/db/dead_letters.hpp"
#include "sidecar/util/moment.hpp"

namespace pushsync::api {

namespace {

using boost::beast::http::verb;
using nlohmann::json;

constexpr std::size_t max_ids = 10000;

boost::asio::awaitable<Response> list(const ApiContext& context, const Call& call) {
  const std::string order = last_value(call.query, "order");
  if (order != "" && order != "newest" && order != "oldest")
    throw ApiError(400, "invalid_order", "\"order\" is newest or oldest (the default)");
  db::DeadLetterQuery query{.since = moment_param(call, "since"),
                            .table = last_value(call.query, "table"),
                            .reason = last_value(call.query, "reason"),
                            .limit = limit_param(call),
                            .installation = last_value(call.query, "installation"),
                            .offset = number_param(call, "offset", 0, 0, 1000000),
                            .newest_first = order == "newest"};
  db::DeadLetters store(context.config.database.schema);
  auto read = [store, query](pqxx::connection& conn) { return store.list(conn, query); };
  auto letters = co_await context.db.run(read);
  json out = json::array();
  for (const auto& d : letters) out.push_back(d.to_json());
  co_return Response::json(200, {{"deadLetters", std::move(out)}});
}

std::vector<long long> ids_of(const json& body) {
  std::vector<long long> ids;
  if (!body.contains("ids")) return ids;
  const json& list = body["ids"];
  if (!list.is_array() || list.size() > max_ids)
    throw invalid("invalid_ids", "\"ids\" must be a list of at most " + std::to_string(max_ids) + " dead letter ids");
  for (const auto& id : list) {
    if (!id.is_number_integer()) throw invalid("invalid_ids", "\"ids\" must hold whole numbers");
    ids.push_back(id.get<long long>());
  }
  return ids;
}

boost::asio::awaitable<Response> retry(const ApiContext& context, const Call& call) {
  json body = json_object_body(call.request);
  only_known_fields(body, {"ids", "all", "since"});
  auto ids = ids_of(body);
  const bool all = body.value("all", false) == true;
  if (ids.empty() == !all) throw invalid("no_target", "give \"ids\" (a non-empty list) or \"all\": true");
  std::string since = string_field(body, "since", 64);
  if (!since.empty()) {
    auto moment = parse_moment(since, std::chrono::system_clock::now());
    if (!moment || !all) throw invalid("invalid_since", "\"since\" goes with \"all\" and is an RFC 3339 time or a span");
    since = *moment;
  }
  db::DeadLetters store(context.config.database.schema);
  auto requeue = [store, ids, since](pqxx::connection& conn) {
    return ids.empty() ? store.retry_all(conn, since) : store.retry(conn, ids);
  };
  auto report = co_await context.db.run(requeue);
  co_return Response::json(
      200, {{"requeued", report.requeued}, {"notRetryable", report.not_retryable}, {"notFound", report.not_found}});
}

boost::asio::awaitable<Response> purge(const ApiContext& context, const Call& call) {
  std::string before = moment_param(call, "before");
  if (before.empty()) throw ApiError(400, "missing_before", "give ?before=TIME: dead letters failed before it go");
  db::DeadLetters store(context.config.database.schema);
  auto remove = [store, before](pqxx::connection& conn) { return store.purge(conn, before); };
  long long purged = co_await context.db.run(remove);
  co_return Response::json(200, {{"purged", purged}});
}

}  // namespace

void add_dead_letter_routes(Routes& routes, const ApiContext& context) {
  Route& letters = routes.add("/v1/dead-letters", Access::api_token);
  letters.methods[verb::get] = [&context](const Call& call) { return list(context, call); };
  letters.methods[verb::delete_] = [&context](const Call& call) { return purge(context, call); };
  routes.add("/v1/dead-letters/retry", Access::api_token).methods[verb::post] = [&context](const Call& call) {
    return retry(context, call);
  };
}

}  // namespace pushsync::api
