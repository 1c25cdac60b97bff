#include "sidecar/capture/dispatcher.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "sidecar/capture/settlement.hpp"
#include "sidecar/db/pg_directory.hpp"
#include "sidecar/util/eager.hpp"

namespace pushsync::capture {

using namespace std::chrono_literals;

Dispatcher::Dispatcher(const config::Config& config, db::DbThread& db, ClaimLanes& lanes, Wakeup& wakeup,
                       push::ProviderSet& providers, metrics::Metrics& metrics)
    : config_(config),
      db_(db),
      lanes_(lanes),
      wakeup_(wakeup),
      providers_(providers),
      metrics_(metrics),
      outbox_(config.database.schema),
      listener_(config.database.schema),
      router_(config),
      retry_backoff_(config.delivery.backoff.initial, config.delivery.backoff.max) {}

void Dispatcher::stop() {
  stopping_ = true;
  wakeup_.notify();
}

boost::asio::awaitable<Dispatcher::Claimed> Dispatcher::claim_and_route(ClaimLane& lane, bool was_asleep,
                                                                       Clock::time_point not_before,
                                                                       std::optional<LogState> ahead_of) {
  if (not_before > Clock::now()) {
    boost::asio::steady_timer pace(co_await boost::asio::this_coro::executor, not_before);
    co_await pace.async_wait(boost::asio::use_awaitable);
  }
  const auto now = Clock::now();
  const auto since_last_claim = now - last_claim_;
  last_claim_ = now;
  // Woken, the listener's flag is cleared (writers stop waking us) while
  // the claim runs on its lane: it need not come first, since falling
  // asleep again looks at the log after taking the wake lock. One round
  // trip fewer before the first push after a quiet spell.
  std::optional<Eager<bool>> woken;
  if (was_asleep) {
    auto wake_up = [this](pqxx::connection& conn) {
      listener_.wake_up(conn);
      return true;
    };
    woken.emplace(co_await boost::asio::this_coro::executor, db_.run(wake_up));
  }
  // Routing runs on the lane's thread, but never on two lanes at once: the
  // next claim starts only once this one has returned. A claim ahead of a
  // batch on the wire reads and routes while that batch is sent, and only
  // then waits for the reader's lock; if the log was not left where that
  // batch said (its settlement failed, another sidecar read), it is read
  // again, holding the lock. (Its routing may then have remembered pushes
  // that were not sent: at worst a change is held back one coalesce window.)
  ClaimLane::ClaimTask claim = [this, ahead_of](pqxx::work& tx) {
    const auto& db = config_.database;
    // Rows of statements: as many as pushes fit (a row is usually a push).
    const db::Outbox::Limits limits{db.batch_size, std::max(db.batch_size, db.batch_pushes),
                                    std::max(1, std::min(db.batch_size, db.batch_pushes / 2)), db.lease};
    if (ahead_of) {
      if (auto ahead = outbox_.claim_ahead(tx, limits, *ahead_of)) {
        auto batch = route(tx, std::move(*ahead));
        if (batch.empty() || outbox_.confirm_ahead(tx, *ahead_of)) return batch;
        outbox_.undo_claim(tx);
      }
    }
    return route(tx, outbox_.claim(tx, limits));
  };
  auto batch = co_await lane.claim(claim);
  note_claimed(batch.changes.size(), since_last_claim);
  if (woken) co_await woken->get();  // done before this sidecar can fall asleep again
  co_return Claimed{std::move(batch), &lane};
}

route::RoutedBatch Dispatcher::route(pqxx::work& tx, db::Outbox::Claim claimed) {
  if (claimed.changes.empty() && claimed.retries.empty()) return route::RoutedBatch{};
  const auto& db = config_.database;
  db::PgDirectory directory(tx, db.schema);
  auto batch = router_.route(std::move(claimed.changes), std::move(claimed.retries), directory, claimed.now,
                             db.batch_pushes);
  batch.log_window = claimed.log_window;
  if (claimed.deliveries_waiting) route::fold_into_pending(batch, outbox_.lock_waiting(tx, batch.pushes));
  return batch;
}

boost::asio::awaitable<bool> Dispatcher::settle_batch(Claimed claimed, std::vector<push::Outcome> outcomes) {
  const route::RoutedBatch& batch = claimed.batch;
  count(batch, outcomes);
  auto settlement = settle(batch, outcomes, config_.delivery.max_attempts, retry_backoff_);
  settlement.truncate_log = truncation_due(settlement);
  ClaimLane::SettleTask write = [this, &settlement](pqxx::work& tx) { outbox_.settle(tx, settlement); };
  try {
    co_await claimed.lane->settle(write);
  } catch (const std::exception& e) {
    // Its claim is gone, so its changes are due again: sent twice, never lost.
    spdlog::warn("could not settle {} change(s) and {} push(es): {}", batch.changes.size(), batch.pushes.size(),
                 e.what());
    co_return false;
  }
  for (const auto& r : settlement.retries) remember_due(r.delay);
  for (const auto& h : settlement.held_back)
    remember_due(std::chrono::duration_cast<Duration>(h.until - batch.claimed_at));
  bool trouble = !settlement.retries.empty() || !settlement.dead_letters.empty() || !settlement.invalid_tokens.empty();
  spdlog::log(trouble ? spdlog::level::info : spdlog::level::debug,
              "settled {} change(s): {} push(es), {} waiting to be retried, {} folded into waiting ones, {} held "
              "back, {} fan-out(s) to go on, {} dead-lettered, {} token(s) invalid",
              batch.changes.size(), batch.pushes.size(), settlement.retries.size(), settlement.folds.size(),
              settlement.held_back.size(), settlement.progress.size(), settlement.dead_letters.size(),
              settlement.invalid_tokens.size());
  co_return true;
}

boost::asio::awaitable<void> Dispatcher::finish_settling() {
  if (!settling_) co_return;
  auto pending = std::move(*settling_);
  settling_.reset();
  co_await pending.get();
}

void Dispatcher::count(const route::RoutedBatch& batch, const std::vector<push::Outcome>& outcomes) {
  metrics_.captured(static_cast<long long>(batch.rows_routed));
  const auto now = std::chrono::system_clock::now();
  for (std::size_t i = 0; i < batch.pushes.size(); ++i) {
    const Push& push = batch.pushes[i];
    metrics_.pushed({push.target.id, to_string(push.target.platform), push.origin.record,
                     to_string(outcomes[i].kind), outcomes[i].reason},
                    now);
    if (outcomes[i].kind == push::Outcome::Kind::accepted)
      metrics_.commit_to_accept(std::chrono::duration_cast<Duration>(now - push.origin.changed_at));
  }
}

// The rate changes come at: each claim's changes over the time since the
// claim before, averaged over about the last 200 ms (claims 2 ms apart find
// 0 to 5 changes at 1,000/s: one claim alone says little).
void Dispatcher::note_claimed(std::size_t changes, Clock::duration since_last_claim) {
  constexpr double window = 0.2;  // seconds
  const double gap = std::chrono::duration<double>(since_last_claim).count();
  if (gap <= 0) return;
  const double weight = 1 - std::exp(-gap / window);
  change_rate_ += weight * (static_cast<double>(changes) / gap - change_rate_);
}

// How long after a claim the next may start: batches sized by the latency
// budget, by the rate changes come at (not by how many the last claim found,
// which would feed on itself). A full batch: at once (work is waiting). Up
// to 2,000 changes/s (latency is promised at 1,000/s, and writers' commits
// come in bursts): busy_poll. Above, a claim's fixed cost (about 1.4 ms of
// database and 1 ms of sidecar CPU whatever it holds: a transaction of a
// few round trips, hand-overs between threads) is spread over more changes:
// the wait grows with the rate, to batch_interval from 5,000 changes/s (a
// claim then finds 250 or more at the default 50 ms).
Duration Dispatcher::pace_after(const route::RoutedBatch& batch) const {
  constexpr double prompt_rate = 2000, full_rate = 5000;  // changes/s
  const auto& db = config_.database;
  if (static_cast<int>(batch.changes.size()) >= db.batch_size) return Duration::zero();
  const double share = std::clamp((change_rate_ - prompt_rate) / (full_rate - prompt_rate), 0.0, 1.0);
  return std::max(db.busy_poll, std::chrono::duration_cast<Duration>(db.batch_interval * share));
}

// When a settlement reads the whole capture log, it is emptied, but at most
// every truncate_interval: a TRUNCATE holds writers back while it waits for
// those in flight (up to 10 ms) and makes their sessions plan again.
bool Dispatcher::truncation_due(const db::Settlement& settlement) {
  if (!settlement.log || !settlement.log->target.empty()) return false;
  const auto now = Clock::now();
  if (now - last_truncation_ < config_.database.truncate_interval) return false;
  last_truncation_ = now;
  return true;
}

void Dispatcher::remember_due(Duration from_now) {
  // A little late rather than early: our clock and the database's differ.
  next_due_ = std::min(next_due_, Clock::now() + from_now + Duration(5));
}

Duration Dispatcher::sleep_time() {
  auto now = Clock::now();
  if (next_due_ <= now) next_due_ = Clock::time_point::max();
  if (next_due_ == Clock::time_point::max()) return config_.database.poll_interval;
  return std::min(config_.database.poll_interval, std::chrono::duration_cast<Duration>(next_due_ - now));
}

boost::asio::awaitable<void> Dispatcher::run() {
  // While changes keep coming, the next batch is claimed as soon as one is
  // handed to the providers, but no sooner than pace_after(batch) after the
  // last claim (each claim costs the database a transaction), and writers
  // pay no NOTIFY. An empty claim is followed by another after
  // busy_poll, then twice that, ... up to `max_poll`; after `quiet` without
  // a change, sleep on LISTEN until a writer wakes us or poll_interval passes.
  if (!config_.database.claim) {  // a replica for the API and WebSocket devices only
    while (!stopping_) co_await wakeup_.wait(std::chrono::hours(1));
    co_return;
  }
  const Duration pace = config_.database.busy_poll;
  const Duration max_poll = std::max(pace, Duration(5));
  constexpr Duration quiet(100);
  Backoff reconnect(500ms, 30s);
  auto executor = co_await boost::asio::this_coro::executor;
  int failures = 0;
  Duration poll = pace;
  Clock::time_point last_work{};
  bool asleep = false;
  // While a batch is on the wire the database claims the next one and
  // settles the last one. A claimed batch is always delivered and settled,
  // even when stopping.
  std::optional<Eager<Claimed>> next;
  while (!stopping_ || next) {
    std::string error;
    ClaimLane* unsettled = nullptr;  // holds a batch not yet handed to its settlement
    try {
      Claimed claimed;
      if (next) {
        auto pending = std::move(*next);
        next.reset();
        claimed = co_await pending.get();
      } else {
        claimed = co_await claim_and_route(lanes_.next(), asleep);
      }
      const route::RoutedBatch& batch = claimed.batch;
      asleep = false;
      if (failures > 0) spdlog::info("database reachable again");
      failures = 0;
      const bool busy = config_.database.busy_poll > Duration::zero();
      if (!batch.empty()) {
        unsettled = claimed.lane;
        // Claim the next batch on the other lane while this one is sent.
        // Not after a cut: the next claim must see where this one stopped.
        if (!batch.cut && !stopping_) {
          next.emplace(executor,
                       claim_and_route(lanes_.next(), false, last_claim_ + pace_after(batch), log_left_by(batch)));
          // Let the claim reach its database thread before this batch's
          // requests are built (milliseconds of work on this thread).
          co_await boost::asio::post(executor, boost::asio::use_awaitable);
        }
        auto outcomes = co_await providers_.send(claimed.batch.pushes);
        // One settlement in flight: it is written while the next batch is sent.
        co_await finish_settling();
        const bool cut = batch.cut;
        unsettled = nullptr;
        if (cut) {
          co_await settle_batch(std::move(claimed), std::move(outcomes));
        } else {
          settling_.emplace(executor, settle_batch(std::move(claimed), std::move(outcomes)));
        }
        last_work = Clock::now();
        poll = pace;
        continue;
      }
      if (busy && Clock::now() - last_work < quiet) {
        co_await wakeup_.wait(poll);
        poll = std::min(2 * poll, max_poll);
        continue;
      }
      co_await finish_settling();  // its retries set when we next wake up
      asleep = true;  // set first: should falling asleep fail halfway, the next claim wakes up all the same
      auto sleep = co_await db_.run([this](pqxx::connection& conn) { return listener_.fall_asleep(conn); });
      if (stopping_ || sleep == db::Listener::Sleep::due) continue;
      co_await wakeup_.wait(sleep == db::Listener::Sleep::asleep ? sleep_time() : max_poll);
      continue;
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (unsettled) unsettled->abandon();
    Duration delay = reconnect.delay(++failures);
    spdlog::warn("database unavailable ({}); retrying in {} ms", error, delay.count());
    if (!stopping_) co_await wakeup_.wait(delay);
  }
  co_await finish_settling();
  if (asleep) {
    // Nobody listens now: stop writers from paying for NOTIFY.
    try {
      co_await db_.run([this](pqxx::connection& conn) {
        listener_.wake_up(conn);
        return true;
      });
    } catch (const std::exception& e) {
      spdlog::debug("could not clear the listener flag on shutdown: {}", e.what());
    }
  }
}

}  // namespace pushsync::capture
