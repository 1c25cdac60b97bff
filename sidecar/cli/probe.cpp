#include "sidecar/cli/probe.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "sidecar/api/listen_address.hpp"

namespace pushsync::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

asio::awaitable<http::response<http::string_body>> get(beast::tcp_stream& stream, asio::ip::tcp::endpoint to,
                                                       std::string target) {
  co_await stream.async_connect(to, asio::use_awaitable);
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, to.address().to_string());
  request.set(http::field::user_agent, "pushsync-probe");
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  co_return response;
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
