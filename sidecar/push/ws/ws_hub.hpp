#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "sidecar/api/routes.hpp"
#include "sidecar/config/config.hpp"
#include "sidecar/db/db_pool.hpp"
#include "sidecar/db/db_thread.hpp"
#include "sidecar/db/installation_store.hpp"
#include "sidecar/db/ws_mailbox.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/push/ws/ws_acks.hpp"
#include "sidecar/push/ws/ws_session.hpp"

namespace pushsync::push {

// The self-hosted push channel: GET /v1/ws?installationId=ID with
// "Authorization: Bearer <channelSecret>" (the secret PUT returned for that
// ws installation, never the API token) becomes a WebSocket that receives
// the installation's pushes. Browsers, which cannot set headers on a
// WebSocket, offer the subprotocols "pushsync.v1, <channelSecret>" instead.
// One connection per installation: a new one replaces the old; beyond
// `max_connections` devices, handshakes are answered 503.
//
// The mailbox's own database thread stores letters, reads them for
// sessions that catch up and deletes acknowledged ones, in that one order
// (which is what keeps a device from getting a letter twice), and LISTENs
// for the ranges of letters other sidecars stored: one query fetches a
// range for every session connected here.
class WsHub {
 public:
  using Letter = db::WsMailbox::Letter;

  WsHub(const config::Config& config, db::DbPool& api_db, metrics::Metrics& metrics, boost::asio::io_context& io,
        int max_connections);

  void add_route(api::Routes& routes);
  // Stores letters in the mailbox (telling the other sidecars), then hands
  // them to the devices connected here; throws when the database fails.
  // `sweep`: delete expired letters as well.
  boost::asio::awaitable<void> store(std::vector<Letter> letters, Duration ttl, bool sweep);
  void close_all();

 private:
  boost::asio::awaitable<api::Response> authenticate(const api::Call& call);
  boost::asio::awaitable<void> serve(boost::beast::tcp_stream& connection, api::Request& request);
  void deliver(std::vector<Letter> letters);
  void notified(const db::Notification& notification);
  boost::asio::awaitable<void> fetch_notified();
  void recheck_all();

  const config::Config& config_;
  db::DbPool& api_db_;
  metrics::Metrics& metrics_;
  boost::asio::any_io_executor executor_;
  db::InstallationStore store_;
  db::WsMailbox mailbox_;
  db::DbThread db_;
  WsAcks acks_;
  int max_connections_;
  int admitted_ = 0;  // handshakes accepted, sessions not yet ended
  std::map<std::string, std::shared_ptr<WsSession>> sessions_;
  std::optional<std::pair<std::int64_t, std::int64_t>> notified_range_;  // not fetched yet
  bool fetching_ = false;
  bool closing_ = false;
};

}  // namespace pushsync::push
