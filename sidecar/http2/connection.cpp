#include "sidecar/http2/connection.hpp"

#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>

#include "sidecar/http2/public_address.hpp"

namespace pushsync::http2 {

namespace asio = boost::asio;
using asio::use_awaitable;
using boost::system::error_code;

namespace {

auto with(error_code& ec) { return asio::redirect_error(use_awaitable, ec); }

}  // namespace

Connection::Connection(asio::any_io_executor ex, asio::ssl::context& tls, Endpoint endpoint, Duration ping_interval)
    : stream_(ex, tls),
      endpoint_(std::move(endpoint)),
      session_(endpoint_.authority()),
      write_ready_(ex),
      keepalive_(ex),
      ping_interval_(ping_interval) {}

asio::awaitable<void> Connection::open(Duration timeout) {
  // A server that takes the TCP connection but never finishes the
  // handshake (or an address that drops SYNs) must not hold the caller.
  enum class Opening { connecting, opened, timed_out };
  auto state = std::make_shared<Opening>(Opening::connecting);
  asio::steady_timer deadline(stream_.get_executor());
  deadline.expires_after(timeout);
  deadline.async_wait([self = shared_from_this(), state](error_code ec) {
    if (ec || *state != Opening::connecting) return;
    *state = Opening::timed_out;
    error_code ignored;
    self->stream_.lowest_layer().close(ignored);
  });
  auto fail = [&](const std::string& step, const std::string& why) {
    closed_ = true;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    return std::runtime_error(step + " " + endpoint_.authority() + ": " +
                              (*state == Opening::timed_out ? "no answer within " + std::to_string(ms) + " ms" : why));
  };
  error_code ec;
  asio::ip::tcp::resolver resolver(stream_.get_executor());
  auto resolved = co_await resolver.async_resolve(endpoint_.host, endpoint_.port, with(ec));
  if (ec) throw fail("cannot resolve", ec.message());
  auto addresses = usable_endpoints(resolved, endpoint_.public_only);
  if (addresses.empty()) throw fail("refused to connect to", std::string(refused_address));
  co_await asio::async_connect(stream_.lowest_layer(), addresses, with(ec));
  if (ec) throw fail("cannot connect to", ec.message());
  stream_.lowest_layer().set_option(asio::ip::tcp::no_delay(true));
  SSL_set_tlsext_host_name(stream_.native_handle(), endpoint_.host.c_str());
  stream_.set_verify_callback(asio::ssl::host_name_verification(endpoint_.host));
  co_await stream_.async_handshake(asio::ssl::stream_base::client, with(ec));
  if (ec) throw fail("TLS handshake failed with", ec.message());
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(stream_.native_handle(), &alpn, &alpn_len);
  if (std::string_view(reinterpret_cast<const char*>(alpn), alpn_len) != "h2")
    throw fail("no HTTP/2 (ALPN h2) at", std::string(no_h2));
  *state = Opening::opened;
  deadline.cancel();

  last_read_ = std::chrono::steady_clock::now();
  auto self = shared_from_this();
  asio::co_spawn(stream_.get_executor(), [self] { return self->read_loop(); }, asio::detached);
  asio::co_spawn(stream_.get_executor(), [self] { return self->write_loop(); }, asio::detached);
  asio::co_spawn(stream_.get_executor(), [self] { return self->keepalive_loop(); }, asio::detached);
}

std::shared_ptr<Pending> Connection::submit(SharedRequest request, Duration timeout) {
  auto pending = std::make_shared<Pending>(stream_.get_executor());
  pending->answered.expires_after(timeout);
  pending->stream_id = session_.submit(std::move(request), [pending](Result result) {
    pending->result = std::move(result);
    pending->answered.cancel();
  });
  flush();
  return pending;
}

asio::awaitable<Result> Connection::wait(Pending& pending) {
  if (!pending.result) {
    error_code ec;
    co_await pending.answered.async_wait(with(ec));
  }
  if (!pending.result) {  // the timer ran out: give up on the stream
    session_.cancel(pending.stream_id);
    flush();
  }
  co_return std::move(*pending.result);
}

void Connection::close(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  session_.fail_all(Failure::connection_lost, why);
  error_code ignored;
  stream_.lowest_layer().close(ignored);
  write_ready_.cancel();
  keepalive_.cancel();
}

asio::awaitable<void> Connection::read_loop() {
  std::array<std::uint8_t, 16384> buffer;
  while (!closed_) {
    error_code ec;
    auto n = co_await stream_.async_read_some(asio::buffer(buffer), with(ec));
    if (ec) {
      close(ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ? "closed by the server"
                                                                                : ec.message());
      co_return;
    }
    last_read_ = std::chrono::steady_clock::now();
    if (!session_.receive({buffer.data(), n})) {
      close("HTTP/2 protocol error");
      co_return;
    }
    flush();  // SETTINGS ACK, WINDOW_UPDATE, PING ACK, queued requests
    if (session_.finished()) close("closed by the server (GOAWAY)");
  }
}

asio::awaitable<void> Connection::write_loop() {
  std::string out;
  while (!closed_) {
    out.clear();
    if (!session_.take_output(out)) {
      close("HTTP/2 protocol error");
      co_return;
    }
    error_code ec;
    if (out.empty()) {
      write_ready_.expires_at(asio::steady_timer::time_point::max());
      co_await write_ready_.async_wait(with(ec));
      continue;
    }
    co_await asio::async_write(stream_, asio::buffer(out), with(ec));
    if (ec) close(ec.message());
  }
}

asio::awaitable<void> Connection::keepalive_loop() {
  while (!closed_) {
    keepalive_.expires_after(ping_interval_);
    error_code ec;
    co_await keepalive_.async_wait(with(ec));
    if (closed_) co_return;
    if (std::chrono::steady_clock::now() - last_read_ > 2 * ping_interval_) {
      close("no answer to PING");
      co_return;
    }
    if (session_.in_flight() == 0) {
      session_.ping();
      flush();
    }
  }
}

}  // namespace pushsync::http2
