#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>

#include "sidecar/api/request_body.hpp"
#include "sidecar/api/response.hpp"

namespace pushsync::api {

// Who may call a route.
enum class Access {
  health,                   // health checks: open, and answered before the sidecar is ready
  open,                     // the route authenticates by itself (WebSocket devices)
  api_token,                // Authorization: Bearer <http.api_token>
  api_token_or_rhoconnect,  // ... or X-RhoConnect-API-TOKEN
  metrics,                  // api_token unless http.metrics_public
};

// One request as a handler sees it.
struct Call {
  const Request& request;
  std::string param;  // the {id} of the path, decoded; empty if none
  FormFields query;
};

using Handler = std::function<boost::asio::awaitable<Response>(const Call&)>;
// Takes over the connection once the route's handler answered 101 (a
// WebSocket handshake it accepted) and the server wrote that answer: the
// HTTP server's coroutine, its read buffer and parser end there, so a
// long-lived connection keeps none of them.
using UpgradeHandler = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket, const Request&)>;

struct Route {
  std::string pattern;  // "/v1/installations/{id}"; also the metrics label
  Access access = Access::api_token;
  std::map<boost::beast::http::verb, Handler> methods;
  UpgradeHandler upgrade;

  std::string allowed_methods() const;  // for 405's Allow header
};

// Paths are exact, or end in one "{param}" segment.
class Routes {
 public:
  Route& add(std::string pattern, Access access);

  struct Match {
    const Route* route;
    std::string param;
  };
  // Throws ApiError 400 when the parameter's escapes are malformed.
  std::optional<Match> find(std::string_view path) const;

 private:
  std::map<std::string, Route, std::less<>> routes_;
};

}  // namespace pushsync::api
