#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pushsync::push {

// RFC 6455 framing as the server of the WebSocket channel speaks it: no
// extensions, frames from devices masked, frames to devices not. The
// channel keeps it to this file, not a WebSocket library: a library's
// stream held 4 KB per connected device (its read buffer and pending
// operations), most of an idle device's memory.

enum class WsOpcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Close codes the server sends, and 1005: a device closed without one.
inline constexpr std::uint16_t ws_going_away = 1001, ws_protocol_error = 1002, ws_no_status = 1005,
                               ws_too_big = 1009;

// The header of a server frame (FIN set, unmasked) carrying `size` bytes.
struct WsFrameHeader {
  std::array<char, 10> bytes{};
  std::size_t size = 0;
};
WsFrameHeader ws_frame_header(WsOpcode opcode, std::size_t size);

// A close frame's payload: the code, big-endian.
std::string ws_close_payload(std::uint16_t code);

// Sec-WebSocket-Accept for a handshake's Sec-WebSocket-Key.
std::string ws_accept_key(std::string_view key);

// What a device's bytes say, read as they come: whole messages (a
// fragmented one gathered), pings, pongs, a close, or a violation that ends
// the connection (a protocol error, a message over `max_message`). After a
// close or a violation, further bytes are ignored.
class WsReader {
 public:
  struct Event {
    enum class Kind { message, ping, pong, close, violation };
    Kind kind;
    std::string payload;    // the message, the ping's or pong's bytes
    std::uint16_t code = 0; // close: the device's code (1005 if none); violation: the code to close with
  };

  explicit WsReader(std::size_t max_message) : max_message_(max_message) {}

  // Appends the events `bytes` complete to `out`.
  void feed(std::string_view bytes, std::vector<Event>& out);

 private:
  // Reads whole frames from `data`; returns the bytes read.
  std::size_t read_frames(std::string_view data, std::vector<Event>& out);
  void violation(std::uint16_t code, std::vector<Event>& out);

  std::size_t max_message_;
  std::string partial_;  // the start of a frame whose bytes have not all come (usually empty)
  std::string message_;  // a fragmented message being gathered
  bool in_message_ = false;
  bool done_ = false;
};

}  // namespace pushsync::push
