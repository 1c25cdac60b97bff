#pragma once

#include "sidecar/db/db_thread.hpp"
#include "sidecar/db/ws_mailbox.hpp"
#include "sidecar/push/provider.hpp"
#include "sidecar/push/ws/ws_hub.hpp"

namespace pushsync::push {

// Delivers to `ws` devices the way APNs and FCM do for theirs: a push is
// accepted once it is stored (the mailbox, in the database), and the
// device gets it now if connected, or when it reconnects, until
// delivery.expiration. Expired letters are swept once a minute.
class WsProvider : public Provider {
 public:
  WsProvider(db::DbThread& db, const config::Config& config, WsHub& hub);
  boost::asio::awaitable<std::vector<Outcome>> send(std::span<const Push> pushes) override;

 private:
  db::DbThread& db_;
  db::WsMailbox mailbox_;
  Duration ttl_;
  WsHub& hub_;
  Clock::time_point next_sweep_{};
};

}  // namespace pushsync::push
