#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sidecar/model/push.hpp"
#include "sidecar/push/outcome.hpp"

namespace pushsync::push {

// One push service (APNs, FCM, WebSocket, or the dry-run log). Runs on the
// io_context; answers one Outcome per push, in order. Never throws for a
// provider's answer: failures are outcomes.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual boost::asio::awaitable<std::vector<Outcome>> send(std::span<const Push> pushes) = 0;
  // Closes connections so the io_context can finish; send() is not called again.
  virtual void close() {}
  // False while the provider cannot send at all (auth refused, unreachable).
  virtual bool healthy() const { return true; }
  // Its open connections by server (https://host[:port]), for the console.
  virtual std::map<std::string, std::size_t> connections() const { return {}; }
};

}  // namespace pushsync::push
