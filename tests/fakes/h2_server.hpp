#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace pushsync::test {

struct ServerRequest {
  int connection = 0;  // 1, 2, ... in accept order
  std::int32_t stream_id = 0;
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;
  std::string body;

  bool has(const std::string& name) const { return headers.count(name) > 0; }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct ServerReply {
  enum class Action { answer, stall, drop };
  Action action = Action::answer;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool then_goaway = false;  // GOAWAY with this stream as the last one processed
};

// A TLS HTTP/2 server (nghttp2 server session) on 127.0.0.1, on its own
// thread, for the fake providers. `handler` runs on that thread for each
// complete request. With `client_ca` set, clients must present a
// certificate signed by it.
class H2Server {
 public:
  using Handler = std::function<ServerReply(const ServerRequest&)>;
  struct Options {
    std::string cert_file;
    std::string key_file;
    std::string client_ca;
    unsigned short port = 0;  // 0: any free port
    int threads = 1;
    std::uint32_t max_concurrent_streams = 1000;  // SETTINGS_MAX_CONCURRENT_STREAMS
  };

  H2Server(Options options, Handler handler);
  ~H2Server();
  H2Server(const H2Server&) = delete;
  H2Server& operator=(const H2Server&) = delete;

  unsigned short port() const { return port_; }
  int connections_accepted() const { return accepted_; }

 private:
  void accept_loop();

  Handler handler_;
  std::uint32_t max_concurrent_streams_;
  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<int> accepted_{0};
  std::vector<std::thread> threads_;
};

}  // namespace pushsync::test
