#include "sidecar/capture/claim_lanes.hpp"

#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/except>

namespace pushsync::capture {

namespace {

// The database ended the claim's transaction: idle longer than
// database.lease, or the connection broke.
pqxx::broken_connection lost_claim(const std::string& why) {
  return pqxx::broken_connection("the claimed batch was released before it was settled (" + why +
                                 "); its changes will be claimed and sent again");
}

// Runs `step` in the claim's transaction; if it fails, the transaction (and
// with it the claim) is dropped.
template <class Step>
auto in_claim(std::unique_ptr<pqxx::work>& tx, const Step& step) {
  try {
    return step(*tx);
  } catch (const pqxx::broken_connection& e) {
    tx.reset();
    throw lost_claim(e.what());
  } catch (...) {
    tx.reset();
    throw;
  }
}

}  // namespace

ClaimLane::ClaimLane(const std::string& url, boost::asio::io_context& io)
    : db_(url, "", io, [](const db::Notification&) {}), released_(io, boost::asio::steady_timer::time_point::max()) {
  db_.on_disconnect([this] { tx_.reset(); });
}

void ClaimLane::release() {
  holding_ = false;
  released_.cancel();
}

boost::asio::awaitable<route::RoutedBatch> ClaimLane::claim(const ClaimTask& claim) {
  while (holding_) {
    boost::system::error_code ignored;
    co_await released_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }
  holding_ = true;
  auto task = [this, claim](pqxx::connection& conn) {
    tx_ = std::make_unique<pqxx::work>(conn, "pushsync_claim");
    auto batch = in_claim(tx_, [&](pqxx::work& tx) {
      auto claimed = claim(tx);
      if (claimed.empty()) tx.commit();
      return claimed;
    });
    if (batch.empty()) tx_.reset();
    return batch;
  };
  route::RoutedBatch batch;
  try {
    batch = co_await db_.run(task);
  } catch (...) {
    release();
    throw;
  }
  if (batch.empty()) release();
  co_return batch;
}

boost::asio::awaitable<void> ClaimLane::settle(const SettleTask& settle) {
  auto task = [this, settle](pqxx::connection&) {
    if (!tx_) throw lost_claim("the connection closed");
    in_claim(tx_, [&](pqxx::work& tx) {
      settle(tx);
      tx.commit();
    });
    tx_.reset();
    return true;
  };
  try {
    co_await db_.run(task);
  } catch (...) {
    release();
    throw;
  }
  release();
}

void ClaimLane::abandon() {
  auto rollback = [this](pqxx::connection&) {
    tx_.reset();
    return true;
  };
  boost::asio::co_spawn(
      released_.get_executor(),
      [this, rollback]() -> boost::asio::awaitable<void> {
        try {
          co_await db_.run(rollback);
        } catch (...) {
        }
        release();
      },
      boost::asio::detached);
}

ClaimLanes::ClaimLanes(const std::string& url, boost::asio::io_context& io, int count) {
  for (int i = 0; i < count; ++i) lanes_.push_back(std::make_unique<ClaimLane>(url, io));
}

}  // namespace pushsync::capture
