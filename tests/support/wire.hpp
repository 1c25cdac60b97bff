#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pushsync::test {

// What the tests' clients (api_client, ws_crowd) say on the wire, written
// here from the RFCs rather than with the sidecar's own code or a library:
// a client that shares the server's code cannot catch the server's
// mistakes, and Beast's WebSocket stream cost the tests' build 45 s of
// compiler time for a hundred lines of client.

using Headers = std::vector<std::pair<std::string, std::string>>;

// A TCP connection to 127.0.0.1:port, closed with the object.
class Socket {
 public:
  enum class Read { data, closed, timeout };

  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() { close(); }
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept;

  // Connects (blocking); throws std::runtime_error when refused.
  static Socket connect_to(int port);
  // Starts connecting without waiting (non-blocking socket); -1 when no socket could be made.
  static Socket start_connect(int port);

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  void close();
  // Writes every byte (waiting while the socket is full); false if the connection broke.
  bool send_all(std::string_view bytes) const;
  // Appends what arrives within `wait` to `into`.
  Read read_some(std::string& into, std::chrono::milliseconds wait) const;

 private:
  int fd_ = -1;
};

// An HTTP/1.1 response's head: the status, the headers as the server
// spelled them, and the size of the head (where the body starts).
struct ResponseHead {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::size_t size = 0;
  // A header's value by name, whatever its case ("" when absent).
  std::string header(std::string_view name) const;
};
// nullopt until the whole head has arrived.
std::optional<ResponseHead> parse_head(std::string_view bytes);

// The request line and headers of an HTTP/1.1 request (Host added).
std::string request_head(const std::string& method, const std::string& target, const Headers& headers);

// RFC 6455, a client's side.
inline constexpr std::uint8_t ws_text = 1, ws_close = 8, ws_ping = 9, ws_pong = 10;
// The handshake's Sec-WebSocket-Key (RFC 6455's example nonce) and the
// Sec-WebSocket-Accept a server must answer it with.
inline constexpr std::string_view ws_key = "dGhlIHNhbXBsZSBub25jZQ==";
std::string ws_accept_for(std::string_view key);
// The upgrade request to the channel for `installation`, with `credentials`
// (Authorization, or the browser's Sec-WebSocket-Protocol).
std::string ws_upgrade(const std::string& installation, const Headers& credentials);
// A frame to the server: FIN set, masked.
std::string ws_client_frame(std::uint8_t opcode, std::string_view payload);
struct ServerFrame {
  std::uint8_t opcode = 0;
  bool fin = true;
  std::string payload;
};
// Takes the first whole frame off `buffer` (server frames are not masked).
std::optional<ServerFrame> take_server_frame(std::string& buffer);

}  // namespace pushsync::test
