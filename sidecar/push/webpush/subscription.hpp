#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sidecar/http2/url.hpp"
#include "sidecar/push/webpush/ece.hpp"

namespace pushsync::push::webpush {

// A browser's PushSubscription, as PushSubscription.toJSON() gives it:
// {"endpoint": "https://...", "keys": {"p256dh": "...", "auth": "..."}}.
struct Subscription {
  http2::Url endpoint;
  std::string origin;  // https://host[:port]: the VAPID audience and the connection pool
  ReceiverKeys keys;   // decoded
};

// The subscription, or why it is not one (for the API's error message).
struct ParsedSubscription {
  std::optional<Subscription> subscription;
  std::string why;
};

// `KeyCheck::on_curve` (registration) also checks that p256dh is a point on
// P-256; `length_only` (sending) leaves that to the Encryptor, which loads
// the point anyway and throws UnusableKeys.
enum class KeyCheck { on_curve, length_only };
ParsedSubscription parse_subscription(std::string_view json, KeyCheck check = KeyCheck::on_curve);

// The form pushsync stores: endpoint and keys only (expirationTime and
// unknown members dropped), so one browser's subscription is one text.
std::string stored_form(std::string_view json);

}  // namespace pushsync::push::webpush
