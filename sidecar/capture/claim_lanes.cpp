#include "sidecar/capture/claim_lanes.hpp"

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

}  // namespace

ClaimLane::ClaimLane(const std::string& url, boost::asio::io_context& io) : db_(url, "", io, [] {}) {
  db_.on_disconnect([this] { tx_.reset(); });
}

boost::asio::awaitable<route::RoutedBatch> ClaimLane::claim(const ClaimTask& claim) {
  return db_.run([this, claim](pqxx::connection& conn) {
    tx_.reset();
    tx_ = std::make_unique<pqxx::work>(conn, "pushsync_claim");
    try {
      auto batch = claim(*tx_);
      if (batch.changes.empty()) tx_->commit(), tx_.reset();
      return batch;
    } catch (const pqxx::broken_connection& e) {
      tx_.reset();
      throw lost_claim(e.what());
    } catch (...) {
      tx_.reset();
      throw;
    }
  });
}

boost::asio::awaitable<bool> ClaimLane::settle(const SettleTask& settle) {
  return db_.run([this, settle](pqxx::connection&) {
    if (!tx_) throw lost_claim("the connection closed");
    try {
      settle(*tx_);
      tx_->commit();
    } catch (const pqxx::broken_connection& e) {
      tx_.reset();
      throw lost_claim(e.what());
    } catch (...) {
      tx_.reset();
      throw;
    }
    tx_.reset();
    return true;
  });
}

ClaimLanes::ClaimLanes(const std::string& url, boost::asio::io_context& io, int count) {
  for (int i = 0; i < count; ++i) lanes_.push_back(std::make_unique<ClaimLane>(url, io));
}

}  // namespace pushsync::capture
