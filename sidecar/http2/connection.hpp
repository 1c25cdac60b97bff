#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sidecar/http2/client_session.hpp"
#include "sidecar/model/duration.hpp"

namespace pushsync::http2 {

// The words a connect failure ends with when the server speaks no HTTP/2:
// a caller that can fall back to HTTP/1.1 looks for them.
inline constexpr std::string_view no_h2 = "the server did not select h2";

struct Endpoint {
  std::string host;
  std::string port = "443";
  bool public_only = false;  // connect only to public addresses (http2/public_address)
  std::string authority() const { return port == "443" ? host : host + ":" + port; }
};

// A request in flight; answered by the connection or by its timeout.
struct Pending {
  explicit Pending(const boost::asio::any_io_executor& ex) : answered(ex) {}
  boost::asio::steady_timer answered;  // cancelled when `result` is set; expiring = timeout
  std::optional<Result> result;
  std::int32_t stream_id = 0;
};

// One TLS connection speaking HTTP/2 (ALPN h2): a ClientSession plus three
// small coroutines that pump bytes (read, write) and keep it alive (PING
// when idle, closed when the server stops answering).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::any_io_executor ex, boost::asio::ssl::context& tls, Endpoint endpoint, Duration ping_interval);

  // TCP connect, TLS handshake with hostname verification, ALPN h2 check,
  // all within `timeout`; then the pumps run. Throws std::runtime_error on failure.
  boost::asio::awaitable<void> open(Duration timeout);

  // Starts a request; co_await wait() for its answer.
  std::shared_ptr<Pending> submit(SharedRequest request, Duration timeout);
  boost::asio::awaitable<Result> wait(Pending& pending);  // `pending` must outlive the wait

  bool accepting() const { return !closed_ && session_.accepting(); }
  std::size_t load() const { return session_.in_flight(); }
  bool has_free_stream() const { return load() < session_.stream_limit(); }
  void close(const std::string& why);

 private:
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> keepalive_loop();
  void flush() { write_ready_.cancel(); }

  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  Endpoint endpoint_;
  ClientSession session_;
  boost::asio::steady_timer write_ready_;
  boost::asio::steady_timer keepalive_;
  Duration ping_interval_;
  std::chrono::steady_clock::time_point last_read_;
  bool closed_ = false;
};

}  // namespace pushsync::http2
