// GET /v1/ws?installationId=ID with "Authorization: Bearer <channelSecret>"
// (the secret PUT returned for that ws installation, never the API token)
// becomes a WebSocket that receives the installation's pushes. Browsers,
// which cannot set headers on a WebSocket, offer the subprotocols
// "pushsync.v1, <channelSecret>" instead. Beyond the devices' budget,
// handshakes are answered 503. The server answers an admitted handshake
// (101, RFC 6455's headers) and hands the connection to push::WsDevices.
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "sidecar/push/ws/ws_frames.hpp"

#include "sidecar/api/api_error.hpp"
#include "sidecar/api/auth.hpp"
#include "sidecar/api/endpoints.hpp"

namespace pushsync::api {

namespace {

// What browsers offer before the secret, and what the 101 echoes to them.
constexpr std::string_view browser_subprotocol = "pushsync.v1";

// The secret from "Authorization: Bearer <secret>", or from the subprotocols
// "pushsync.v1, <secret>" a browser offers.
std::optional<std::string> channel_secret_of(const Request& request) {
  if (auto bearer = bearer_token(request)) return std::string(*bearer);
  std::string_view offered = request[boost::beast::http::field::sec_websocket_protocol];
  if (!offered.starts_with(browser_subprotocol)) return std::nullopt;
  offered.remove_prefix(browser_subprotocol.size());
  if (!offered.starts_with(',')) return std::nullopt;
  offered.remove_prefix(1);
  while (!offered.empty() && offered.front() == ' ') offered.remove_prefix(1);
  if (offered.empty() || offered.find(',') != std::string_view::npos) return std::nullopt;
  return std::string(offered);
}

boost::asio::awaitable<Response> admit(push::WsDevices& devices, const Call& call) {
  using Admission = push::WsDevices::Admission;
  if (!boost::beast::websocket::is_upgrade(call.request))
    throw ApiError(400, "websocket_required", "/v1/ws takes a WebSocket handshake");
  if (call.request[boost::beast::http::field::sec_websocket_version] != "13") {
    ApiError version(426, "websocket_version", "only WebSocket version 13 (RFC 6455) is spoken here");
    version.headers.emplace_back("Sec-WebSocket-Version", "13");
    throw version;
  }
  const std::string_view key = call.request[boost::beast::http::field::sec_websocket_key];
  if (key.size() != 24) throw ApiError(400, "websocket_key", "Sec-WebSocket-Key must be 16 bytes in base64");
  std::string id = last_value(call.query, "installationId");
  if (id.empty()) throw ApiError(400, "missing_installation_id", "connect to /v1/ws?installationId=<id>");
  auto secret = channel_secret_of(call.request);
  if (!secret)
    throw ApiError(401, "missing_channel_secret",
                   "send the installation's channelSecret as Authorization: Bearer <secret> (browsers: as "
                   "the subprotocols \"pushsync.v1\", \"<secret>\")");
  switch (co_await devices.admit(id, *secret)) {
    case Admission::admitted: {
      auto switching = Response::empty(101);
      switching.headers = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"},
                           {"Sec-WebSocket-Accept", push::ws_accept_key(key)}};
      // Browsers require the subprotocol they offered echoed.
      if (std::string_view(call.request[boost::beast::http::field::sec_websocket_protocol])
              .starts_with(browser_subprotocol))
        switching.headers.emplace_back("Sec-WebSocket-Protocol", std::string(browser_subprotocol));
      co_return switching;
    }
    case Admission::closing:
      throw ApiError(503, "shutting_down", "the sidecar is stopping; reconnect later");
    case Admission::refused:
      throw ApiError(401, "invalid_channel_secret", "unknown ws installation or wrong channelSecret");
    case Admission::full:
      break;
  }
  ApiError full(503, "too_many_connections",
                "this sidecar serves " + std::to_string(devices.max_connections()) +
                    " WebSocket devices (websocket.max_connections); reconnect later or to another replica");
  full.headers.emplace_back("Retry-After", "5");
  throw full;
}

}  // namespace

void add_ws_route(Routes& routes, push::WsDevices& devices) {
  Route& route = routes.add("/v1/ws", Access::open);
  route.methods[boost::beast::http::verb::get] = [&devices](const Call& call) { return admit(devices, call); };
  route.upgrade = [&devices](boost::asio::ip::tcp::socket socket, const Request& handshake) {
    std::string id = last_value(query_of(handshake.target()), "installationId");
    std::string secret = channel_secret_of(handshake).value_or("");  // admit() checked it
    return devices.serve(std::move(socket), std::move(id), std::move(secret));
  };
}

}  // namespace pushsync::api
