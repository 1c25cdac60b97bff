#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "sidecar/http2/message.hpp"

struct nghttp2_session;

namespace pushsync::http2 {

// The HTTP/2 protocol state of one client connection, without the socket:
// fed the bytes that arrived (`receive`), asked for the bytes to send
// (`take_output`). nghttp2 does the framing, HPACK, flow control and the
// server's stream limit (requests above it wait inside nghttp2).
class ClientSession {
 public:
  using Done = std::function<void(Result)>;

  // `authority` is the :authority of every request (host[:port]).
  explicit ClientSession(std::string authority);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // Queues a request; `done` runs exactly once, from receive(), cancel(),
  // or fail_all(). Returns the stream id, or 0 when the session takes no
  // new streams (GOAWAY received, or closed), in which case `done` already
  // ran with Failure::refused.
  std::int32_t submit(SharedRequest request, Done done);

  // Stops waiting for one stream (timeout): RST_STREAM, done(timeout).
  void cancel(std::int32_t stream_id);

  // False when the peer broke the protocol; the connection must be closed.
  bool receive(std::span<const std::uint8_t> bytes);

  // Appends everything ready to send to `out`.
  bool take_output(std::string& out);

  void ping();

  // The connection is gone: every open stream fails with `failure`.
  void fail_all(Failure failure, const std::string& why);

  // Open for new requests (no GOAWAY, no protocol error)?
  bool accepting() const;
  // True once nothing more can happen on it.
  bool finished() const;
  std::size_t in_flight() const { return streams_.size(); }
  // The server's SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until it says).
  std::size_t stream_limit() const;

 private:
  struct Stream;
  friend struct SessionCallbacks;

  void finish(std::int32_t stream_id, Result result);

  std::string authority_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, std::unique_ptr<Stream>> streams_;
  std::int32_t goaway_last_stream_ = -1;  // -1: no GOAWAY yet
  bool broken_ = false;
};

}  // namespace pushsync::http2
