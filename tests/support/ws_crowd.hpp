#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pushsync::test {

// Many WebSocket devices on one thread of their own (epoll), each
// acknowledging every frame the moment it arrives (as a fast phone would),
// so the sidecar's acknowledgements race its own write completions.
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
  // When each device got its pings, by installation.
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> pings() const;
  // Closes every connection.
  void close();

  struct Connection;  // one device's socket and what it received

 private:
  // One field of each device whose handshake was answered (`open`) or not, by installation.
  template <class T>
  std::map<std::string, T> by_device(bool open, T Connection::*field) const;
  // The crowd's thread: connects, then reads and acknowledges until close().
  void run(int port, int parallel, std::chrono::milliseconds wait);
  void handle(Connection& c, std::uint32_t events, int poller);
  void finish_handshake(Connection& c);
  void give_up(Connection& c);

  std::vector<std::unique_ptr<Connection>> connections_;
  int handshakes_ = 0;  // answered, failed or timed out
  mutable std::mutex mutex_;
  std::atomic<bool> stop_ = false;
  std::thread thread_;
};

}  // namespace pushsync::test
