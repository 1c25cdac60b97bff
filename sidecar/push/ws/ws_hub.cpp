#include "sidecar/push/ws/ws_hub.hpp"

#include <optional>

#include <boost/beast/http/verb.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "sidecar/api/auth.hpp"
#include "sidecar/util/sha256.hpp"

namespace pushsync::push {

namespace asio = boost::asio;

namespace {

// The secret from "Authorization: Bearer <secret>", or from the subprotocols
// "pushsync.v1, <secret>" a browser offers.
std::optional<std::string> channel_secret_of(const api::Request& request) {
  if (auto bearer = api::bearer_token(request)) return std::string(*bearer);
  std::string_view offered = request[boost::beast::http::field::sec_websocket_protocol];
  constexpr std::string_view prefix = "pushsync.v1,";
  if (!offered.starts_with(prefix)) return std::nullopt;
  offered.remove_prefix(prefix.size());
  while (!offered.empty() && offered.front() == ' ') offered.remove_prefix(1);
  if (offered.empty() || offered.find(',') != std::string_view::npos) return std::nullopt;
  return std::string(offered);
}

}  // namespace

WsHub::WsHub(const config::Config& config, db::DbPool& db, metrics::Metrics& metrics)
    : config_(config), db_(db), metrics_(metrics), store_(config.database.schema) {}

void WsHub::add_route(api::Routes& routes) {
  api::Route& route = routes.add("/v1/ws", api::Access::open);
  route.methods[boost::beast::http::verb::get] = [this](const api::Call& call) { return authenticate(call); };
  route.upgrade = [this](boost::beast::tcp_stream& stream, api::Request& handshake) {
    return serve(stream, handshake);
  };
}

asio::awaitable<api::Response> WsHub::authenticate(const api::Call& call) {
  if (!boost::beast::websocket::is_upgrade(call.request))
    throw api::ApiError(400, "websocket_required", "/v1/ws takes a WebSocket handshake");
  if (closing_) throw api::ApiError(503, "shutting_down", "the sidecar is stopping; reconnect later");
  std::string id = api::last_value(call.query, "installationId");
  if (id.empty()) throw api::ApiError(400, "missing_installation_id", "connect to /v1/ws?installationId=<id>");
  auto secret = channel_secret_of(call.request);
  if (!secret)
    throw api::ApiError(401, "missing_channel_secret",
                        "send the installation's channelSecret as Authorization: Bearer <secret> (browsers: as "
                        "the subprotocols \"pushsync.v1\", \"<secret>\")");
  auto read = [this, id](pqxx::connection& conn) { return store_.channel_secret_sha256(conn, id); };
  auto stored = co_await db_.run(read);
  // Unknown installation and wrong secret look the same to the caller.
  if (!stored || !api::same_secret(sha256_hex(*secret), *stored))
    throw api::ApiError(401, "invalid_channel_secret", "unknown ws installation or wrong channelSecret");
  co_return api::Response::empty(101);
}

asio::awaitable<void> WsHub::serve(boost::beast::tcp_stream& connection, api::Request& request) {
  api::Request handshake = std::move(request);
  std::string id = api::last_value(api::query_of(handshake.target()), "installationId");
  auto session = std::make_shared<WsSession>(std::move(connection), id, config_, db_);
  auto& slot = sessions_[id];
  if (slot) slot->close();  // replaced by this connection
  slot = session;
  metrics_.ws_connected();
  co_await session->run(handshake);
  metrics_.ws_disconnected();
  if (auto it = sessions_.find(id); it != sessions_.end() && it->second == session) sessions_.erase(it);
}

void WsHub::mail_for(const std::vector<std::string>& installation_ids) {
  for (const auto& id : installation_ids)
    if (auto it = sessions_.find(id); it != sessions_.end()) it->second->new_mail();
}

void WsHub::close_all() {
  closing_ = true;
  for (auto& [id, session] : sessions_) session->close();
}

}  // namespace pushsync::push
