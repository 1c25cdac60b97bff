#pragma once

#include <boost/asio/awaitable.hpp>

#include "sidecar/util/backoff.hpp"
#include "sidecar/capture/wakeup.hpp"
#include "sidecar/config/config.hpp"
#include "sidecar/db/db_thread.hpp"
#include "sidecar/db/outbox.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/push/provider_set.hpp"
#include "sidecar/route/router.hpp"

namespace pushsync::capture {

// The main loop: claim a batch and route it (database thread), send it
// (providers, io_context), settle it (database thread); when the outbox is
// empty, mark the listener asleep and wait for a NOTIFY or poll_interval.
// Database failures are retried with backoff; nothing is lost because
// unsettled changes return to the queue when their lease ends.
class Dispatcher {
 public:
  Dispatcher(const config::Config& config, db::DbThread& db, Wakeup& wakeup, push::ProviderSet& providers,
             metrics::Metrics& metrics);

  boost::asio::awaitable<void> run();
  // Stop claiming; the batch in flight is still settled, then run() ends.
  void stop();

 private:
  boost::asio::awaitable<route::RoutedBatch> claim_and_route(bool was_asleep);
  boost::asio::awaitable<void> deliver(route::RoutedBatch batch);
  void count(const route::RoutedBatch& batch, const std::vector<push::Outcome>& outcomes);
  void remember_due(Duration from_now);
  Duration sleep_time();

  const config::Config& config_;
  db::DbThread& db_;
  Wakeup& wakeup_;
  push::ProviderSet& providers_;
  metrics::Metrics& metrics_;
  db::Outbox outbox_;
  route::Router router_;
  Backoff retry_backoff_;
  // Earliest due_at this sidecar set itself (retries, coalesce window): it
  // wakes up for it instead of waiting for the next poll_interval.
  Clock::time_point next_due_ = Clock::time_point::max();
  bool stopping_ = false;
};

}  // namespace pushsync::capture
