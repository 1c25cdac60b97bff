#pragma once

#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include "sidecar/api/api_tokens.hpp"
#include "sidecar/api/readiness.hpp"
#include "sidecar/api/routes.hpp"
#include "sidecar/config/config.hpp"
#include "sidecar/metrics/metrics.hpp"

namespace pushsync::api {

// HTTP/1.1 on http.listen, one coroutine per connection on the io_context.
// Refuses before any handler runs: unknown route (404), method (405), auth
// (401), body over max_body (413), headers over 16 KiB (431), anything not
// parseable as HTTP (400), connections beyond max_connections (503), any
// route but the health checks while the sidecar is not ready (503); a
// request must arrive whole within request_timeout (no slowloris).
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const config::HttpConfig& config, const ApiTokens& tokens,
             const Routes& routes, const Readiness& readiness, metrics::Metrics& metrics);

  // Binds; throws std::runtime_error naming the address when it cannot.
  void start();
  // Stops accepting and closes every HTTP connection.
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  // What the server reads a request with: 16 KiB of headers, http.max_body.
  void limit(boost::beast::http::request_parser<boost::beast::http::string_body>& parser) const;
  // The answer to one request; sets `route` to the matched route. A 101
  // from a route with an upgrade handler hands the connection over to it.
  // Public for the fuzz target of the API (fuzz/api_request_fuzz.cpp).
  boost::asio::awaitable<Response> dispatch(const Request& request, const Route*& route);

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<void> refuse(boost::asio::ip::tcp::socket socket);
  void authorize(Access access, const Request& request) const;
  boost::asio::awaitable<bool> write(boost::beast::tcp_stream& stream, const Response& response, unsigned version,
                                     bool keep_alive, const std::string& route);

  boost::asio::io_context& io_;
  const config::HttpConfig& config_;
  const ApiTokens& tokens_;
  const Routes& routes_;
  const Readiness& readiness_;
  metrics::Metrics& metrics_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_;  // while descriptors run out
  std::set<boost::beast::tcp_stream*> open_;
  bool stopping_ = false;
};

}  // namespace pushsync::api
