// GET /v1/feedback?since=RFC3339&limit=N: device tokens providers rejected.
#include <regex>

#include <boost/beast/http/verb.hpp>

#include "sidecar/api/endpoints.hpp"
#include "sidecar/db/installation_store.hpp"

namespace pushsync::api {

namespace {

using boost::beast::http::verb;

constexpr int default_limit = 1000;
constexpr int max_limit = 10000;

std::string since_of(const Call& call) {
  std::string since = last_value(call.query, "since");
  // A '+' offset sent unescaped arrives as a space.
  for (auto& c : since)
    if (c == ' ') c = '+';
  static const std::regex rfc3339(R"(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))");
  if (!since.empty() && !std::regex_match(since, rfc3339))
    throw ApiError(400, "invalid_since", "\"since\" must be an RFC 3339 time, e.g. 2026-11-23T08:00:00Z");
  return since;
}

int limit_of(const Call& call) {
  std::string text = last_value(call.query, "limit");
  if (text.empty()) return default_limit;
  if (text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos || std::stoi(text) < 1 ||
      std::stoi(text) > max_limit)
    throw ApiError(400, "invalid_limit", "\"limit\" must be a number from 1 to " + std::to_string(max_limit));
  return std::stoi(text);
}

}  // namespace

void add_feedback_routes(Routes& routes, const ApiContext& context) {
  auto store = std::make_shared<db::InstallationStore>(context.config.database.schema);
  routes.add("/v1/feedback", Access::api_token).methods[verb::get] =
      [&context, store](const Call& call) -> boost::asio::awaitable<Response> {
    std::string since = since_of(call);
    int limit = limit_of(call);
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
