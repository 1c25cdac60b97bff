#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <pqxx/transaction>

#include "sidecar/db/db_thread.hpp"
#include "sidecar/route/router.hpp"

namespace pushsync::capture {

// A database connection whose transaction stays open from a batch's claim
// to its settlement: the transaction's row locks are the claim, and the
// settlement commits in it. If the sidecar dies, PostgreSQL rolls the
// transaction back and the rows are free at once. A lane holds one batch
// at a time: a claim waits until the lane's last batch is settled (or
// abandoned), so a settlement can never find its transaction replaced.
class ClaimLane {
 public:
  using ClaimTask = std::function<route::RoutedBatch(pqxx::work&)>;
  using SettleTask = std::function<void(pqxx::work&)>;

  ClaimLane(const std::string& url, boost::asio::io_context& io);

  // Waits until the lane holds no batch, opens its transaction and runs
  // `claim` in it; commits at once if nothing was claimed. Throws if the
  // connection breaks once the transaction has begun.
  boost::asio::awaitable<route::RoutedBatch> claim(const ClaimTask& claim);
  // Runs `settle` in the claim's transaction and commits it. Throws if the
  // transaction is gone (connection lost, or idle longer than the lease):
  // its changes are then claimed again and delivered again.
  boost::asio::awaitable<void> settle(const SettleTask& settle);
  // Rolls the held batch back (it was not sent, or its fate is unknown).
  void abandon();

 private:
  void release();

  std::unique_ptr<pqxx::work> tx_;  // only touched on db_'s thread; outlives db_
  db::DbThread db_;
  bool holding_ = false;            // io thread: a claimed batch awaits its settlement
  boost::asio::steady_timer released_;
};

// The lanes taken in turn: while one batch is on the wire, the next one is
// claimed on the other lane.
class ClaimLanes {
 public:
  ClaimLanes(const std::string& url, boost::asio::io_context& io, int count = 2);
  ClaimLane& next() { return *lanes_[next_++ % lanes_.size()]; }

 private:
  std::vector<std::unique_ptr<ClaimLane>> lanes_;
  std::size_t next_ = 0;
};

}  // namespace pushsync::capture
