#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>

#include "sidecar/util/backoff.hpp"
#include "sidecar/capture/claim_lanes.hpp"
#include "sidecar/capture/wakeup.hpp"
#include "sidecar/config/config.hpp"
#include "sidecar/db/db_thread.hpp"
#include "sidecar/db/listener.hpp"
#include "sidecar/db/outbox.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/push/provider_set.hpp"
#include "sidecar/route/router.hpp"
#include "sidecar/util/eager.hpp"

namespace pushsync::capture {

// The main loop: claim a batch and route it (a claim lane's database
// thread), send it (providers, io_context), settle it (the same lane, while
// the next batch is sent); when the outbox is empty, mark the listener asleep
// (`db`, which LISTENs) and wait for a NOTIFY or poll_interval. Database
// failures are retried with backoff; nothing is lost because an unsettled
// claim is rolled back.
class Dispatcher {
 public:
  Dispatcher(const config::Config& config, db::DbThread& db, ClaimLanes& lanes, Wakeup& wakeup,
             push::ProviderSet& providers, metrics::Metrics& metrics);

  boost::asio::awaitable<void> run();
  // Stop claiming; the batch in flight is still settled, then run() ends.
  void stop();

 private:
  struct Claimed {
    route::RoutedBatch batch;
    ClaimLane* lane = nullptr;  // holds the claim until the batch is settled
  };
  // Claims (no sooner than `not_before`) and routes a batch on `lane`;
  // ahead of the batch on the wire when `ahead_of` says where that batch
  // leaves the capture log.
  boost::asio::awaitable<Claimed> claim_and_route(ClaimLane& lane, bool was_asleep,
                                                  Clock::time_point not_before = {},
                                                  std::optional<LogState> ahead_of = std::nullopt);
  route::RoutedBatch route(pqxx::work& tx, db::Outbox::Claim claimed);
  // Writes what became of a sent batch in its claim's transaction (false
  // if the claim was lost; its changes are then sent again).
  boost::asio::awaitable<bool> settle_batch(Claimed claimed, std::vector<push::Outcome> outcomes);
  boost::asio::awaitable<void> finish_settling();
  void count(const route::RoutedBatch& batch, const std::vector<push::Outcome>& outcomes);
  void note_claimed(std::size_t changes, Clock::duration since_last_claim);
  Duration pace_after(const route::RoutedBatch& batch) const;
  bool truncation_due(const db::Settlement& settlement);
  void remember_due(Duration from_now);
  Duration sleep_time();

  const config::Config& config_;
  db::DbThread& db_;
  ClaimLanes& lanes_;
  Wakeup& wakeup_;
  push::ProviderSet& providers_;
  metrics::Metrics& metrics_;
  db::Outbox outbox_;
  db::Listener listener_;
  route::Router router_;
  Backoff retry_backoff_;
  // Earliest due_at this sidecar set itself (retries, coalesce window): it
  // wakes up for it instead of waiting for the next poll_interval.
  Clock::time_point next_due_ = Clock::time_point::max();
  Clock::time_point last_claim_{};  // when the last claim started
  double change_rate_ = 0;          // changes/s, averaged (note_claimed)
  Clock::time_point last_truncation_ = Clock::now();  // of the capture log
  bool stopping_ = false;
  std::optional<Eager<bool>> settling_;  // the last batch's settlement, while the next one is sent
};

}  // namespace pushsync::capture
