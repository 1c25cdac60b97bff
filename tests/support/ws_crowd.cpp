#include "tests/support/ws_crowd.hpp"

#include <atomic>
#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace pushsync::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

struct WsCrowd::Connection {
  explicit Connection(asio::io_context& io) : ws(io) {}
  beast::websocket::stream<beast::tcp_stream> ws;
  Device device;
  bool open = false;
  int refused_with = 0;
  std::vector<std::int64_t> seqs;
};

namespace {

asio::awaitable<void> serve(std::shared_ptr<WsCrowd::Connection> c, std::mutex& mutex) {
  beast::flat_buffer buffer;
  for (;;) {
    boost::system::error_code ec;
    buffer.clear();
    co_await c->ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    auto frame = nlohmann::json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
    if (!frame.is_object() || !frame.contains("seq")) continue;
    const auto seq = frame["seq"].get<std::int64_t>();
    {
      std::lock_guard lock(mutex);
      c->seqs.push_back(seq);
    }
    const std::string ack = "{\"ack\":" + std::to_string(seq) + "}";
    co_await c->ws.async_write(asio::buffer(ack), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

asio::awaitable<void> connect(std::shared_ptr<WsCrowd::Connection> c, int port, std::chrono::milliseconds wait,
                              std::mutex& mutex) {
  auto& stream = beast::get_lowest_layer(c->ws);
  stream.expires_after(wait);
  boost::system::error_code ec;
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
                                asio::redirect_error(asio::use_awaitable, ec));
  const std::string secret = c->device.secret;
  c->ws.set_option(beast::websocket::stream_base::decorator(
      [secret](beast::websocket::request_type& request) { request.set("Authorization", "Bearer " + secret); }));
  beast::websocket::response_type response;
  if (!ec)
    co_await c->ws.async_handshake(response, "127.0.0.1", "/v1/ws?installationId=" + c->device.installation,
                                   asio::redirect_error(asio::use_awaitable, ec));
  std::lock_guard lock(mutex);
  if (ec) {
    c->refused_with = static_cast<int>(response.result_int());
    co_return;
  }
  stream.expires_never();
  c->open = true;
}

}  // namespace

WsCrowd::WsCrowd(int port, const std::vector<Device>& devices, int parallel, std::chrono::milliseconds wait)
    : work_(io_.get_executor()) {
  // One thread: close() and the devices' reads and writes never run at once.
  thread_ = std::thread([this] { io_.run(); });
  std::promise<void> all_done;
  auto done = all_done.get_future();
  auto connect_all = [&]() -> asio::awaitable<void> {
    std::size_t next = 0;
    std::atomic<int> running = 0;
    asio::steady_timer tick(io_);
    while (next < devices.size() || running > 0) {
      while (next < devices.size() && running < parallel) {
        auto c = std::make_shared<Connection>(io_);
        c->device = devices[next++];
        {
          std::lock_guard lock(mutex_);
          connections_.push_back(c);
        }
        ++running;
        asio::co_spawn(io_, connect(c, port, wait, mutex_), [this, c, &running](std::exception_ptr) {
          --running;
          if (c->open) asio::co_spawn(io_, serve(c, mutex_), asio::detached);
        });
      }
      tick.expires_after(std::chrono::milliseconds(2));
      co_await tick.async_wait(asio::use_awaitable);
    }
    all_done.set_value();
  };
  asio::co_spawn(io_, connect_all(), asio::detached);
  done.wait();
}

WsCrowd::~WsCrowd() {
  close();
  work_.reset();
  io_.stop();
  thread_.join();
}

void WsCrowd::close() {
  std::promise<void> closed;
  auto done = closed.get_future();
  asio::post(io_, [&] {
    for (auto& c : connections_) {
      boost::system::error_code ignored;
      beast::get_lowest_layer(c->ws).socket().close(ignored);
    }
    closed.set_value();
  });
  done.wait();
}

int WsCrowd::connected() const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const auto& c : connections_) n += c->open ? 1 : 0;
  return n;
}

std::map<std::string, int> WsCrowd::refused() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, int> out;
  for (const auto& c : connections_)
    if (!c->open) out[c->device.installation] = c->refused_with;
  return out;
}

std::map<std::string, std::vector<std::int64_t>> WsCrowd::received() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::vector<std::int64_t>> out;
  for (const auto& c : connections_)
    if (c->open) out[c->device.installation] = c->seqs;
  return out;
}

std::size_t WsCrowd::frames() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& c : connections_) n += c->seqs.size();
  return n;
}

}  // namespace pushsync::test
