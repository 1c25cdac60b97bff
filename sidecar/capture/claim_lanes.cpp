#include "sidecar/capture/claim_lanes.hpp"

#include <memory>
#include <string>

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

ClaimLane::ClaimLane(const std::string& url, boost::asio::io_context& io) : db_(url, "", io, [] {}) {
  db_.on_disconnect([this] { tx_.reset(); });
}

boost::asio::awaitable<route::RoutedBatch> ClaimLane::claim(const ClaimTask& claim) {
  return db_.run([this, claim](pqxx::connection& conn) {
    tx_.reset();
    tx_ = std::make_unique<pqxx::work>(conn, "pushsync_claim");
    auto batch = in_claim(tx_, [&](pqxx::work& tx) {
      auto claimed = claim(tx);
      if (claimed.changes.empty()) tx.commit();
      return claimed;
    });
    if (batch.changes.empty()) tx_.reset();
    return batch;
  });
}

boost::asio::awaitable<bool> ClaimLane::settle(const SettleTask& settle) {
  return db_.run([this, settle](pqxx::connection&) {
    if (!tx_) throw lost_claim("the connection closed");
    in_claim(tx_, [&](pqxx::work& tx) {
      settle(tx);
      tx.commit();
    });
    tx_.reset();
    return true;
  });
}

ClaimLanes::ClaimLanes(const std::string& url, boost::asio::io_context& io, int count) {
  for (int i = 0; i < count; ++i) lanes_.push_back(std::make_unique<ClaimLane>(url, io));
}

}  // namespace pushsync::capture
