#include "sidecar/push/ws/ws_frames.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace pushsync::push {

namespace {

std::uint64_t big_endian(std::string_view bytes) {
  std::uint64_t n = 0;
  for (unsigned char c : bytes) n = (n << 8) | c;
  return n;
}

bool is_control(std::uint8_t opcode) { return (opcode & 0x8) != 0; }

bool known(std::uint8_t opcode) {
  switch (static_cast<WsOpcode>(opcode)) {
    case WsOpcode::continuation:
    case WsOpcode::text:
    case WsOpcode::binary:
    case WsOpcode::close:
    case WsOpcode::ping:
    case WsOpcode::pong:
      return true;
  }
  return false;
}

}  // namespace

WsFrameHeader ws_frame_header(WsOpcode opcode, std::size_t size) {
  WsFrameHeader h;
  h.bytes[0] = static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));
  if (size < 126) {
    h.bytes[1] = static_cast<char>(size);
    h.size = 2;
  } else if (size <= 0xFFFF) {
    h.bytes[1] = 126;
    h.size = 4;
  } else {
    h.bytes[1] = 127;
    h.size = 10;
  }
  for (std::size_t i = 0; i + 2 < h.size; ++i) h.bytes[h.size - 1 - i] = static_cast<char>((size >> (8 * i)) & 0xFF);
  return h;
}

std::string ws_close_payload(std::uint16_t code) {
  return {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
}

std::string ws_accept_key(std::string_view key) {
  const std::string keyed = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(keyed.data()), keyed.size(), digest);
  unsigned char text[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(text, digest, SHA_DIGEST_LENGTH);
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(n)};
}

void WsReader::feed(std::string_view bytes, std::vector<Event>& out) {
  if (done_) return;
  if (partial_.empty()) {
    const std::size_t read = read_frames(bytes, out);
    if (!done_) partial_.assign(bytes.substr(read));
    return;
  }
  partial_.append(bytes);
  const std::size_t read = read_frames(partial_, out);
  if (done_ || read == partial_.size())
    std::string().swap(partial_);  // back to no memory at all
  else
    partial_.erase(0, read);
}

std::size_t WsReader::read_frames(std::string_view data, std::vector<Event>& out) {
  std::size_t at = 0;
  while (!done_ && data.size() - at >= 2) {
    const std::string_view frame = data.substr(at);
    const auto b0 = static_cast<std::uint8_t>(frame[0]);
    const auto b1 = static_cast<std::uint8_t>(frame[1]);
    const bool fin = (b0 & 0x80) != 0;
    const std::uint8_t opcode = b0 & 0x0F;
    // No extension was negotiated (RSV bits), and devices mask their frames.
    if ((b0 & 0x70) != 0 || (b1 & 0x80) == 0 || !known(opcode)) {
      violation(ws_protocol_error, out);
      break;
    }
    std::size_t header = 2;
    std::uint64_t size = b1 & 0x7F;
    if (size == 126) header = 4;
    if (size == 127) header = 10;
    if (frame.size() < header) break;
    if (header > 2) size = big_endian(frame.substr(2, header - 2));
    const bool control = is_control(opcode);
    if (header == 10 && (size >> 63) != 0) {
      violation(ws_protocol_error, out);
      break;
    }
    if (control && (!fin || size > 125)) {
      violation(ws_protocol_error, out);
      break;
    }
    if (!control && (opcode == 0) != in_message_) {  // a continuation of nothing, or a new message inside one
      violation(ws_protocol_error, out);
      break;
    }
    // Known to be too big from the header: no need to wait for its bytes.
    if (!control && size > max_message_ - message_.size()) {
      violation(ws_too_big, out);
      break;
    }
    if (frame.size() < header + 4 || frame.size() - header - 4 < size) break;
    const std::string_view mask = frame.substr(header, 4);
    std::string payload(frame.substr(header + 4, static_cast<std::size_t>(size)));
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
    at += header + 4 + static_cast<std::size_t>(size);
    switch (static_cast<WsOpcode>(opcode)) {
      case WsOpcode::ping:
        out.push_back({Event::Kind::ping, std::move(payload)});
        break;
      case WsOpcode::pong:
        out.push_back({Event::Kind::pong, std::move(payload)});
        break;
      case WsOpcode::close: {
        const std::uint16_t code =
            payload.size() >= 2 ? static_cast<std::uint16_t>(big_endian(std::string_view(payload).substr(0, 2)))
                                : ws_no_status;
        out.push_back({Event::Kind::close, {}, code});
        done_ = true;
        break;
      }
      default:
        if (in_message_ || !fin) {
          message_.append(payload);
          in_message_ = !fin;
          if (fin) {
            out.push_back({Event::Kind::message, std::move(message_)});
            message_ = std::string();
          }
        } else {
          out.push_back({Event::Kind::message, std::move(payload)});
        }
    }
  }
  return at;
}

void WsReader::violation(std::uint16_t code, std::vector<Event>& out) {
  out.push_back({Event::Kind::violation, {}, code});
  done_ = true;
  std::string().swap(message_);
}

}  // namespace pushsync::push
