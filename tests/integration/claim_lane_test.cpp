// A claim lane against a real PostgreSQL: the transaction that holds a
// batch's row locks must reach its settlement, whatever is claimed next.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <pqxx/pqxx>

#include "sidecar/capture/claim_lanes.hpp"
#include "sidecar/util/eager.hpp"
#include "tests/support/temp_postgres.hpp"

namespace pushsync::capture {
namespace {

using test::sql;
using test::sql_value;

// A batch of the outbox rows `FOR UPDATE SKIP LOCKED` gives this transaction.
route::RoutedBatch lock_rows(pqxx::work& tx) {
  route::RoutedBatch batch;
  for (const auto& row : tx.exec("SELECT id FROM outbox ORDER BY id FOR UPDATE SKIP LOCKED")) {
    Change c;
    c.id = row[0].as<ChangeId>();
    batch.changes.push_back(c);
  }
  return batch;
}

boost::asio::awaitable<bool> settle(ClaimLane& lane, ClaimLane::SettleTask task) {
  co_await lane.settle(task);
  co_return true;
}

// The race seen at the end of large drains: the dispatcher spawns a batch's
// settlement (which reaches the lane's thread a little later) and may claim
// on the same lane at once, without yielding in between. The claim used to
// open a new transaction over the unsettled one, rolling its claim back:
// "could not settle ... the connection closed", and the batch was sent
// again. A lane now holds one batch at a time: the claim waits.
TEST(ClaimLane, AClaimWaitsForTheSettlementOfTheBatchTheLaneHolds) {
  const std::string url = test::shared_cluster().create_database();
  sql(url, "CREATE TABLE outbox (id bigint PRIMARY KEY); INSERT INTO outbox VALUES (1)");
  boost::asio::io_context io;
  ClaimLane lane(url, io);
  std::string failure;
  std::size_t claimed_again = 99;
  auto scenario = [&]() -> boost::asio::awaitable<void> {
    auto executor = co_await boost::asio::this_coro::executor;
    ClaimLane::ClaimTask claim = lock_rows;
    auto first = co_await lane.claim(claim);
    EXPECT_EQ(first.changes.size(), 1u);
    ClaimLane::SettleTask done = [](pqxx::work& tx) { tx.exec("DELETE FROM outbox WHERE id = 1"); };
    Eager<bool> settling(executor, settle(lane, done));
    claimed_again = (co_await lane.claim(claim)).changes.size();  // no yield before it
    try {
      co_await settling.get();
    } catch (const std::exception& e) {
      failure = e.what();
    }
  };
  boost::asio::co_spawn(io, scenario(), boost::asio::detached);
  io.run();
  EXPECT_EQ(failure, "") << "the settlement lost its transaction";
  EXPECT_EQ(sql_value(url, "SELECT count(*) FROM outbox"), "0") << "the settled batch must be gone";
  EXPECT_EQ(claimed_again, 0u) << "the second claim ran after the settlement";
}

// A batch that was never sent (the dispatcher failed before sending it) is
// rolled back, and the lane claims again.
TEST(ClaimLane, AnAbandonedBatchIsRolledBackAndTheLaneClaimsAgain) {
  const std::string url = test::shared_cluster().create_database();
  sql(url, "CREATE TABLE outbox (id bigint PRIMARY KEY); INSERT INTO outbox VALUES (1)");
  boost::asio::io_context io;
  ClaimLane lane(url, io);
  std::size_t first = 0, second = 0;
  auto scenario = [&]() -> boost::asio::awaitable<void> {
    ClaimLane::ClaimTask claim = lock_rows;
    first = (co_await lane.claim(claim)).changes.size();
    lane.abandon();
    second = (co_await lane.claim(claim)).changes.size();
    ClaimLane::SettleTask nothing = [](pqxx::work&) {};
    co_await lane.settle(nothing);
  };
  boost::asio::co_spawn(io, scenario(), boost::asio::detached);
  io.run();
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(second, 1u) << "the abandoned claim's row is free again";
}

}  // namespace
}  // namespace pushsync::capture
