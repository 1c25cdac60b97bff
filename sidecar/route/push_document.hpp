#pragma once

#include <nlohmann/json.hpp>

#include "sidecar/model/push.hpp"

namespace pushsync::route {

// A push's payload (kind, fields, alert, sound, badge, collapse id) as the
// JSON kept in pushsync.deliveries and dead_letters, so it can be sent
// again exactly as it was built.
nlohmann::json push_document(const Push& push);
// Sets the payload of `push` from a push_document.
void read_push_document(const nlohmann::json& document, Push& push);

// The coalescing key of a record (PushOrigin::record).
std::string record_key(const std::string& table_key, const std::string& row_id);
std::string direct_push_record(ChangeId id);

}  // namespace pushsync::route
