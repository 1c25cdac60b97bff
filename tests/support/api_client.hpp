#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/wire.hpp"

namespace pushsync::test {

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string error_code() const;  // the "error" of a JSON error body
};

// One HTTP/1.1 request over a fresh connection (closed after the answer).
HttpReply http_request(int port, const std::string& method, const std::string& target, const std::string& body = "",
                       const Headers& headers = {});

// Sends `bytes` as they are and reads what the server answers until it
// closes the connection or `wait` passes.
struct RawExchange {
  std::string answer;
  bool closed_by_server = false;
};
RawExchange raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds wait = std::chrono::seconds(10));

// A WebSocket device: connects to /v1/ws as `installation` with `secret`.
class WsDevice {
 public:
  // `as_browser`: the secret goes in Sec-WebSocket-Protocol, as browsers must send it.
  WsDevice(int port, const std::string& installation, const std::string& secret, bool as_browser = false);
  ~WsDevice();
  // The subprotocol the server selected.
  std::string protocol() const { return protocol_; }
  // The HTTP status of a refused handshake (0 when it was accepted).
  int refused_with() const { return refused_with_; }
  // The next frame, or nullopt when none arrives within `wait`.
  std::optional<nlohmann::json> next(std::chrono::milliseconds wait = std::chrono::seconds(10));
  void ack(std::int64_t seq);
  // Whether the server closed the connection (within `wait`).
  bool closed_by_server(std::chrono::milliseconds wait);

 private:
  // Reads frames until `done`, the connection closes, or `wait` passes.
  void read_until(const std::function<bool()>& done, std::chrono::milliseconds wait);
  // Handles the whole frames read so far: messages to frames_, pings answered.
  void take_frames();

  Socket socket_;
  std::string in_;       // bytes read and not yet a whole frame
  std::string message_;  // a fragmented message being gathered
  std::deque<nlohmann::json> frames_;
  bool closed_ = false;
  int refused_with_ = 0;
  std::string protocol_;
};

}  // namespace pushsync::test
