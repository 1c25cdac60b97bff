#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "sidecar/api/response.hpp"
#include "sidecar/config/config.hpp"
#include "sidecar/db/db_pool.hpp"
#include "sidecar/db/ws_mailbox.hpp"

namespace pushsync::push {

// One connected `ws` device. Sends the device's mailbox in order, each frame
// with a "seq" the device acknowledges with {"ack": seq}; an acknowledged
// frame is deleted. At most websocket.max_unacked frames are in flight, so a
// slow device costs bounded memory; unacknowledged ones are sent again on
// the next connection. Beast pings a silent device and drops it after two
// ping intervals.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(boost::beast::tcp_stream stream, std::string installation_id, const config::Config& config,
            db::DbPool& db);

  // Completes the handshake, then serves until the connection ends.
  boost::asio::awaitable<void> run(const api::Request& handshake);
  // New letters may be in the mailbox.
  void new_mail();
  // Ends the session with a close frame (replaced by a newer connection, or
  // the sidecar stops).
  void close();
  const std::string& installation_id() const { return installation_id_; }

 private:
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<bool> send_mail();
  void end();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  std::string installation_id_;
  const config::Config& config_;
  db::DbPool& db_;
  db::WsMailbox mailbox_;
  boost::asio::steady_timer wake_;
  bool mail_ = true;  // the mailbox may hold letters not sent yet
  bool open_ = false;  // the handshake is done
  bool ended_ = false;
  std::int64_t sent_up_to_ = 0;
  std::set<std::int64_t> unacked_;
};

}  // namespace pushsync::push
