#pragma once

#include <span>

#include <nlohmann/json.hpp>

#include "sidecar/model/duration.hpp"
#include "sidecar/model/push.hpp"
#include "sidecar/push/webpush/ece.hpp"

namespace pushsync::push {

// Apple and Google both refuse bodies above 4 KiB.
inline constexpr std::size_t max_payload_bytes = 4096;

// The APNs request body: {"aps":{"content-available":1}, fields...}.
nlohmann::ordered_json apns_body(const Push& push);

// The FCM HTTP v1 message; every data value a string. `token` may be left
// out (dry-run output) so device tokens are not written anywhere.
nlohmann::ordered_json fcm_message(const Push& push, Duration ttl, bool with_token = true);

// The WebSocket frame, and the Web Push message before encryption: the
// fields as they are, plus alert/sound/badge.
nlohmann::ordered_json ws_frame(const Push& push);

// The body the push's own platform carries: push.body once fit_to_limit
// has set it, else serialized now.
std::string wire_body(const Push& push, Duration ttl);

// Makes the push fit its platform's limit: when it does not, keeps only
// message/table/op/id (the client can still pull the record). Sets
// push.body when it fits; false when even the short form is too large.
bool fit_to_limit(Push& push, Duration ttl);

// fit_to_limit for each push; a push whose body would be the one before
// it (same platform, content and fields: one change's pushes to a tag's
// devices) takes that body instead of serializing it again. Not FCM's,
// whose message names its device.
void fit_all_to_limit(std::span<Push> pushes, Duration ttl);

}  // namespace pushsync::push
