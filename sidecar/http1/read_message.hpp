#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace pushsync::http1 {

// Reads one HTTP/1.x message into `parser`: the stream's bytes fed to
// Beast's parser as they come, with the errors Beast's own async_read gives
// (end_of_stream before any byte, partial_message when the connection ends
// inside one; a body that runs to the end of the connection is complete).
// Beast's composed read, instantiated for each stream and a coroutine, was
// half the compile time of the files that used it. Bytes after the message
// stay in `buffer` for the next one.
template <class Stream, bool isRequest>
boost::asio::awaitable<void> read_message(Stream& stream, boost::beast::flat_buffer& buffer,
                                          boost::beast::http::parser<isRequest, boost::beast::http::string_body>& parser,
                                          boost::system::error_code& ec) {
  namespace http = boost::beast::http;
  constexpr std::size_t read_size = 16 * 1024;
  for (;;) {
    if (buffer.size() > 0) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if ((!ec && parser.is_done()) || (ec && ec != http::error::need_more)) co_return;
      ec = {};
      if (used > 0 && buffer.size() > 0) continue;
    }
    const std::size_t n = co_await stream.async_read_some(
        buffer.prepare(read_size), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec == boost::asio::error::eof || ec == boost::asio::ssl::error::stream_truncated) {
      ec = {};
      if (parser.got_some())
        parser.put_eof(ec);
      else
        ec = http::error::end_of_stream;
      co_return;
    }
    if (ec) co_return;
    buffer.commit(n);
  }
}

}  // namespace pushsync::http1
