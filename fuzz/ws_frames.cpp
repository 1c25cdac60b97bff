#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "fuzz/targets.hpp"
#include "sidecar/push/ws/device_message.hpp"

namespace pushsync::fuzz {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

const std::string handshake =
    "GET /v1/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

}  // namespace

// After an accepted handshake, a device's bytes are read as the session
// reads them (its message limit, each message to acks_in) until they end
// or the connection is refused: every message read is within the limit.
void ws_frames(Input input) {
  asio::io_context io;
  beast::test::stream device(io), server(io);
  device.connect(server);
  server.append(handshake);
  server.append({reinterpret_cast<const char*>(input.data()), input.size()});
  device.close();  // the server reads what was appended, then the end of the stream
  beast::websocket::stream<beast::test::stream&> ws(server);
  ws.read_message_max(push::max_device_message);
  boost::system::error_code ec;
  ws.accept(ec);
  expect(!ec, "the device's handshake is accepted");
  beast::flat_buffer buffer;
  while (!ec) {
    buffer.clear();
    ws.read(buffer, ec);
    if (ec) break;
    expect(buffer.size() <= push::max_device_message, "no message read is over the limit");
    push::acks_in(beast::buffers_to_string(buffer.data()));
  }
}

}  // namespace pushsync::fuzz
