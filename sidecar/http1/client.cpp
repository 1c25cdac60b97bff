#include "sidecar/http1/client.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

#include "sidecar/http1/read_message.hpp"
#include "sidecar/http2/public_address.hpp"
#include "sidecar/util/ascii_lower.hpp"
#include "sidecar/util/eager.hpp"

namespace pushsync::http1 {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

constexpr std::size_t max_response_body = 64 * 1024;

auto with(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

// The request as HTTP/1.1 puts it on the wire (a keep-alive connection).
std::string serialized(const http2::Request& request, const std::string& authority) {
  std::string out = request.method + " " + request.path + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  for (const auto& header : request.headers) out += header.name + ": " + header.value + "\r\n";
  out += "Content-Length: " + std::to_string(request.body.size()) + "\r\nConnection: keep-alive\r\n\r\n";
  return out + request.body;
}

}  // namespace

class Client::Connection {
 public:
  Connection(const asio::any_io_executor& ex, asio::ssl::context& tls) : stream(ex, tls) {}

  // An idle connection the server has closed (or is closing: TLS
  // close_notify) has bytes or EOF to read; one still open has nothing.
  // Reusing a closed one would fail a request the server never saw.
  bool still_open() {
    char byte = 0;
    auto fd = beast::get_lowest_layer(stream).socket().native_handle();
    return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  beast::ssl_stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

Client::Client(asio::any_io_executor ex, asio::ssl::context tls, http2::ClientOptions options)
    : ex_(std::move(ex)), tls_(std::move(tls)), options_(std::move(options)) {}

Client::~Client() = default;

void Client::close() { idle_.clear(); }

asio::awaitable<std::unique_ptr<Client::Connection>> Client::take_connection(std::string& why) {
  while (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (connection->still_open()) co_return connection;
  }
  const auto& endpoint = options_.endpoint;
  auto connection = std::make_unique<Connection>(ex_, tls_);
  auto& tcp = beast::get_lowest_layer(connection->stream);
  error_code ec;
  asio::ip::tcp::resolver resolver(ex_);
  auto resolved = co_await resolver.async_resolve(endpoint.host, endpoint.port, with(ec));
  auto addresses = ec ? std::vector<asio::ip::tcp::endpoint>{} : http2::usable_endpoints(resolved, endpoint.public_only);
  if (!ec && addresses.empty()) {
    why = "refused to connect to " + endpoint.authority() + ": " + std::string(http2::refused_address);
    co_return nullptr;
  }
  tcp.expires_after(options_.request_timeout);
  if (!ec) co_await tcp.async_connect(addresses, with(ec));
  if (!ec) {
    SSL_set_tlsext_host_name(connection->stream.native_handle(), endpoint.host.c_str());
    connection->stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    co_await connection->stream.async_handshake(asio::ssl::stream_base::client, with(ec));
  }
  if (ec) {
    why = "cannot connect to " + endpoint.authority() + ": " + ec.message();
    co_return nullptr;
  }
  co_return connection;
}

asio::awaitable<int> Client::worker(std::vector<http2::Request>& requests, std::vector<http2::Result>& results,
                                    std::size_t& next) {
  std::unique_ptr<Connection> connection;
  while (next < requests.size()) {
    std::size_t i = next++;
    std::string why;
    if (!connection) {
      connection = co_await take_connection(why);
      if (connection) ++lent_;
    }
    if (!connection) {
      results[i] = http2::Result::failed(http2::Failure::connect_failed, why);
      continue;
    }
    const std::string out = serialized(requests[i], options_.endpoint.authority());
    http::response_parser<http::string_body> in;
    in.body_limit(max_response_body);
    error_code ec;
    beast::get_lowest_layer(connection->stream).expires_after(options_.request_timeout);
    co_await asio::async_write(connection->stream, asio::buffer(out), with(ec));
    if (!ec) co_await read_message(connection->stream, connection->buffer, in, ec);
    if (ec) {
      auto failure = ec == beast::error::timeout ? http2::Failure::timeout : http2::Failure::connection_lost;
      results[i] = http2::Result::failed(failure, options_.name + ": " + ec.message());
      connection.reset();
      --lent_;
      continue;
    }
    auto& response = in.get();
    http2::Response answer;
    answer.status = static_cast<int>(response.result_int());
    for (const auto& field : response) answer.headers.push_back({ascii_lower(std::string(field.name_string())),
                                                                 std::string(field.value())});
    answer.body = std::move(response.body());
    results[i] = http2::Result::of(std::move(answer));
    if (!response.keep_alive()) {
      connection.reset();
      --lent_;
    }
  }
  if (connection) --lent_;
  if (connection && idle_.size() < static_cast<std::size_t>(options_.connections)) idle_.push_back(std::move(connection));
  co_return 0;
}

asio::awaitable<std::vector<http2::Result>> Client::send(std::vector<http2::Request> requests) {
  std::vector<http2::Result> results(requests.size(), http2::Result::failed(http2::Failure::refused));
  std::size_t next = 0;
  std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(options_.connections), requests.size());
  std::vector<Eager<int>> running;
  for (std::size_t w = 0; w < workers; ++w) running.emplace_back(ex_, worker(requests, results, next));
  for (auto& w : running) co_await w.get();
  co_return results;
}

}  // namespace pushsync::http1
