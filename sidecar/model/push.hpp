#pragma once

#include <cstdint>
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

using DeliveryId = std::int64_t;

// What a push is about, for settling it: the newest change it carries,
// and, for a push being retried, its row in pushsync.deliveries.
struct PushOrigin {
  ChangeId change_id = 0;
  std::string table_key;   // "" for a direct push
  std::string op;          // insert, update, delete, or push
  std::string row_id;
  DbTime changed_at{};     // the change's commit time, for latency and dead letters
  // What coalesces: a device gets one push per record at a time.
  // "<table key>\n<row id>", or "#<change id>" for a direct push.
  std::string record;
  std::optional<DeliveryId> delivery;  // the retry row this push settles
  int attempts = 0;                    // earlier attempts of this push
};

// One push to one device, independent of the provider that carries it.
struct Push {
  PushOrigin origin;
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
