#include "sidecar/push/ws/device_message.hpp"

#include <nlohmann/json.hpp>

#include "sidecar/util/json_text.hpp"

namespace pushsync::push {

std::vector<std::int64_t> acks_in(std::string_view text) {
  auto message = parse_json_or_discarded(text);
  std::vector<std::int64_t> out;
  if (!message.is_object() || !message.contains("ack")) return out;
  const auto& ack = message["ack"];
  if (ack.is_number_integer()) out.push_back(ack.get<std::int64_t>());
  if (ack.is_array())
    for (const auto& n : ack)
      if (n.is_number_integer()) out.push_back(n.get<std::int64_t>());
  return out;
}

}  // namespace pushsync::push
