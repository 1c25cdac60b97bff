#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <nlohmann/json.hpp>

#include "fuzz/targets.hpp"
#include "sidecar/api/endpoints.hpp"
#include "sidecar/api/http_server.hpp"
#include "sidecar/config/config_loader.hpp"

namespace pushsync::fuzz {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

constexpr const char* api_token = "fuzz-api-token-7f3a9c";

// Every route of the API, as the sidecar wires them, in front of a
// database that cannot be reached: a request the API takes gets as far as
// its database call (503); everything it refuses is refused first.
const char* const config_text = R"(database:
  url: "postgresql:///fuzz?host=/nonexistent/pushsync-fuzz&connect_timeout=1"
http:
  listen: 127.0.0.1:0
  api_token: fuzz-api-token-7f3a9c
  max_body: 64KiB
tables:
  public.items:
    tags: ["user:{owner}"]
)";

struct Api {
  asio::io_context io;
  config::Config config = config::parse_config("fuzz.yaml", config_text, [](const std::string&) {
    return std::optional<std::string>();
  });
  metrics::Metrics metrics;
  db::DbPool db{config.database.url, 1, io};
  push::ProviderSet providers{config.delivery.expiration};
  api::Readiness readiness;
  api::ApiContext context{config, db, metrics, providers, readiness};
  api::Routes routes;
  api::ApiTokens tokens{config.http->api_tokens};
  api::HttpServer server{io, *config.http, tokens, routes, readiness, metrics};

  Api() {
    readiness.ready();
    api::add_installation_routes(routes, context);
    api::add_push_routes(routes, context);
    api::add_feedback_routes(routes, context);
    api::add_dead_letter_routes(routes, context);
    api::add_health_routes(routes, context);
  }
};

// The request in `input` as the server reads it, or nullopt when the
// server would refuse it before routing (400, 413, 431) or wait for more.
std::optional<api::Request> read_request(const api::HttpServer& server, Input input) {
  http::request_parser<http::string_body> parser;
  server.limit(parser);
  parser.eager(true);
  asio::const_buffer rest(input.data(), input.size());
  boost::system::error_code ec;
  while (rest.size() > 0 && !parser.is_done()) {
    auto used = parser.put(rest, ec);
    rest += used;
    if (ec == http::error::need_more && used > 0) ec = {};
    if (ec) break;
  }
  if (!parser.is_done() && (!ec || ec == http::error::need_more)) {
    ec = {};
    parser.put_eof(ec);
  }
  if (ec || !parser.is_done()) return std::nullopt;
  return parser.release();
}

}  // namespace

// Each request is answered, never with a 500 (an exception nobody
// expected) and never with the API token in the answer (unless the request
// put it in its body or path, which answers may quote); a refusal is JSON
// with an error code.
void api_request(Input input) {
  static Api api;
  auto request = read_request(api.server, input);
  if (!request) return;
  std::optional<api::Response> response;
  const api::Route* route = nullptr;
  asio::co_spawn(
      api.io, [&]() -> asio::awaitable<void> { response = co_await api.server.dispatch(*request, route); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  api.io.restart();
  while (!response) api.io.run_one();
  expect(response->status != 500, "no request makes the API answer 500");
  expect(response->status >= 101 && response->status <= 599, "an answer has an HTTP status");
  const bool echoed = request->body().find(api_token) != std::string::npos ||
                      request->target().find(api_token) != std::string_view::npos;  // the caller's own words
  expect(echoed || response->body.find(api_token) == std::string::npos, "no answer carries the API token");
  if (response->status >= 400) {
    auto body = nlohmann::json::parse(response->body, nullptr, false);
    expect(body.is_object() && body["error"].is_string(), "a refusal is JSON with an error code");
  }
}

}  // namespace pushsync::fuzz
