#include <string_view>
#include <vector>

#include "fuzz/targets.hpp"
#include "sidecar/push/ws/device_message.hpp"
#include "sidecar/push/ws/ws_frames.hpp"

namespace pushsync::fuzz {

// A device's bytes after its WebSocket handshake, read as the session reads
// them (in two pieces, split where the first byte says, as reads split a
// stream): every message is within the limit, each goes to acks_in, and
// nothing comes after a close or a violation.
void ws_frames(Input input) {
  const std::string_view bytes(reinterpret_cast<const char*>(input.data()), input.size());
  const std::size_t split = bytes.empty() ? 0 : static_cast<unsigned char>(bytes[0]) % bytes.size();
  push::WsReader reader(push::max_device_message);
  std::vector<push::WsReader::Event> events;
  reader.feed(bytes.substr(0, split), events);
  reader.feed(bytes.substr(split), events);
  using Kind = push::WsReader::Event::Kind;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& event = events[i];
    if (event.kind == Kind::close || event.kind == Kind::violation)
      expect(i + 1 == events.size(), "nothing is read after a close or a violation");
    if (event.kind != Kind::message) continue;
    expect(event.payload.size() <= push::max_device_message, "no message read is over the limit");
    push::acks_in(event.payload);
  }
}

}  // namespace pushsync::fuzz
