#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sidecar/config/config.hpp"
#include "sidecar/db/db_thread.hpp"
#include "sidecar/db/ws_mailbox.hpp"
#include "sidecar/model/duration.hpp"
#include "sidecar/push/ws/ws_acks.hpp"
#include "sidecar/push/ws/ws_frames.hpp"

namespace pushsync::push {

// One connected `ws` device, from its answered handshake on. Sends the
// device its letters, each frame with a "seq" the device acknowledges with
// {"ack": seq}; an acknowledged letter is deleted from the mailbox. At most
// websocket.max_unacked letters are in flight, so a slow device costs
// bounded memory; unacknowledged ones are sent again on the next connection.
//
// Letters arrive from memory (deliver(): stored by this sidecar, or read
// once for all its sessions when another sidecar notified them). The
// mailbox itself is read only to catch up: on connecting, after more
// letters came than the session holds, or when a notification may have
// been missed (recheck()). While it catches up, letters from memory are
// left to that read. Idle sessions cost the database nothing.
//
// An idle device costs a socket, this object and two waiting coroutines:
// reads wait for the socket to be readable and then use the hub's buffer;
// pings come from the hub's clock (tick()), not a timer per device.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  using Letter = db::WsMailbox::Letter;

  // `read_buffer` is shared by every session of one io_context (a read
  // never suspends while it uses it).
  WsSession(boost::asio::ip::tcp::socket socket, std::string installation_id, const config::Config& config,
            db::DbThread& db, const db::WsMailbox& mailbox, WsAcks& acks, std::span<char> read_buffer);

  // Serves the device until the connection ends.
  boost::asio::awaitable<void> run();
  // A letter for this device, stored in the mailbox (or being stored).
  void deliver(const Letter& letter);
  // The mailbox may hold letters that were not delivered from memory.
  void recheck();
  // An acknowledged letter's deletion was committed: its slot is free.
  void deleted(std::int64_t id);
  // Ends the session with a close frame (replaced by a newer connection, a
  // revoked secret, or the sidecar stops).
  void close();
  // Called about once a second: a device silent for its share of
  // websocket.ping_interval (half of it to all of it, so that devices heard
  // from at once are not all pinged at once) is pinged, one silent for two
  // intervals (or not reading what is written to it) is dropped, and a
  // closing one that does not answer within 2 s.
  void tick(Clock::time_point now);
  const std::string& installation_id() const { return installation_id_; }

 private:
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<bool> catch_up();
  boost::asio::awaitable<bool> send(const Letter& letter);
  boost::asio::awaitable<bool> write_control();
  bool may_write_control_now() const;
  bool idle() const;
  void write_now(const Letter& letter);
  void write_now(std::span<const boost::asio::const_buffer> buffers);
  template <typename Buffers>
  boost::asio::awaitable<bool> write(const Buffers& buffers);
  bool closing() const { return closing_since_ != Clock::time_point::max(); }
  void received(WsReader::Event& event);
  void send_control(WsOpcode opcode, const std::string& payload);
  void acknowledge(std::int64_t seq);
  void missed(std::int64_t id);
  int room() const;
  void end();
  void drop();

  boost::asio::ip::tcp::socket socket_;
  std::string installation_id_;
  const config::Config& config_;
  db::DbThread& db_;
  const db::WsMailbox& mailbox_;
  WsAcks& acks_;
  std::span<char> read_buffer_;
  WsReader reader_;
  boost::asio::steady_timer wake_;
  Duration ping_after_;  // of silence (see silence_before_ping)
  Clock::time_point last_heard_;
  Clock::time_point writing_since_ = Clock::time_point::max();  // while a write is under way
  Clock::time_point closing_since_ = Clock::time_point::max();  // once a close frame is queued
  bool pinged_ = false;
  bool ended_ = false;
  std::string unsent_;   // the part of a frame written at once that the socket did not take
  std::string control_;  // control frames (pong, ping, close) waiting to be written, whole
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
