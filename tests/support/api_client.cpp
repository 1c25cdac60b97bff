#include "tests/support/api_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace pushsync::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

std::string HttpReply::error_code() const {
  auto body_json = json();
  return body_json.is_object() && body_json.contains("error") ? body_json["error"].get<std::string>() : "";
}

HttpReply http_request(int port, const std::string& method, const std::string& target, const std::string& body,
                       const Headers& headers) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  http::read(stream, buffer, parser);
  HttpReply reply;
  reply.status = static_cast<int>(parser.get().result_int());
  reply.body = parser.get().body();
  for (const auto& field : parser.get()) reply.headers[std::string(field.name_string())] = std::string(field.value());
  return reply;
}

RawExchange raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds wait) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  timeval tv{static_cast<time_t>(wait.count() / 1000), static_cast<suseconds_t>((wait.count() % 1000) * 1000)};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  boost::system::error_code ec;
  if (!bytes.empty()) asio::write(socket, asio::buffer(bytes), ec);
  RawExchange exchange;
  char chunk[4096];
  for (;;) {
    std::size_t n = socket.read_some(asio::buffer(chunk), ec);
    if (ec) break;
    exchange.answer.append(chunk, n);
  }
  // A receive timeout is EAGAIN; the server closing is EOF or a reset.
  exchange.closed_by_server = ec == asio::error::eof || ec == asio::error::connection_reset;
  return exchange;
}

struct WsDevice::Connection {
  asio::io_context io;
  beast::websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
};

WsDevice::~WsDevice() = default;

WsDevice::WsDevice(int port, const std::string& installation, const std::string& secret, bool as_browser)
    : conn_(std::make_unique<Connection>()) {
  auto& ws = conn_->ws;
  beast::get_lowest_layer(ws).connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  ws.set_option(beast::websocket::stream_base::decorator([&](beast::websocket::request_type& request) {
    if (secret.empty()) return;
    if (as_browser)
      request.set(http::field::sec_websocket_protocol, "pushsync.v1, " + secret);
    else
      request.set(http::field::authorization, "Bearer " + secret);
  }));
  const std::string target = "/v1/ws?installationId=" + installation;
  boost::system::error_code ec;
  beast::websocket::response_type response;
  ws.handshake(response, "127.0.0.1", target, ec);
  if (!ec) {
    protocol_ = std::string(response[http::field::sec_websocket_protocol]);
    return;
  }
  // Beast keeps a refused handshake's response to itself: ask again plainly.
  Headers upgrade{{"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"},
                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  if (!secret.empty()) upgrade.emplace_back("Authorization", "Bearer " + secret);
  refused_with_ = http_request(port, "GET", target, "", upgrade).status;
  if (refused_with_ == 0 || refused_with_ == 101) refused_with_ = -1;  // refused, then accepted: a bug either way
}

void WsDevice::start_read() {
  if (reading_ || closed_) return;
  auto& buffer = conn_->buffer;
  reading_ = true;
  conn_->ws.async_read(buffer, [this, &buffer](boost::system::error_code ec, std::size_t) {
    reading_ = false;
    if (ec) {
      closed_ = true;
      return;
    }
    frames_.push_back(nlohmann::json::parse(beast::buffers_to_string(buffer.data()), nullptr, false));
    buffer.clear();
    start_read();
  });
}

void WsDevice::read_until(const std::function<bool()>& done, std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  start_read();
  while (!done() && !closed_ && std::chrono::steady_clock::now() < deadline) {
    conn_->io.restart();
    conn_->io.run_one_for(deadline - std::chrono::steady_clock::now());
  }
}

std::optional<nlohmann::json> WsDevice::next(std::chrono::milliseconds wait) {
  read_until([&] { return !frames_.empty(); }, wait);
  if (frames_.empty()) return std::nullopt;
  auto frame = std::move(frames_.front());
  frames_.pop_front();
  return frame;
}

void WsDevice::ack(std::int64_t seq) {
  bool done = false;
  std::string text = nlohmann::json{{"ack", seq}}.dump();
  conn_->ws.async_write(asio::buffer(text), [&](boost::system::error_code, std::size_t) { done = true; });
  while (!done) {
    conn_->io.restart();
    conn_->io.run_one();
  }
}

bool WsDevice::closed_by_server(std::chrono::milliseconds wait) {
  read_until([] { return false; }, wait);
  return closed_;
}

}  // namespace pushsync::test
