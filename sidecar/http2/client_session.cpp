#include "sidecar/http2/client_session.hpp"

#include <algorithm>
#include <cstring>

#include <nghttp2/nghttp2.h>

namespace pushsync::http2 {

const char* to_string(Failure failure) {
  switch (failure) {
    case Failure::refused: return "refused";
    case Failure::reset: return "reset";
    case Failure::connection_lost: return "connection_lost";
    case Failure::timeout: return "timeout";
    case Failure::connect_failed: return "connect_failed";
  }
  return "unknown";
}

struct ClientSession::Stream {
  SharedRequest request;
  std::string content_length;
  std::size_t body_sent = 0;
  Response response;
  Done done;
};

namespace {

nghttp2_nv header_nv(const std::string& name, const std::string& value, bool sensitive) {
  auto flags = static_cast<std::uint8_t>(NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE |
                                         (sensitive ? NGHTTP2_NV_FLAG_NO_INDEX : 0));
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(), flags};
}

}  // namespace

// nghttp2's C callbacks, with the session as user data.
struct SessionCallbacks {
  static ClientSession& self(void* user_data) { return *static_cast<ClientSession*>(user_data); }

  static ClientSession::Stream* stream(ClientSession& s, std::int32_t id) {
    auto it = s.streams_.find(id);
    return it == s.streams_.end() ? nullptr : it->second.get();
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                       const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user_data) {
    auto* st = stream(self(user_data), frame->hd.stream_id);
    if (!st) return 0;
    std::string n(reinterpret_cast<const char*>(name), namelen);
    std::string v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status")
      st->response.status = std::atoi(v.c_str());
    else
      st->response.headers.push_back({std::move(n), std::move(v)});
    return 0;
  }

  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t stream_id, const std::uint8_t* data,
                     std::size_t len, void* user_data) {
    auto* st = stream(self(user_data), stream_id);
    if (st) st->response.body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int on_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code, void* user_data) {
    auto& s = self(user_data);
    auto* st = stream(s, stream_id);
    if (!st) return 0;
    if (!st->done) {  // cancelled earlier; nghttp2 is done with its body now
      s.streams_.erase(stream_id);
    } else if (st->response.status != 0 && error_code == NGHTTP2_NO_ERROR) {
      s.finish(stream_id, Result::of(std::move(st->response)));
    } else if (error_code == NGHTTP2_REFUSED_STREAM ||
               (s.goaway_last_stream_ >= 0 && stream_id > s.goaway_last_stream_)) {
      s.finish(stream_id, Result::failed(Failure::refused, "stream refused by the server"));
    } else {
      s.finish(stream_id, Result::failed(Failure::reset, nghttp2_http2_strerror(error_code)));
    }
    s.streams_.erase(stream_id);
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_GOAWAY) self(user_data).goaway_last_stream_ = frame->goaway.last_stream_id;
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                                        std::uint32_t* flags, nghttp2_data_source* source, void*) {
    auto* st = static_cast<ClientSession::Stream*>(source->ptr);
    const auto& body = st->request->body;
    std::size_t n = std::min(length, body.size() - st->body_sent);
    std::memcpy(buf, body.data() + st->body_sent, n);
    st->body_sent += n;
    if (st->body_sent == body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
};

ClientSession::ClientSession(std::string authority) : authority_(std::move(authority)) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &SessionCallbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &SessionCallbacks::on_data);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &SessionCallbacks::on_close);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &SessionCallbacks::on_frame_recv);
  nghttp2_session_client_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  // Big windows: many small bodies in flight must never wait for WINDOW_UPDATE.
  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                       {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20}};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, 1 << 24);
}

ClientSession::~ClientSession() {
  fail_all(Failure::connection_lost, "session closed");
  nghttp2_session_del(session_);
}

std::size_t ClientSession::stream_limit() const {
  return nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

std::int32_t ClientSession::submit(SharedRequest request, Done done) {
  if (!accepting()) {
    done(Result::failed(Failure::refused, "connection is going away"));
    return 0;
  }
  auto st = std::make_unique<Stream>();
  st->request = std::move(request);
  st->done = std::move(done);
  static const std::string method = ":method", scheme = ":scheme", https = "https", authority = ":authority",
                           path = ":path", content_length = "content-length";
  st->content_length = std::to_string(st->request->body.size());
  std::vector<nghttp2_nv> nva{header_nv(method, st->request->method, false), header_nv(scheme, https, false),
                              header_nv(authority, authority_, false), header_nv(path, st->request->path, false)};
  for (const auto& h : st->request->headers) nva.push_back(header_nv(h.name, h.value, h.sensitive));
  if (!st->request->body.empty()) nva.push_back(header_nv(content_length, st->content_length, false));
  nghttp2_data_provider body{};
  body.source.ptr = st.get();
  body.read_callback = &SessionCallbacks::read_body;
  // NO_COPY: nghttp2 reads the names and values when it sends HEADERS, so
  // they all live in the Stream (or are static) until the stream closes.
  std::int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                           st->request->body.empty() ? nullptr : &body, nullptr);
  if (id < 0) {
    st->done(Result::failed(Failure::refused, nghttp2_strerror(id)));
    return 0;
  }
  streams_.emplace(id, std::move(st));
  return id;
}

void ClientSession::cancel(std::int32_t stream_id) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end() || !it->second->done) return;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
  finish(stream_id, Result::failed(Failure::timeout, "no answer within the request timeout"));
}

bool ClientSession::receive(std::span<const std::uint8_t> bytes) {
  auto n = nghttp2_session_mem_recv(session_, bytes.data(), bytes.size());
  if (n < 0) broken_ = true;
  return n >= 0;
}

bool ClientSession::take_output(std::string& out) {
  if (broken_) return false;
  for (;;) {
    const std::uint8_t* data = nullptr;
    auto n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      broken_ = true;
      return false;
    }
    if (n == 0) return true;
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
}

void ClientSession::ping() { nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr); }

void ClientSession::fail_all(Failure failure, const std::string& why) {
  broken_ = true;  // nghttp2 is not called again, so the streams can go
  auto streams = std::move(streams_);
  for (auto& [id, st] : streams)
    if (st->done) st->done(Result::failed(failure, why));
}

bool ClientSession::accepting() const {
  return !broken_ && goaway_last_stream_ < 0 && nghttp2_session_want_read(session_);
}

bool ClientSession::finished() const {
  return broken_ || (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_));
}

// Answers the waiter once; the Stream (and the body nghttp2 may still be
// reading) lives until nghttp2 closes the stream.
void ClientSession::finish(std::int32_t stream_id, Result result) {
  auto* st = SessionCallbacks::stream(*this, stream_id);
  if (!st || !st->done) return;
  auto done = std::move(st->done);
  st->done = nullptr;
  done(std::move(result));
}

}  // namespace pushsync::http2
