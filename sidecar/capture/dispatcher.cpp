#include "sidecar/capture/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include "sidecar/capture/settlement.hpp"
#include "sidecar/db/pg_directory.hpp"

namespace pushsync::capture {

using namespace std::chrono_literals;

Dispatcher::Dispatcher(const config::Config& config, db::DbThread& db, Wakeup& wakeup, push::ProviderSet& providers)
    : config_(config),
      db_(db),
      wakeup_(wakeup),
      providers_(providers),
      outbox_(config.database.schema),
      router_(config),
      retry_backoff_(config.delivery.backoff.initial, config.delivery.backoff.max) {}

void Dispatcher::stop() {
  stopping_ = true;
  wakeup_.notify();
}

boost::asio::awaitable<route::RoutedBatch> Dispatcher::claim_and_route(bool was_asleep) {
  co_return co_await db_.run([this, was_asleep](pqxx::connection& conn) {
    if (was_asleep) outbox_.wake_up(conn);
    auto changes = outbox_.claim(conn, config_.database.batch_size, config_.database.lease);
    if (changes.empty()) return route::RoutedBatch{};
    db::PgDirectory directory(conn, config_.database.schema);
    return router_.route(std::move(changes), directory);
  });
}

boost::asio::awaitable<void> Dispatcher::deliver(route::RoutedBatch batch) {
  auto outcomes = co_await providers_.send(batch.pushes);
  auto settlement = settle(batch, outcomes, config_.delivery.max_attempts, retry_backoff_);
  co_await db_.run([this, &settlement](pqxx::connection& conn) {
    outbox_.settle(conn, settlement);
    return true;
  });
  spdlog::info("settled {} change(s): {} push(es), {} retried, {} dead-lettered, {} token(s) invalid",
               batch.changes.size(), batch.pushes.size(), settlement.retries.size(), settlement.dead_letters.size(),
               settlement.invalid_tokens.size());
}

boost::asio::awaitable<void> Dispatcher::run() {
  Backoff reconnect(500ms, 30s);
  int failures = 0;
  bool asleep = false;
  while (!stopping_) {
    std::string error;
    try {
      auto batch = co_await claim_and_route(asleep);
      asleep = false;
      if (failures > 0) spdlog::info("database reachable again");
      failures = 0;
      if (!batch.changes.empty()) {
        co_await deliver(std::move(batch));
        continue;
      }
      bool due = co_await db_.run([this](pqxx::connection& conn) { return outbox_.fall_asleep(conn); });
      asleep = true;
      if (!due && !stopping_) co_await wakeup_.wait(config_.database.poll_interval);
      continue;
    } catch (const std::exception& e) {
      error = e.what();
    }
    Duration delay = reconnect.delay(++failures);
    spdlog::warn("database unavailable ({}); retrying in {} ms", error, delay.count());
    if (!stopping_) co_await wakeup_.wait(delay);
  }
  if (asleep) {
    // Nobody listens now: stop writers from paying for NOTIFY.
    try {
      co_await db_.run([this](pqxx::connection& conn) {
        outbox_.wake_up(conn);
        return true;
      });
    } catch (const std::exception& e) {
      spdlog::debug("could not clear the listener flag on shutdown: {}", e.what());
    }
  }
}

}  // namespace pushsync::capture
