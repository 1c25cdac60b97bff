#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sidecar/config/config.hpp"
#include "sidecar/db/db_pool.hpp"
#include "sidecar/db/db_thread.hpp"
#include "sidecar/db/installation_store.hpp"
#include "sidecar/db/ws_mailbox.hpp"
#include "sidecar/db/ws_revocation.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/push/ws/ws_acks.hpp"
#include "sidecar/push/ws/ws_devices.hpp"
#include "sidecar/push/ws/ws_letter_ids.hpp"
#include "sidecar/push/ws/ws_session.hpp"

namespace pushsync::push {

// The self-hosted push channel's devices: one WsSession per connected
// installation (a new connection replaces the old one), at most
// `max_connections` of them; api/ws_endpoint admits them (GET /v1/ws).
//
// The mailbox's own database thread stores letters, reads them for
// sessions that catch up and deletes acknowledged ones, in that one order
// (which is what keeps a device from getting a letter twice), and LISTENs
// for the ranges of letters other sidecars stored: one query fetches a
// range for every session connected here.
class WsHub : public WsDevices {
 public:
  using Letter = db::WsMailbox::Letter;

  WsHub(const config::Config& config, db::DbPool& api_db, metrics::Metrics& metrics, boost::asio::io_context& io,
        int max_connections);

  int max_connections() const override { return max_connections_; }
  boost::asio::awaitable<Admission> admit(const std::string& installation_id,
                                          const std::string& channel_secret) override;
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket connection, std::string installation_id,
                                     std::string channel_secret) override;
  // Stores letters in the mailbox (telling the other sidecars) and hands
  // them to the devices connected here; throws when the database fails.
  // `sweep`: delete expired letters as well.
  boost::asio::awaitable<void> store(std::vector<Letter> letters, Duration ttl, bool sweep);
  void close_all();

 private:
  void deliver(const std::vector<Letter>& letters);
  void notified(const db::Notification& notification);
  boost::asio::awaitable<void> fetch_notified();
  void recheck_all();
  void close_if_revoked(const db::WsRevocation& revocation);
  boost::asio::awaitable<void> close_all_revoked();
  boost::asio::awaitable<void> tick_sessions();
  bool closed() const { return closing_ && sessions_.empty(); }  // closing, and the last session has ended

  const config::Config& config_;
  db::DbPool& api_db_;
  metrics::Metrics& metrics_;
  boost::asio::any_io_executor executor_;
  db::InstallationStore store_;
  db::WsMailbox mailbox_;
  db::DbThread db_;
  WsAcks acks_;
  WsLetterIds letter_ids_;
  int max_connections_;
  int admitted_ = 0;  // handshakes accepted, sessions not yet ended
  struct Connected {
    std::shared_ptr<WsSession> session;
    std::string secret_sha256;  // of the channel secret it was admitted with
  };
  std::map<std::string, Connected> sessions_;
  std::optional<std::pair<std::int64_t, std::int64_t>> notified_range_;  // not fetched yet
  bool fetching_ = false;
  bool closing_ = false;
  std::vector<char> read_buffer_;  // every session's reads, one at a time
  boost::asio::steady_timer clock_;  // pings and timeouts of every session (tick_sessions)
};

}  // namespace pushsync::push
