#include "tests/support/wire.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace pushsync::test {

namespace {

int new_socket(int port, bool blocking, int& connected) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK), 0);
  if (fd < 0) return -1;
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  return fd;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Socket Socket::connect_to(int port) {
  int connected = -1;
  Socket socket(new_socket(port, true, connected));
  if (!socket.is_open() || connected != 0)
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
  return socket;
}

Socket Socket::start_connect(int port) {
  int connected = -1;
  Socket socket(new_socket(port, false, connected));
  if (connected != 0 && errno != EINPROGRESS) socket.close();
  return socket;
}

void Socket::close() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

bool Socket::send_all(std::string_view bytes) const {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 10000) == 1) continue;
    }
    return false;
  }
  return true;
}

Socket::Read Socket::read_some(std::string& into, std::chrono::milliseconds wait) const {
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(wait.count(), 0)));
  if (ready == 0) return Read::timeout;
  char chunk[16384];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
  if (n > 0) {
    into.append(chunk, static_cast<std::size_t>(n));
    return Read::data;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return Read::data;  // nothing after all: the caller reads again
  return Read::closed;                                                   // the end, or a reset
}

std::string ResponseHead::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (same_name(key, name)) return value;
  return "";
}

std::optional<ResponseHead> parse_head(std::string_view bytes) {
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  ResponseHead head;
  head.size = end + 4;
  std::string_view lines = bytes.substr(0, end + 2);
  const auto first = lines.find("\r\n");
  const std::string_view status_line = lines.substr(0, first);  // HTTP/1.1 200 OK
  const auto space = status_line.find(' ');
  if (space != std::string_view::npos) head.status = std::atoi(std::string(status_line.substr(space + 1, 3)).c_str());
  for (auto at = first + 2; at < lines.size();) {
    const auto eol = lines.find("\r\n", at);
    const std::string_view line = lines.substr(at, eol - at);
    at = eol + 2;
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) head.headers[std::string(line.substr(0, colon))] = trimmed(line.substr(colon + 1));
  }
  return head;
}

std::string request_head(const std::string& method, const std::string& target, const Headers& headers) {
  std::string head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  return head + "\r\n";
}

std::string ws_accept_for(std::string_view key) {
  const std::string keyed = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(keyed.data()), keyed.size(), digest);
  unsigned char text[32];
  const int n = EVP_EncodeBlock(text, digest, SHA_DIGEST_LENGTH);
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(n)};
}

std::string ws_upgrade(const std::string& installation, const Headers& credentials) {
  Headers headers{{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Key", std::string(ws_key)},
                  {"Sec-WebSocket-Version", "13"}};
  headers.insert(headers.end(), credentials.begin(), credentials.end());
  return request_head("GET", "/v1/ws?installationId=" + installation, headers);
}

std::string ws_client_frame(std::uint8_t opcode, std::string_view payload) {
  std::string frame(1, static_cast<char>(0x80 | opcode));
  const std::size_t size = payload.size();
  if (size < 126) {
    frame += static_cast<char>(0x80 | size);
  } else if (size <= 0xFFFF) {
    frame += static_cast<char>(0x80 | 126);
    for (int shift = 8; shift >= 0; shift -= 8) frame += static_cast<char>((size >> shift) & 0xFF);
  } else {
    frame += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) frame += static_cast<char>((size >> shift) & 0xFF);
  }
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  frame.append(mask, 4);
  for (std::size_t i = 0; i < size; ++i) frame += static_cast<char>(payload[i] ^ mask[i % 4]);
  return frame;
}

std::optional<ServerFrame> take_server_frame(std::string& buffer) {
  if (buffer.size() < 2) return std::nullopt;
  const auto b0 = static_cast<std::uint8_t>(buffer[0]);
  std::size_t size = static_cast<std::uint8_t>(buffer[1]) & 0x7F;
  std::size_t header = 2;
  if (size >= 126) {
    header = size == 126 ? 4 : 10;
    if (buffer.size() < header) return std::nullopt;
    size = 0;
    for (std::size_t i = 2; i < header; ++i) size = (size << 8) | static_cast<std::uint8_t>(buffer[i]);
  }
  if (buffer.size() - header < size) return std::nullopt;
  ServerFrame frame{static_cast<std::uint8_t>(b0 & 0x0F), (b0 & 0x80) != 0, buffer.substr(header, size)};
  buffer.erase(0, header + size);
  return frame;
}

}  // namespace pushsync::test
