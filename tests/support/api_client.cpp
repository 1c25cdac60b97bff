#include "tests/support/api_client.hpp"

#include <strings.h>

#include <algorithm>
#include <stdexcept>

namespace pushsync::test {

namespace {

constexpr auto answer_wait = std::chrono::seconds(60);

bool expects_body(const std::string& method) { return method == "POST" || method == "PUT" || method == "PATCH"; }

bool has_body(const std::string& method, int status) {
  return method != "HEAD" && status >= 200 && status != 204 && status != 304;
}

// A chunked body's data (RFC 9112 7.1), or nullopt until its last chunk has arrived.
std::optional<std::string> dechunked(std::string_view bytes) {
  std::string body;
  for (;;) {
    const auto eol = bytes.find("\r\n");
    if (eol == std::string_view::npos) return std::nullopt;
    const std::size_t size = std::stoul(std::string(bytes.substr(0, eol)), nullptr, 16);
    if (size == 0) return body;
    if (bytes.size() < eol + 2 + size + 2) return std::nullopt;
    body.append(bytes.substr(eol + 2, size));
    bytes.remove_prefix(eol + 2 + size + 2);
  }
}

// The body, once all of it has arrived (or the server closed).
std::optional<std::string> body_of(const ResponseHead& head, std::string_view rest, bool closed) {
  if (head.header("Transfer-Encoding") == "chunked") return dechunked(rest);
  const std::string length = head.header("Content-Length");
  if (!length.empty()) {
    const std::size_t size = std::stoul(length);
    if (rest.size() >= size) return std::string(rest.substr(0, size));
  }
  if (closed) return std::string(rest);
  return std::nullopt;
}

}  // namespace

std::string HttpReply::error_code() const {
  auto body_json = json();
  return body_json.is_object() && body_json.contains("error") ? body_json["error"].get<std::string>() : "";
}

HttpReply http_request(int port, const std::string& method, const std::string& target, const std::string& body,
                       const Headers& headers) {
  Headers all = headers;
  if (std::none_of(headers.begin(), headers.end(), [](const auto& h) { return strcasecmp(h.first.c_str(), "Connection") == 0; }))
    all.emplace_back("Connection", "close");
  if (!body.empty() || expects_body(method)) all.emplace_back("Content-Length", std::to_string(body.size()));
  Socket socket = Socket::connect_to(port);
  socket.send_all(request_head(method, target, all) + body);
  std::string bytes;
  for (;;) {
    const auto read = socket.read_some(bytes, answer_wait);
    if (read == Socket::Read::timeout)
      throw std::runtime_error(method + " " + target + ": no whole answer in 60 s: " + bytes);
    const bool closed = read == Socket::Read::closed;
    auto head = parse_head(bytes);
    if (!head && closed) throw std::runtime_error(method + " " + target + ": the server closed before answering");
    if (!head) continue;
    HttpReply reply{head->status, "", head->headers};
    if (!has_body(method, head->status)) return reply;
    auto whole = body_of(*head, std::string_view(bytes).substr(head->size), closed);
    if (whole) {
      reply.body = std::move(*whole);
      return reply;
    }
    if (closed) throw std::runtime_error(method + " " + target + ": the server closed in the middle of the body");
  }
}

RawExchange raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds wait) {
  Socket socket = Socket::connect_to(port);
  socket.send_all(bytes);
  RawExchange exchange;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const auto read = socket.read_some(exchange.answer, left);
    if (read == Socket::Read::closed) exchange.closed_by_server = true;
    if (read != Socket::Read::data || left.count() <= 0) return exchange;
  }
}

WsDevice::~WsDevice() = default;

WsDevice::WsDevice(int port, const std::string& installation, const std::string& secret, bool as_browser)
    : socket_(Socket::connect_to(port)) {
  Headers credentials;
  if (!secret.empty() && as_browser) credentials.emplace_back("Sec-WebSocket-Protocol", "pushsync.v1, " + secret);
  if (!secret.empty() && !as_browser) credentials.emplace_back("Authorization", "Bearer " + secret);
  socket_.send_all(ws_upgrade(installation, credentials));
  std::optional<ResponseHead> head;
  while (!(head = parse_head(in_)))
    if (socket_.read_some(in_, std::chrono::seconds(10)) != Socket::Read::data) break;
  if (!head) {
    refused_with_ = -1;  // no answer: a bug either way
    return;
  }
  in_.erase(0, head->size);
  if (head->status != 101) {
    refused_with_ = head->status;
    return;
  }
  if (head->header("Sec-WebSocket-Accept") != ws_accept_for(ws_key))
    throw std::runtime_error("the handshake's Sec-WebSocket-Accept is wrong: " + head->header("Sec-WebSocket-Accept"));
  protocol_ = head->header("Sec-WebSocket-Protocol");
  take_frames();
}

void WsDevice::take_frames() {
  while (!closed_) {
    auto frame = take_server_frame(in_);
    if (!frame) return;
    switch (frame->opcode) {
      case ws_ping:
        socket_.send_all(ws_client_frame(ws_pong, frame->payload));
        break;
      case ws_close:
        socket_.send_all(ws_client_frame(ws_close, frame->payload.substr(0, 2)));
        closed_ = true;
        break;
      case ws_pong:
        break;
      default:  // text, or a continuation of it
        message_ += frame->payload;
        if (frame->fin) frames_.push_back(nlohmann::json::parse(std::exchange(message_, {}), nullptr, false));
    }
  }
}

void WsDevice::read_until(const std::function<bool()>& done, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (!done() && !closed_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    const auto read = socket_.read_some(in_, left);
    take_frames();
    if (read == Socket::Read::closed) closed_ = true;
  }
}

std::optional<nlohmann::json> WsDevice::next(std::chrono::milliseconds wait) {
  read_until([&] { return !frames_.empty(); }, wait);
  if (frames_.empty()) return std::nullopt;
  auto frame = std::move(frames_.front());
  frames_.pop_front();
  return frame;
}

void WsDevice::ack(std::int64_t seq) { socket_.send_all(ws_client_frame(ws_text, nlohmann::json{{"ack", seq}}.dump())); }

bool WsDevice::closed_by_server(std::chrono::milliseconds wait) {
  read_until([] { return false; }, wait);
  return closed_;
}

}  // namespace pushsync::test
