#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace pushsync::push {

// The largest message a device may send on the WebSocket channel; a larger
// one closes its connection (1009, message too big).
inline constexpr std::size_t max_device_message = 4096;

// The letters a device's message acknowledges: {"ack": n} or {"ack": [n, ...]}.
// Anything else (not JSON, another member, numbers that are not whole) acknowledges nothing.
std::vector<std::int64_t> acks_in(std::string_view text);

}  // namespace pushsync::push
