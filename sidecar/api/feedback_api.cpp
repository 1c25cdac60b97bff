// GET /v1/feedback?since=TIME&limit=N: device tokens providers rejected.
#include <boost/beast/http/verb.hpp>

#include "sidecar/api/endpoints.hpp"
#include "sidecar/api/query_params.hpp"
#include "sidecar/db/installation_store.hpp"

namespace pushsync::api {

namespace {

using boost::beast::http::verb;

}  // namespace

void add_feedback_routes(Routes& routes, const ApiContext& context) {
  auto store = std::make_shared<db::InstallationStore>(context.config.database.schema);
  routes.add("/v1/feedback", Access::api_token).methods[verb::get] =
      [&context, store](const Call& call) -> boost::asio::awaitable<Response> {
    std::string since = moment_param(call, "since");
    int limit = limit_param(call);
    auto read = [store, since, limit](pqxx::connection& conn) { return store->feedback(conn, since, limit); };
    auto rows = co_await context.db.run(read);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : rows)
      list.push_back({{"installationId", r.installation_id},
                      {"platform", r.platform},
                      {"pushChannel", r.push_channel},
                      {"reason", r.reason},
                      {"reportedAt", r.reported_at}});
    co_return Response::json(200, {{"feedback", std::move(list)}});
  };
}

}  // namespace pushsync::api
