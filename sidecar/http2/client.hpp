#pragma once

#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "sidecar/http2/connection.hpp"
#include "sidecar/util/backoff.hpp"

namespace pushsync::http2 {

struct ClientOptions {
  Endpoint endpoint;
  int connections = 2;
  Duration request_timeout = std::chrono::seconds(10);
  Duration ping_interval = std::chrono::seconds(60);
  std::string name = "http2";  // for logs: "apns", "fcm"
};

// A small pool of HTTP/2 connections to one server. Connections are opened
// when first needed and reopened after failures with backoff. Requests fill
// the first connection up to the server's stream limit before the next one
// gets any (a batch on one connection goes out in fewer, fuller writes, for
// the sender and the server); the others carry the overflow and take over
// at once when a connection fails.
class Client {
 public:
  Client(boost::asio::any_io_executor ex, boost::asio::ssl::context tls, ClientOptions options);
  ~Client();

  // Sends every request concurrently; one Result per request, in order.
  // Requests the server refused without processing them (GOAWAY above its
  // last stream, REFUSED_STREAM) are resent on another connection.
  boost::asio::awaitable<std::vector<Result>> send(std::vector<Request> requests);

  void close();
  // Connections open now (for the console).
  std::size_t open_connections() const;
  const Endpoint& endpoint() const { return options_.endpoint; }

 private:
  struct Slot {
    std::shared_ptr<Connection> connection;
    int failures = 0;
    std::chrono::steady_clock::time_point retry_at{};
    bool connecting = false;
    std::string last_error;  // why the last connect failed
  };

  boost::asio::awaitable<void> connect_idle_slots();
  Connection* pick();

  boost::asio::any_io_executor ex_;
  boost::asio::ssl::context tls_;
  ClientOptions options_;
  std::vector<Slot> slots_;
  Backoff reconnect_;
};

}  // namespace pushsync::http2
