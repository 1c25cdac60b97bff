#include "sidecar/push/ws/ws_hub.hpp"

#include <algorithm>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

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

WsHub::WsHub(const config::Config& config, db::DbPool& api_db, metrics::Metrics& metrics, asio::io_context& io,
             int max_connections)
    : config_(config),
      api_db_(api_db),
      metrics_(metrics),
      executor_(io.get_executor()),
      store_(config.database.schema),
      mailbox_(config.database.schema),
      db_(config.database.url, mailbox_.channel(), io, [this](const db::Notification& n) { notified(n); }),
      acks_(db_, mailbox_, executor_),
      max_connections_(max_connections) {}

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
  auto stored = co_await api_db_.run(read);
  // Unknown installation and wrong secret look the same to the caller.
  if (!stored || !api::same_secret(sha256_hex(*secret), *stored))
    throw api::ApiError(401, "invalid_channel_secret", "unknown ws installation or wrong channelSecret");
  if (admitted_ >= max_connections_) {
    metrics_.ws_refused();
    api::ApiError full(503, "too_many_connections",
                       "this sidecar serves " + std::to_string(max_connections_) +
                           " WebSocket devices (websocket.max_connections); reconnect later or to another replica");
    full.headers.emplace_back("Retry-After", "5");
    throw full;
  }
  ++admitted_;
  co_return api::Response::empty(101);
}

asio::awaitable<void> WsHub::serve(boost::beast::tcp_stream& connection, api::Request& request) {
  api::Request handshake = std::move(request);
  std::string id = api::last_value(api::query_of(handshake.target()), "installationId");
  auto session = std::make_shared<WsSession>(std::move(connection), id, config_, db_, mailbox_, acks_);
  auto& slot = sessions_[id];
  if (slot) slot->close();  // replaced by this connection
  slot = session;
  metrics_.ws_connected();
  co_await session->run(handshake);
  metrics_.ws_disconnected();
  --admitted_;
  if (auto it = sessions_.find(id); it != sessions_.end() && it->second == session) sessions_.erase(it);
}

asio::awaitable<void> WsHub::store(std::vector<Letter> letters, Duration ttl, bool sweep) {
  auto put = [this, &letters, ttl, sweep](pqxx::connection& conn) {
    auto stored = mailbox_.put(conn, std::move(letters), ttl);
    if (sweep) mailbox_.expire(conn);
    return stored;
  };
  deliver(co_await db_.run(put));
}

void WsHub::deliver(std::vector<Letter> letters) {
  for (auto& letter : letters)
    if (auto it = sessions_.find(letter.installation_id); it != sessions_.end())
      it->second->deliver(std::move(letter));
}

// Another sidecar stored letters with ids in the notified range: fetch them
// once for every device connected here.
void WsHub::notified(const db::Notification& notification) {
  if (notification.from_this_connection || sessions_.empty()) return;
  if (notification.connection_lost) return recheck_all();
  std::int64_t first = 0;
  std::int64_t last = 0;
  if (!db::WsMailbox::parse_range(notification.payload, first, last)) return;
  if (notified_range_) {
    first = std::min(first, notified_range_->first);
    last = std::max(last, notified_range_->second);
  }
  notified_range_ = {first, last};
  if (fetching_) return;
  fetching_ = true;
  asio::co_spawn(executor_, fetch_notified(), asio::detached);
}

asio::awaitable<void> WsHub::fetch_notified() {
  while (notified_range_) {
    auto [first, last] = *notified_range_;
    notified_range_.reset();
    std::vector<Letter> letters;
    std::string error;
    try {
      auto read = [this, first, last](pqxx::connection& conn) { return mailbox_.range(conn, first, last); };
      letters = co_await db_.run(read);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) {
      spdlog::warn("ws: cannot read the letters another sidecar stored: {}; every device here reads its mailbox",
                   error);
      recheck_all();
      continue;
    }
    deliver(std::move(letters));
  }
  fetching_ = false;
}

void WsHub::recheck_all() {
  for (auto& [id, session] : sessions_) session->recheck();
}

void WsHub::close_all() {
  closing_ = true;
  for (auto& [id, session] : sessions_) session->close();
}

}  // namespace pushsync::push
