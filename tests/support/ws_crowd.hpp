#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>

namespace pushsync::test {

// Many WebSocket devices on one thread of their own, each acknowledging
// every frame the moment it arrives (as a fast phone would), so the
// sidecar's acknowledgements race its own write completions.
class WsCrowd {
 public:
  struct Device {
    std::string installation;
    std::string secret;
  };
  // Connects every device (at most `parallel` handshakes at a time) and
  // returns when each handshake was answered, failed or took `wait`.
  WsCrowd(int port, const std::vector<Device>& devices, int parallel = 64,
          std::chrono::milliseconds wait = std::chrono::seconds(10));
  ~WsCrowd();
  WsCrowd(const WsCrowd&) = delete;
  WsCrowd& operator=(const WsCrowd&) = delete;

  int connected() const;
  // The HTTP status each refused handshake got (0: no answer), by installation.
  std::map<std::string, int> refused() const;
  // The seqs each connected device received, in order.
  std::map<std::string, std::vector<std::int64_t>> received() const;
  std::size_t frames() const;
  // Closes every connection.
  void close();

  struct Connection;  // one device's socket and what it received

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::shared_ptr<Connection>> connections_;
  mutable std::mutex mutex_;
  std::thread thread_;
};

}  // namespace pushsync::test
