#include "sidecar/push/ws/ws_session.hpp"

#include <algorithm>
#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "sidecar/push/ws/device_message.hpp"

namespace pushsync::push {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

WsSession::WsSession(asio::ip::tcp::socket socket, std::string installation_id, const config::Config& config,
                     db::DbThread& db, const db::WsMailbox& mailbox, WsAcks& acks)
    : ws_(std::move(socket)),
      installation_id_(std::move(installation_id)),
      config_(config),
      db_(db),
      mailbox_(mailbox),
      acks_(acks),
      wake_(ws_.get_executor(), asio::steady_timer::time_point::max()) {}

asio::awaitable<void> WsSession::run(WsHandshake handshake) {
  if (!co_await accept(std::move(handshake))) co_return;
  open_ = true;
  spdlog::debug("ws: installation {} connected", installation_id_);
  asio::co_spawn(ws_.get_executor(), [self = shared_from_this()] { return self->read_loop(); }, asio::detached);
  co_await write_loop();
  spdlog::debug("ws: installation {} disconnected", installation_id_);
}

// The handshake's request is freed once accepted (a coroutine of its own:
// a device's connection lives for hours).
asio::awaitable<bool> WsSession::accept(WsHandshake handshake) {
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = std::chrono::seconds(10);
  timeout.idle_timeout = config_.websocket.ping_interval * 2;
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  ws_.read_message_max(max_device_message);
  const bool browser = std::string_view(handshake[beast::http::field::sec_websocket_protocol]).starts_with("pushsync.v1");
  ws_.set_option(websocket::stream_base::decorator([browser](websocket::response_type& response) {
    response.set(beast::http::field::server, "pushsync");
    if (browser) response.set(beast::http::field::sec_websocket_protocol, "pushsync.v1");  // browsers require the echo
  }));
  boost::system::error_code ec;
  co_await ws_.async_accept(handshake, asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec && !ended_;
}

void WsSession::deliver(const Letter& letter) {
  if (ended_) return;
  if (behind_ || reading_) return missed(letter.id);
  if (queue_.size() >= static_cast<std::size_t>(config_.websocket.max_unacked)) {
    // More than the window holds: drop them and read them back later.
    missed(std::min(queue_.front().id, letter.id));
    queue_.clear();
    return;
  }
  queue_.push_back(letter);
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

void WsSession::close() {
  if (ended_) return;
  end();
  if (!open_) {  // still in the handshake: no close frame to send
    boost::system::error_code ignored;
    ws_.next_layer().close(ignored);
    return;
  }
  ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](boost::system::error_code) {});
}

void WsSession::end() {
  ended_ = true;
  wake_.cancel();
}

int WsSession::room() const { return config_.websocket.max_unacked - static_cast<int>(in_flight_.size()); }

asio::awaitable<void> WsSession::write_loop() {
  while (!ended_) {
    if (room() > 0 && !queue_.empty()) {
      Letter letter = std::move(queue_.front());
      queue_.erase(queue_.begin());
      if (!co_await send(letter)) break;
      continue;
    }
    if (room() > 0 && behind_) {
      if (!co_await catch_up()) break;
      continue;
    }
    wake_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ignored;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  end();
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
  // The stored frame is a JSON object: put "seq" first.
  std::string frame = "{\"seq\":" + std::to_string(letter.id) + (letter.frame.size() > 2 ? "," : "") +
                      letter.frame.substr(1);
  boost::system::error_code ec;
  co_await ws_.async_write(asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

void WsSession::acknowledge(std::int64_t seq) {
  auto it = in_flight_.find(seq);
  if (it == in_flight_.end() || it->second) return;  // not ours, or acknowledged already
  it->second = true;
  acks_.add(shared_from_this(), seq);
}

// A device's messages are acknowledgements of a few bytes, read into a
// small buffer of this coroutine: a dynamic buffer would hold 1.5 KB per
// idle device, since a read is always waiting. A message longer than the
// buffer is gathered on the heap until it is whole.
asio::awaitable<void> WsSession::read_loop() {
  auto self = shared_from_this();
  std::array<char, 128> chunk{};
  std::string longer;
  while (!ended_) {
    boost::system::error_code ec;
    const std::size_t n =
        co_await ws_.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    const std::string_view read(chunk.data(), n);
    if (longer.empty() && ws_.is_message_done()) {
      for (auto seq : acks_in(read)) acknowledge(seq);
      continue;
    }
    longer.append(read);
    if (!ws_.is_message_done()) continue;
    for (auto seq : acks_in(longer)) acknowledge(seq);
    std::string().swap(longer);
  }
  end();
}

}  // namespace pushsync::push
