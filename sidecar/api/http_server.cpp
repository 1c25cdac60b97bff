#include "sidecar/api/http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <pqxx/except>
#include <spdlog/spdlog.h>

#include "sidecar/api/auth.hpp"
#include "sidecar/api/listen_address.hpp"
#include "sidecar/http1/read_message.hpp"

namespace pushsync::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr std::uint32_t header_limit = 16 * 1024;

// The answer to a request that could not be read whole, if any is due.
std::optional<ApiError> read_refusal(const boost::system::error_code& ec, std::size_t max_body) {
  if (ec == http::error::body_limit)
    return ApiError(413, "payload_too_large", "the body is larger than " + std::to_string(max_body) + " bytes");
  if (ec == http::error::header_limit) return ApiError(431, "headers_too_large", "the headers exceed 16 KiB");
  if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
      ec == asio::error::connection_reset || ec == asio::error::eof || ec == http::error::partial_message)
    return std::nullopt;
  return ApiError(400, "malformed_request", "the request is not valid HTTP/1.1 (" + ec.message() + ")");
}

// The response as HTTP/1.x puts it on the wire (what Beast's serializer
// wrote, after prepare_payload and keep_alive).
std::string serialized(const Response& r, unsigned version, bool keep_alive) {
  const auto status = static_cast<http::status>(r.status);
  std::string out = (version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ") + std::to_string(r.status) + " " +
                    std::string(http::obsolete_reason(status)) + "\r\nServer: pushsync\r\n";
  if (!r.content_type.empty()) out += "Content-Type: " + r.content_type + "\r\n";
  bool has_connection = false;
  for (const auto& [name, value] : r.headers) {
    out += name + ": " + value + "\r\n";
    has_connection = has_connection || beast::iequals(name, "Connection");
  }
  const bool no_body = r.status / 100 == 1 || r.status == 204 || r.status == 304;
  if (!no_body) out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  if (!has_connection && version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  if (!has_connection && version != 10 && !keep_alive) out += "Connection: close\r\n";
  return out + "\r\n" + r.body;
}

// Out of descriptors or memory: accepting again at once fails again.
bool out_of_resources(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, const config::HttpConfig& config, const ApiTokens& tokens,
                       const Routes& routes, const Readiness& readiness, metrics::Metrics& metrics)
    : io_(io),
      config_(config),
      tokens_(tokens),
      routes_(routes),
      readiness_(readiness),
      metrics_(metrics),
      acceptor_(io),
      accept_pause_(io) {}

void HttpServer::start() {
  auto endpoint = parse_listen(config_.listen);
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + config_.listen + ": " + ec.message());
  auto bound = acceptor_.local_endpoint();
  spdlog::info("HTTP API listening on {}:{}", bound.address().to_string(), bound.port());
  asio::co_spawn(io_, accept_loop(), asio::detached);
}

void HttpServer::stop() {
  stopping_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_.cancel();
  for (auto* stream : open_) stream->socket().close(ignored);
}

asio::awaitable<void> HttpServer::accept_loop() {
  // Failures are logged at most once a second, with how many there were;
  // when descriptors run out, accepting pauses (100 ms, doubling to 1.6 s)
  // instead of spinning: connections wait in the backlog meanwhile.
  constexpr Duration first_pause{100};
  constexpr Duration longest_pause{1600};
  Duration pause = first_pause;
  long failures = 0;
  Clock::time_point next_report{};
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping_) break;
      metrics_.accept_failed();
      ++failures;
      const bool exhausted = out_of_resources(ec);
      if (Clock::now() >= next_report) {
        spdlog::warn("HTTP accept failed: {} ({} time(s) since the last such line){}", ec.message(), failures,
                     exhausted ? "; accepting paused for " + std::to_string(pause.count()) + " ms" : "");
        failures = 0;
        next_report = Clock::now() + std::chrono::seconds(1);
      }
      if (exhausted) {
        accept_pause_.expires_after(pause);
        co_await accept_pause_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        pause = std::min(pause * 2, longest_pause);
      }
      continue;
    }
    pause = first_pause;
    if (open_.size() >= static_cast<std::size_t>(config_.max_connections))
      asio::co_spawn(io_, refuse(std::move(socket)), asio::detached);
    else
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpServer::refuse(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(config_.request_timeout);
  ApiError busy(503, "too_many_connections", "the server has " + std::to_string(config_.max_connections) +
                                                 " connections open; retry later");
  busy.headers.emplace_back("Retry-After", "1");
  const Response response = Response::error(busy);
  const std::string no_route = "-";
  co_await write(stream, response, 11, false, no_route);
}

asio::awaitable<void> HttpServer::serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  open_.insert(&stream);
  bool tracked = true;
  beast::flat_buffer buffer;
  while (!stopping_) {
    http::request_parser<http::string_body> parser;
    limit(parser);
    stream.expires_after(config_.request_timeout);
    boost::system::error_code ec;
    co_await http1::read_message(stream, buffer, parser, ec);
    const std::string no_route = "-";
    if (ec) {
      auto refusal = read_refusal(ec, config_.max_body);
      if (!refusal) break;
      const Response response = Response::error(*refusal);
      co_await write(stream, response, 11, false, no_route);
      break;
    }
    Request request = parser.release();
    const Route* route = nullptr;
    Response response = co_await dispatch(request, route);
    if (route && route->upgrade && response.status == 101) {
      open_.erase(&stream);
      tracked = false;
      // Handed over even when the 101 could not be written: the upgrade
      // handler owns what the handshake's admission took, and gives it
      // back when the connection it finds broken ends.
      co_await write(stream, response, request.version(), true, route->pattern);
      stream.expires_never();
      asio::co_spawn(io_, route->upgrade(stream.release_socket(), request), asio::detached);
      co_return;
    }
    // A refused upgrade ends the connection: the client will open a new one.
    const bool keep_alive = request.keep_alive() && !stopping_ && !(route && route->upgrade);
    const std::string& route_name = route ? route->pattern : no_route;
    bool written = co_await write(stream, response, request.version(), keep_alive, route_name);
    if (!written || !keep_alive) break;
  }
  if (tracked) {
    open_.erase(&stream);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
}

void HttpServer::limit(http::request_parser<http::string_body>& parser) const {
  parser.header_limit(header_limit);
  parser.body_limit(config_.max_body);
}

asio::awaitable<Response> HttpServer::dispatch(const Request& request, const Route*& route) {
  try {
    std::string_view target = request.target();
    auto question = target.find('?');
    auto match = routes_.find(target.substr(0, question));
    if (!match) throw ApiError(404, "not_found", "no such route");
    route = match->route;
    auto handler = route->methods.find(request.method());
    if (handler == route->methods.end()) {
      ApiError error(405, "method_not_allowed", "use " + route->allowed_methods() + " on " + route->pattern);
      error.headers.emplace_back("Allow", route->allowed_methods());
      throw error;
    }
    authorize(route->access, request);
    if (route->access != Access::health && !readiness_.serving())
      throw ApiError(503, "not_ready", readiness_.waiting_for());
    Call call{request, std::move(match->param), query_of(target)};
    co_return co_await handler->second(call);
  } catch (const ApiError& e) {
    co_return Response::error(e);
  } catch (const pqxx::broken_connection&) {
    co_return Response::error(ApiError(503, "database_unavailable", "the database cannot be reached; retry later"));
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", std::string(request.method_string()), route ? route->pattern : "?", e.what());
    co_return Response::error(ApiError(500, "internal_error", "the request failed; the sidecar's log says why"));
  }
}

void HttpServer::authorize(Access access, const Request& request) const {
  if (access == Access::health || access == Access::open) return;
  if (access == Access::metrics && config_.metrics_public) return;
  auto bearer = bearer_token(request);
  if (bearer && tokens_.accepts(*bearer)) return;
  auto rhoconnect = request.find("X-RhoConnect-API-TOKEN");
  bool has_rhoconnect = access == Access::api_token_or_rhoconnect && rhoconnect != request.end();
  if (has_rhoconnect && tokens_.accepts(rhoconnect->value())) return;
  ApiError error = bearer || has_rhoconnect
                       ? ApiError(401, "invalid_token", "the API token is not valid")
                       : ApiError(401, "missing_token", "send the API token as Authorization: Bearer <token>");
  error.headers.emplace_back("WWW-Authenticate", "Bearer");
  throw error;
}

asio::awaitable<bool> HttpServer::write(beast::tcp_stream& stream, const Response& r, unsigned version,
                                        bool keep_alive, const std::string& route) {
  const std::string bytes = serialized(r, version, keep_alive);
  stream.expires_after(config_.request_timeout);
  metrics_.http_request(route, r.status);  // counted before the client can see it
  boost::system::error_code ec;
  co_await asio::async_write(stream, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
  spdlog::debug("HTTP {} {} -> {}", route, version, r.status);
  co_return !ec;
}

}  // namespace pushsync::api
