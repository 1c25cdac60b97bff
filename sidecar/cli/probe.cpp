#include "sidecar/cli/probe.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "sidecar/api/listen_address.hpp"
#include "sidecar/http1/read_message.hpp"

namespace pushsync::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

asio::awaitable<http::response<http::string_body>> get(beast::tcp_stream& stream, asio::ip::tcp::endpoint to,
                                                       std::string target) {
  co_await stream.async_connect(to, asio::use_awaitable);
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + to.address().to_string() +
                              "\r\nUser-Agent: pushsync-probe\r\nConnection: close\r\n\r\n";
  co_await asio::async_write(stream, asio::buffer(request), asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  boost::system::error_code ec;
  co_await http1::read_message(stream, buffer, parser, ec);
  if (ec) throw boost::system::system_error(ec);
  co_return parser.release();
}

}  // namespace

int probe(const std::string& listen, bool ready, std::chrono::milliseconds timeout, std::ostream& out,
          std::ostream& err) {
  const std::string target = ready ? "/readyz" : "/healthz";
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  int exit_code = 1;
  try {
    auto to = api::local_address_of(listen);
    asio::co_spawn(io, get(stream, to, target),
                   [&](std::exception_ptr error, http::response<http::string_body> response) {
                     if (error) {
                       try {
                         std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                         err << "probe: GET " << target << " on " << to << ": " << e.what() << "\n";
                       }
                       return;
                     }
                     out << response.body();
                     if (!response.body().ends_with('\n')) out << "\n";
                     exit_code = response.result_int() == 200 ? 0 : 1;
                   });
    io.run();
  } catch (const std::exception& e) {
    err << "probe: " << e.what() << "\n";
  }
  return exit_code;
}

}  // namespace pushsync::cli
