#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sidecar/model/change.hpp"
#include "sidecar/model/platform.hpp"

namespace pushsync {

enum class PayloadKind { background, alert };

struct Installation {
  std::string id;
  Platform platform = Platform::ws;
  std::string token;  // push channel; never logged in full
};

// One push to one device, independent of the provider that carries it.
struct Push {
  std::vector<ChangeId> change_ids;  // every change coalesced into it
  Installation target;
  PayloadKind kind = PayloadKind::background;
  nlohmann::ordered_json fields;     // message, table, op, id, orig, data...
  std::optional<std::string> alert;
  std::optional<std::string> sound;
  std::optional<int> badge;
  std::string collapse_id;           // at most 64 bytes
  std::string body;                  // the wire body for target.platform, once sized (push/wire_format)
};

}  // namespace pushsync
