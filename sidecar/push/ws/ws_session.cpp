#include "sidecar/push/ws/ws_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace pushsync::push {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

constexpr std::size_t max_client_message = 4096;

// The acknowledged seqs of {"ack": n} or {"ack": [n, ...]}; empty if not an ack.
std::vector<std::int64_t> acks_in(const std::string& text) {
  auto message = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::int64_t> out;
  if (!message.is_object() || !message.contains("ack")) return out;
  const auto& ack = message["ack"];
  if (ack.is_number_integer()) out.push_back(ack.get<std::int64_t>());
  if (ack.is_array())
    for (const auto& n : ack)
      if (n.is_number_integer()) out.push_back(n.get<std::int64_t>());
  return out;
}

}  // namespace

WsSession::WsSession(beast::tcp_stream stream, std::string installation_id, const config::Config& config,
                     db::DbPool& db)
    : ws_(std::move(stream)),
      installation_id_(std::move(installation_id)),
      config_(config),
      db_(db),
      mailbox_(config.database.schema),
      wake_(ws_.get_executor()) {}

asio::awaitable<void> WsSession::run(const api::Request& handshake) {
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = std::chrono::seconds(10);
  timeout.idle_timeout = config_.websocket.ping_interval * 2;
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  ws_.read_message_max(max_client_message);
  const bool browser = std::string_view(handshake[beast::http::field::sec_websocket_protocol]).starts_with("pushsync.v1");
  ws_.set_option(websocket::stream_base::decorator([browser](websocket::response_type& response) {
    response.set(beast::http::field::server, "pushsync");
    if (browser) response.set(beast::http::field::sec_websocket_protocol, "pushsync.v1");  // browsers require the echo
  }));
  boost::system::error_code ec;
  co_await ws_.async_accept(handshake, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || ended_) co_return;
  open_ = true;
  spdlog::info("ws: installation {} connected", installation_id_);
  asio::co_spawn(ws_.get_executor(), [self = shared_from_this()] { return self->read_loop(); }, asio::detached);
  co_await write_loop();
  spdlog::info("ws: installation {} disconnected", installation_id_);
}

void WsSession::new_mail() {
  mail_ = true;
  wake_.cancel();
}

void WsSession::close() {
  if (ended_) return;
  end();
  if (!open_) {  // still in the handshake: no close frame to send
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    return;
  }
  ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](boost::system::error_code) {});
}

void WsSession::end() {
  ended_ = true;
  wake_.cancel();
}

asio::awaitable<void> WsSession::write_loop() {
  while (!ended_) {
    if (mail_ && unacked_.size() < static_cast<std::size_t>(config_.websocket.max_unacked)) {
      if (!co_await send_mail()) break;
      continue;
    }
    // Pushes stored by this sidecar nudge the session at once; those stored
    // by another sidecar on the same database are found by this poll.
    wake_.expires_after(config_.websocket.ping_interval);
    boost::system::error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) mail_ = true;
  }
  end();
}

// Sends the next letters that fit the window; false when the connection failed.
asio::awaitable<bool> WsSession::send_mail() {
  mail_ = false;
  const int room = config_.websocket.max_unacked - static_cast<int>(unacked_.size());
  const std::int64_t after = sent_up_to_;
  std::vector<db::WsMailbox::Stored> letters;
  std::string error;
  try {
    letters = co_await db_.run([this, after, room](pqxx::connection& conn) {
      return mailbox_.pending(conn, installation_id_, after, room);
    });
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    spdlog::warn("ws: cannot read the mailbox of {}: {}; retrying in 1 s", installation_id_, error);
    mail_ = true;
    wake_.expires_after(std::chrono::seconds(1));
    boost::system::error_code ignored;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    co_return true;
  }
  if (static_cast<int>(letters.size()) == room) mail_ = true;
  for (const auto& letter : letters) {
    if (ended_) co_return false;
    // The stored frame is a JSON object: put "seq" first.
    std::string frame = "{\"seq\":" + std::to_string(letter.id) + (letter.frame.size() > 2 ? "," : "") +
                        letter.frame.substr(1);
    boost::system::error_code ec;
    co_await ws_.async_write(asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;
    sent_up_to_ = letter.id;
    unacked_.insert(letter.id);
  }
  co_return true;
}

asio::awaitable<void> WsSession::read_loop() {
  auto self = shared_from_this();
  beast::flat_buffer buffer;
  while (!ended_) {
    boost::system::error_code ec;
    buffer.clear();
    co_await ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    std::vector<std::int64_t> acked;
    for (auto seq : acks_in(beast::buffers_to_string(buffer.data())))
      if (unacked_.erase(seq)) acked.push_back(seq);
    if (acked.empty()) continue;
    try {
      auto acknowledge = [this, &acked](pqxx::connection& conn) {
        mailbox_.acknowledge(conn, installation_id_, acked);
        return true;
      };
      co_await db_.run(acknowledge);
    } catch (const std::exception& e) {
      // The letters stay in the mailbox and are sent again next connection.
      spdlog::warn("ws: cannot record acknowledgements of {}: {}", installation_id_, e.what());
    }
    wake_.cancel();  // the window has room again
  }
  end();
}

}  // namespace pushsync::push
