#pragma once

#include "sidecar/push/provider.hpp"
#include "sidecar/push/ws/ws_hub.hpp"

namespace pushsync::push {

// Delivers to `ws` devices the way APNs and FCM do for theirs: a push is
// accepted once it is stored (the mailbox, in the database), and the
// device gets it now if connected (to this sidecar or another), or when it
// reconnects, until delivery.expiration. Expired letters are swept once a
// minute.
class WsProvider : public Provider {
 public:
  WsProvider(const config::Config& config, WsHub& hub);
  boost::asio::awaitable<std::vector<Outcome>> send(std::span<const Push> pushes) override;

 private:
  Duration ttl_;
  WsHub& hub_;
  Clock::time_point next_sweep_{};
};

}  // namespace pushsync::push
