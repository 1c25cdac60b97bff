#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sidecar/api/routes.hpp"
#include "sidecar/config/config.hpp"
#include "sidecar/db/db_pool.hpp"
#include "sidecar/db/installation_store.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/push/ws/ws_session.hpp"

namespace pushsync::push {

// The self-hosted push channel: GET /v1/ws?installationId=ID with
// "Authorization: Bearer <channelSecret>" (the secret PUT returned for that
// ws installation, never the API token) becomes a WebSocket that receives
// the installation's pushes. Browsers, which cannot set headers on a
// WebSocket, offer the subprotocols "pushsync.v1, <channelSecret>" instead.
// One connection per installation: a new one replaces the old.
class WsHub {
 public:
  WsHub(const config::Config& config, db::DbPool& db, metrics::Metrics& metrics);

  void add_route(api::Routes& routes);
  // Letters for these installations were stored in the mailbox.
  void mail_for(const std::vector<std::string>& installation_ids);
  void close_all();

 private:
  boost::asio::awaitable<api::Response> authenticate(const api::Call& call);
  boost::asio::awaitable<void> serve(boost::beast::tcp_stream& connection, api::Request& request);

  const config::Config& config_;
  db::DbPool& db_;
  metrics::Metrics& metrics_;
  db::InstallationStore store_;
  std::map<std::string, std::shared_ptr<WsSession>> sessions_;
  bool closing_ = false;
};

}  // namespace pushsync::push
