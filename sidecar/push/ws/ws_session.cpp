#include "sidecar/push/ws/ws_session.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "sidecar/push/ws/device_message.hpp"

namespace pushsync::push {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto close_wait = std::chrono::seconds(2);

// How long a device may be silent before it is pinged: between half and the
// whole of ping_interval, the same for one device, spread across devices.
// After a broadcast every device was heard from at once, and pinging all of
// them in one tick held the sidecar's thread and every device for hundreds
// of milliseconds (19,500 pings, then their pongs) once per interval.
Duration silence_before_ping(Duration interval, const std::string& installation_id) {
  const auto half = interval / 2;
  if (half.count() <= 0) return interval;
  const auto spread = std::hash<std::string>{}(installation_id) % static_cast<std::size_t>(half.count());
  return half + Duration(static_cast<Duration::rep>(spread));
}

// The bytes of `buffers` from `offset` on, as one string.
std::string bytes_from(std::span<const asio::const_buffer> buffers, std::size_t offset) {
  std::string out;
  for (const auto& b : buffers) {
    const std::string_view bytes(static_cast<const char*>(b.data()), b.size());
    if (offset < bytes.size()) out.append(bytes.substr(offset));
    offset -= std::min(offset, bytes.size());
  }
  return out;
}

// A letter's frame, written from the letter itself: the stored frame is a
// JSON object, so "seq" goes first and the rest follows as it is.
class LetterFrame {
 public:
  explicit LetterFrame(const db::WsMailbox::Letter& letter) {
    const std::string_view rest = std::string_view(letter.frame).substr(1);
    const int seq_size = std::snprintf(seq_.data(), seq_.size(), "{\"seq\":%lld%s",
                                       static_cast<long long>(letter.id), rest.size() > 1 ? "," : "");
    header_ = ws_frame_header(WsOpcode::text, static_cast<std::size_t>(seq_size) + rest.size());
    buffers_ = {asio::buffer(header_.bytes.data(), header_.size),
                asio::buffer(seq_.data(), static_cast<std::size_t>(seq_size)), asio::buffer(rest.data(), rest.size())};
  }
  LetterFrame(const LetterFrame&) = delete;
  LetterFrame& operator=(const LetterFrame&) = delete;

  const std::array<asio::const_buffer, 3>& buffers() const { return buffers_; }

 private:
  std::array<char, 32> seq_{};
  WsFrameHeader header_;
  std::array<asio::const_buffer, 3> buffers_;
};

}  // namespace

WsSession::WsSession(tcp::socket socket, std::string installation_id, const config::Config& config, db::DbThread& db,
                     const db::WsMailbox& mailbox, WsAcks& acks, std::span<char> read_buffer)
    : socket_(std::move(socket)),
      installation_id_(std::move(installation_id)),
      config_(config),
      db_(db),
      mailbox_(mailbox),
      acks_(acks),
      read_buffer_(read_buffer),
      reader_(max_device_message),
      wake_(socket_.get_executor(), asio::steady_timer::time_point::max()),
      ping_after_(silence_before_ping(config.websocket.ping_interval, installation_id_)),
      last_heard_(Clock::now()) {}

asio::awaitable<void> WsSession::run() {
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);  // reads drain what is there, then wait again
  socket_.set_option(tcp::no_delay(true), ec);
  spdlog::debug("ws: installation {} connected", installation_id_);
  asio::co_spawn(socket_.get_executor(), [self = shared_from_this()] { return self->read_loop(); }, asio::detached);
  co_await write_loop();
  spdlog::debug("ws: installation {} disconnected", installation_id_);
}

void WsSession::deliver(const Letter& letter) {
  if (ended_ || closing()) return;
  if (behind_ || reading_) return missed(letter.id);
  if (idle()) return write_now(letter);
  if (queue_.size() >= static_cast<std::size_t>(config_.websocket.max_unacked)) {
    // More than the window holds: drop them and read them back later.
    missed(std::min(queue_.front().id, letter.id));
    queue_.clear();
    return;
  }
  queue_.push_back(letter);
  wake_.cancel();
}

// Nothing waits to be written before a control frame, and no write is
// under way; for a letter, the device's window has room as well. The frame
// is then written here, without waking the write loop (a broadcast writes
// to each device in turn, and pings come to many devices each second: the
// loop's wakeup cost as much as the write).
bool WsSession::may_write_control_now() const {
  return control_.empty() && unsent_.empty() && writing_since_ == Clock::time_point::max();
}

bool WsSession::idle() const { return may_write_control_now() && queue_.empty() && room() > 0; }

void WsSession::write_now(const Letter& letter) {
  if (!in_flight_.emplace(letter.id, false).second) return;
  const LetterFrame frame(letter);
  write_now(frame.buffers());
}

// What the socket does not take at once is left to the write loop.
void WsSession::write_now(std::span<const asio::const_buffer> buffers) {
  boost::system::error_code ec;
  const std::size_t written = socket_.write_some(buffers, ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return drop();
  if (written == asio::buffer_size(buffers)) return;
  unsent_ = bytes_from(buffers, written);
  wake_.cancel();
}

void WsSession::recheck() {
  if (ended_) return;
  missed(queue_.empty() ? cursor_ + 1 : queue_.front().id);
  queue_.clear();
}

// A letter with this id (or later ones) must come from a mailbox read.
void WsSession::missed(std::int64_t id) {
  behind_ = true;
  if (reading_)
    missed_below_ = std::min(missed_below_, id);
  else
    cursor_ = std::min(cursor_, id - 1);
  wake_.cancel();
}

void WsSession::deleted(std::int64_t id) {
  in_flight_.erase(id);
  wake_.cancel();
}

void WsSession::close() { send_control(WsOpcode::close, ws_close_payload(ws_going_away)); }

void WsSession::tick(Clock::time_point now) {
  if (ended_) return;
  const Duration interval = config_.websocket.ping_interval;
  if (now - closing_since_ > close_wait) return drop();     // no answer to our close frame
  if (now - writing_since_ > 2 * interval) return drop();   // the device stopped reading
  if (now - last_heard_ > 2 * interval) return drop();      // nothing heard, pings unanswered
  if (now - last_heard_ >= ping_after_ && !pinged_) {
    pinged_ = true;
    send_control(WsOpcode::ping, "");
  }
}

void WsSession::end() {
  ended_ = true;
  wake_.cancel();
}

// Ends at once: pending reads and writes complete with an error.
void WsSession::drop() {
  end();
  boost::system::error_code ignored;
  socket_.close(ignored);
}

// Control frames go out before letters; nothing follows a close frame.
void WsSession::send_control(WsOpcode opcode, const std::string& payload) {
  if (ended_ || closing()) return;
  const auto header = ws_frame_header(opcode, payload.size());
  // A close frame goes through the write loop, which shuts the socket down after it.
  if (opcode != WsOpcode::close && may_write_control_now()) {
    const std::array<asio::const_buffer, 2> frame{asio::buffer(header.bytes.data(), header.size), asio::buffer(payload)};
    return write_now(frame);
  }
  control_.append(header.bytes.data(), header.size).append(payload);
  if (opcode == WsOpcode::close) closing_since_ = Clock::now();
  wake_.cancel();
}

int WsSession::room() const { return config_.websocket.max_unacked - static_cast<int>(in_flight_.size()); }

asio::awaitable<void> WsSession::write_loop() {
  while (!ended_) {
    if (!unsent_.empty()) {  // the rest of a frame written at once (write_now)
      const std::string tail = std::move(unsent_);
      unsent_.clear();
      if (!co_await write(asio::buffer(tail))) break;
      continue;
    }
    if (!control_.empty()) {
      if (!co_await write_control()) break;
      continue;
    }
    const bool open = !closing();
    if (open && room() > 0 && !queue_.empty()) {
      Letter letter = std::move(queue_.front());
      queue_.erase(queue_.begin());
      if (!co_await send(letter)) break;
      continue;
    }
    if (open && room() > 0 && behind_) {
      if (!co_await catch_up()) break;
      continue;
    }
    wake_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ignored;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  drop();
}

// Writes the waiting control frames; after a close frame, the device's
// answer (its close, then the end of the connection) ends the session.
asio::awaitable<bool> WsSession::write_control() {
  const std::string frames = std::move(control_);
  control_.clear();
  if (!co_await write(asio::buffer(frames))) co_return false;
  boost::system::error_code ec;
  if (closing()) socket_.shutdown(tcp::socket::shutdown_send, ec);
  co_return !ec;
}

// Writes whole; tick() drops a device that keeps a write waiting too long.
template <typename Buffers>
asio::awaitable<bool> WsSession::write(const Buffers& buffers) {
  writing_since_ = Clock::now();
  boost::system::error_code ec;
  co_await asio::async_write(socket_, buffers, asio::redirect_error(asio::use_awaitable, ec));
  writing_since_ = Clock::time_point::max();
  co_return !ec;
}

// Reads the next letters from the mailbox; false when the connection failed.
asio::awaitable<bool> WsSession::catch_up() {
  behind_ = false;
  reading_ = true;
  // Letters still in flight may come back: read enough to skip them.
  const int limit = room() + static_cast<int>(in_flight_.size());
  const std::int64_t after = cursor_;
  std::vector<Letter> letters;
  std::string error;
  try {
    auto read = [this, after, limit](pqxx::connection& conn) {
      return mailbox_.pending(conn, installation_id_, after, limit);
    };
    letters = co_await db_.run(read);
  } catch (const std::exception& e) {
    error = e.what();
  }
  reading_ = false;
  if (!error.empty()) {
    spdlog::warn("ws: cannot read the mailbox of {}: {}; retrying in 1 s", installation_id_, error);
    behind_ = true;
    wake_.expires_after(std::chrono::seconds(1));
    boost::system::error_code ignored;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    co_return !ended_;
  }
  if (static_cast<int>(letters.size()) == limit) behind_ = true;
  cursor_ = std::min(letters.empty() ? after : letters.back().id, missed_below_ - 1);
  missed_below_ = std::numeric_limits<std::int64_t>::max();
  for (const auto& letter : letters)
    if (!co_await send(letter)) co_return false;
  co_return true;
}

// Writes one letter unless it is in flight already; false when the connection failed.
asio::awaitable<bool> WsSession::send(const Letter& letter) {
  if (ended_) co_return false;
  // In flight before the write: the device may acknowledge it before the
  // write's completion runs.
  if (!in_flight_.emplace(letter.id, false).second) co_return true;
  const LetterFrame frame(letter);
  co_return co_await write(frame.buffers());
}

void WsSession::acknowledge(std::int64_t seq) {
  auto it = in_flight_.find(seq);
  if (it == in_flight_.end() || it->second) return;  // not ours, or acknowledged already
  it->second = true;
  acks_.add(shared_from_this(), seq);
}

void WsSession::received(WsReader::Event& event) {
  using Kind = WsReader::Event::Kind;
  switch (event.kind) {
    case Kind::message:
      for (auto seq : acks_in(event.payload)) acknowledge(seq);
      break;
    case Kind::ping:
      send_control(WsOpcode::pong, event.payload);
      break;
    case Kind::pong:
      break;
    case Kind::close:
      // Its close answers ours, or asks for one back (with its code).
      if (closing()) return end();
      send_control(WsOpcode::close, event.code == ws_no_status ? "" : ws_close_payload(event.code));
      break;
    case Kind::violation:
      send_control(WsOpcode::close, ws_close_payload(event.code));
      break;
  }
}

// Waits for the socket to be readable, then reads what is there into the
// shared buffer and handles it before waiting again.
asio::awaitable<void> WsSession::read_loop() {
  auto self = shared_from_this();
  while (!ended_) {
    boost::system::error_code ec;
    co_await socket_.async_wait(tcp::socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || ended_) break;
    const std::size_t n = socket_.read_some(asio::buffer(read_buffer_.data(), read_buffer_.size()), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
    if (ec) break;  // the end of the connection included
    last_heard_ = Clock::now();
    pinged_ = false;
    std::vector<WsReader::Event> events;  // freed before the next wait
    reader_.feed(std::string_view(read_buffer_.data(), n), events);
    for (auto& event : events) received(event);
  }
  end();
}

}  // namespace pushsync::push
