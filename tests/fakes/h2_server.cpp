#include "tests/fakes/h2_server.hpp"

#include <array>
#include <cstring>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

namespace pushsync::test {

namespace asio = boost::asio;
using boost::system::error_code;
using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

namespace {

// The nghttp2 server side of one connection.
class ServerSession {
 public:
  ServerSession(const H2Server::Handler& handler, int connection, std::uint32_t max_concurrent_streams)
      : handler_(handler), connection_(connection) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, &on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &on_close);
    nghttp2_session_server_new(&session_, cb, this);
    nghttp2_session_callbacks_del(cb);
    nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, max_concurrent_streams},
                                         {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 2);
  }
  ~ServerSession() { nghttp2_session_del(session_); }

  bool receive(const std::uint8_t* data, std::size_t n) { return nghttp2_session_mem_recv(session_, data, n) >= 0; }
  bool take_output(std::string& out) {
    for (;;) {
      const std::uint8_t* data = nullptr;
      auto n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return false;
      if (n == 0) return true;
      out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
  }
  bool done() const { return drop_ || (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)); }
  bool dropped() const { return drop_; }

 private:
  struct Stream {
    ServerRequest request;
    std::string reply_body;
    std::size_t sent = 0;
  };

  static ServerSession& self(void* p) { return *static_cast<ServerSession*>(p); }
  Stream* stream(std::int32_t id) {
    auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : &it->second;
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* p) {
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      auto& s = self(p).streams_[frame->hd.stream_id];
      s.request.connection = self(p).connection_;
      s.request.stream_id = frame->hd.stream_id;
    }
    return 0;
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                       const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* p) {
    auto* s = self(p).stream(frame->hd.stream_id);
    if (!s) return 0;
    std::string n(reinterpret_cast<const char*>(name), namelen), v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":method") s->request.method = v;
    else if (n == ":path") s->request.path = v;
    else if (n[0] != ':') s->request.headers[n] = v;
    return 0;
  }
  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data, std::size_t len,
                     void* p) {
    if (auto* s = self(p).stream(id)) s->request.body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* p) {
    bool request_end = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                       (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
    if (request_end) self(p).complete(frame->hd.stream_id);
    return 0;
  }
  static int on_close(nghttp2_session*, std::int32_t id, std::uint32_t, void* p) {
    self(p).streams_.erase(id);
    return 0;
  }
  static ssize_t read_reply(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                            std::uint32_t* flags, nghttp2_data_source* source, void*) {
    auto* s = static_cast<Stream*>(source->ptr);
    std::size_t n = std::min(length, s->reply_body.size() - s->sent);
    std::memcpy(buf, s->reply_body.data() + s->sent, n);
    s->sent += n;
    if (s->sent == s->reply_body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  void complete(std::int32_t id) {
    auto* s = stream(id);
    if (!s || drop_) return;
    if (goaway_last_ >= 0 && id > goaway_last_) return;  // refused: never processed
    ServerReply reply = handler_(s->request);
    if (reply.action == ServerReply::Action::drop) drop_ = true;
    if (reply.action != ServerReply::Action::answer) return;
    std::string status = std::to_string(reply.status);
    auto nv = [](const std::string& n, const std::string& v) {
      return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(n.data())),
                        reinterpret_cast<std::uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(),
                        NGHTTP2_NV_FLAG_NONE};
    };
    static const std::string status_name = ":status";
    std::vector<nghttp2_nv> headers{nv(status_name, status)};
    for (const auto& [n, v] : reply.headers) headers.push_back(nv(n, v));
    s->reply_body = std::move(reply.body);
    nghttp2_data_provider body{};
    body.source.ptr = s;
    body.read_callback = &read_reply;
    nghttp2_submit_response(session_, id, headers.data(), headers.size(), s->reply_body.empty() ? nullptr : &body);
    if (reply.then_goaway) {
      goaway_last_ = id;
      nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_NO_ERROR, nullptr, 0);
    }
  }

  const H2Server::Handler& handler_;
  int connection_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Stream> streams_;
  std::int32_t goaway_last_ = -1;
  bool drop_ = false;
};

asio::awaitable<void> serve(TlsStream stream, const H2Server::Handler& handler, int connection,
                            std::uint32_t max_concurrent_streams) {
  error_code ec;
  co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  ServerSession session(handler, connection, max_concurrent_streams);
  std::array<std::uint8_t, 16384> buffer;
  std::string out;
  for (;;) {
    out.clear();
    if (!session.take_output(out)) break;
    if (!out.empty()) {
      co_await asio::async_write(stream, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    if (session.done()) break;
    auto n = co_await stream.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !session.receive(buffer.data(), n)) break;
    if (session.dropped()) break;
  }
  stream.lowest_layer().close(ec);
}

int select_h2(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen, void*) {
  for (unsigned i = 0; i < inlen; i += 1u + in[i]) {
    if (in[i] == 2 && i + 3 <= inlen && std::memcmp(in + i + 1, "h2", 2) == 0) {
      *out = in + i + 1;
      *outlen = 2;
      return SSL_TLSEXT_ERR_OK;
    }
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

}  // namespace

H2Server::H2Server(Options options, Handler handler)
    : handler_(std::move(handler)),
      max_concurrent_streams_(options.max_concurrent_streams),
      tls_(asio::ssl::context::tls_server),
      acceptor_(io_, {asio::ip::make_address("127.0.0.1"), options.port}) {
  tls_.use_certificate_chain_file(options.cert_file);
  tls_.use_private_key_file(options.key_file, asio::ssl::context::pem);
  if (!options.client_ca.empty()) {
    tls_.load_verify_file(options.client_ca);
    tls_.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  }
  SSL_CTX_set_alpn_select_cb(tls_.native_handle(), &select_h2, nullptr);
  port_ = acceptor_.local_endpoint().port();
  accept_loop();
  for (int i = 0; i < options.threads; ++i) threads_.emplace_back([this] { io_.run(); });
}

H2Server::~H2Server() {
  io_.stop();
  for (auto& t : threads_) t.join();
}

void H2Server::accept_loop() {
  acceptor_.async_accept([this](error_code ec, asio::ip::tcp::socket socket) {
    if (ec) return;
    socket.set_option(asio::ip::tcp::no_delay(true));
    int connection = ++accepted_;
    asio::co_spawn(io_, serve(TlsStream(std::move(socket), tls_), handler_, connection, max_concurrent_streams_),
                   asio::detached);
    accept_loop();
  });
}

}  // namespace pushsync::test
