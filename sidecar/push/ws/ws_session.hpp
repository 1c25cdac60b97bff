#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "sidecar/config/config.hpp"
#include "sidecar/db/db_thread.hpp"
#include "sidecar/db/ws_mailbox.hpp"
#include "sidecar/push/ws/ws_acks.hpp"
#include "sidecar/push/ws/ws_devices.hpp"

namespace pushsync::push {

// One connected `ws` device. Sends the device its letters, each frame with
// a "seq" the device acknowledges with {"ack": seq}; an acknowledged letter
// is deleted from the mailbox. At most websocket.max_unacked letters are in
// flight, so a slow device costs bounded memory; unacknowledged ones are
// sent again on the next connection. Beast pings a silent device and drops
// it after two ping intervals.
//
// Letters arrive from memory (deliver(): stored by this sidecar, or read
// once for all its sessions when another sidecar notified them). The
// mailbox itself is read only to catch up: on connecting, after more
// letters came than the session holds, or when a notification may have
// been missed (recheck()). While it catches up, letters from memory are
// left to that read. Idle sessions cost the database nothing.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  using Letter = db::WsMailbox::Letter;

  WsSession(boost::asio::ip::tcp::socket socket, std::string installation_id, const config::Config& config,
            db::DbThread& db, const db::WsMailbox& mailbox, WsAcks& acks);

  // Completes the handshake, then serves until the connection ends.
  boost::asio::awaitable<void> run(WsHandshake handshake);
  // A letter for this device, stored in the mailbox.
  void deliver(const Letter& letter);
  // The mailbox may hold letters that were not delivered from memory.
  void recheck();
  // An acknowledged letter's deletion was committed: its slot is free.
  void deleted(std::int64_t id);
  // Ends the session with a close frame (replaced by a newer connection, or
  // the sidecar stops).
  void close();
  const std::string& installation_id() const { return installation_id_; }

 private:
  boost::asio::awaitable<bool> accept(WsHandshake handshake);
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<bool> catch_up();
  boost::asio::awaitable<bool> send(const Letter& letter);
  void acknowledge(std::int64_t seq);
  void missed(std::int64_t id);
  int room() const;
  void end();

  // On the socket itself: Beast's tcp_stream would add two timers per
  // device, and the WebSocket stream keeps its own for pings and timeouts.
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  std::string installation_id_;
  const config::Config& config_;
  db::DbThread& db_;
  const db::WsMailbox& mailbox_;
  WsAcks& acks_;
  boost::asio::steady_timer wake_;
  bool open_ = false;  // the handshake is done
  bool ended_ = false;
  // Catching up: the mailbox must be read from `cursor_` on (letters with
  // lower ids were sent, or are read again and skipped by `in_flight_`).
  bool behind_ = true;
  bool reading_ = false;  // a catch-up read is running
  std::int64_t cursor_ = 0;
  std::int64_t missed_below_ = std::numeric_limits<std::int64_t>::max();  // lowest id missed while reading
  std::vector<Letter> queue_;  // delivered from memory, not sent yet (a vector: an empty deque allocates)
  // Sent (or being written) and not yet deleted; true once acknowledged.
  std::map<std::int64_t, bool> in_flight_;
};

}  // namespace pushsync::push
