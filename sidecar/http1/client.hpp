#pragma once

#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "sidecar/http2/client.hpp"
#include "sidecar/http2/message.hpp"

namespace pushsync::http1 {

// HTTP/1.1 over TLS for servers without HTTP/2, with the same interface as
// http2::Client: up to `connections` keep-alive connections to one server,
// each carrying one request at a time. A connection that fails is dropped
// and its request answered connection_lost (the caller retries it); the
// next request opens a new one.
class Client {
 public:
  Client(boost::asio::any_io_executor ex, boost::asio::ssl::context tls, http2::ClientOptions options);
  ~Client();

  // One Result per request, in order.
  boost::asio::awaitable<std::vector<http2::Result>> send(std::vector<http2::Request> requests);
  void close();
  // Connections open now: idle, or carrying a request (for the console).
  std::size_t open_connections() const { return idle_.size() + lent_; }

 private:
  class Connection;
  boost::asio::awaitable<std::unique_ptr<Connection>> take_connection(std::string& why);
  // Sends requests[next++] until none are left, on one connection at a time.
  boost::asio::awaitable<int> worker(std::vector<http2::Request>& requests, std::vector<http2::Result>& results,
                                     std::size_t& next);

  boost::asio::any_io_executor ex_;
  boost::asio::ssl::context tls_;
  http2::ClientOptions options_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t lent_ = 0;  // taken by a worker
};

}  // namespace pushsync::http1
