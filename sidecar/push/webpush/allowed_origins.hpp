#pragma once

#include <optional>
#include <vector>

#include "sidecar/config/origin_pattern.hpp"
#include "sidecar/http2/connection.hpp"

namespace pushsync::push::webpush {

// Where Web Push may send (webpush.allowed_origins): a subscription names
// any URL, so without a list the sidecar could be made to connect anywhere
// (SSRF). A pattern is a host ("fcm.googleapis.com"), any subdomain of one
// ("*.push.apple.com"), or "*", each with an optional ":port" (any port
// without one): config::OriginPattern.
class AllowedOrigins {
 public:
  // `configured`: the operator's list; nullopt: the browsers' push services.
  explicit AllowedOrigins(std::optional<std::vector<config::OriginPattern>> configured);

  // The push services of Chrome, Edge, Firefox and Safari (web-push-libs/
  // web-push#801, beverloo/peter.sh#54): fcm.googleapis.com and
  // android.googleapis.com, updates.push.services.mozilla.com,
  // *.notify.windows.com, *.push.apple.com.
  static std::vector<config::OriginPattern> browser_push_services();

  bool allows(const http2::Endpoint& endpoint) const;
  // The endpoint as it may be connected to: to public addresses only,
  // unless the operator listed its host by name (no wildcard), as a test or
  // a push service inside the network needs.
  http2::Endpoint connectable(http2::Endpoint endpoint) const;

 private:
  std::vector<config::OriginPattern> patterns_;
  bool listed_;  // the operator's own list
};

}  // namespace pushsync::push::webpush
