#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "sidecar/model/backlog.hpp"
#include "sidecar/model/duration.hpp"
#include "sidecar/metrics/push_status.hpp"

namespace pushsync::metrics {

// Counters of one sidecar process, rendered in the Prometheus text format.
// Used only on the io_context thread, so nothing here is atomic.
class Metrics {
 public:
  void captured(long long changes) { captured_ += changes; }
  void pushed(const SentPush& push, WallTime at);
  void commit_to_accept(Duration latency);
  void http_request(std::string_view route, int status);
  void ws_connected() { ++ws_connections_; }
  void ws_disconnected() { --ws_connections_; }
  void ws_refused() { ++ws_refused_; }
  void accept_failed() { ++accept_failures_; }

  // `providers_up`: by platform, whether its provider can send.
  std::string render(const Backlog& backlog, const std::map<std::string, bool>& providers_up = {}) const;

  // What the console shows (GET /v1/status).
  long long captured() const { return captured_; }
  // By (platform, outcome).
  const std::map<std::pair<std::string, std::string>, std::uint64_t>& pushes() const { return pushes_; }
  long long ws_connections() const { return ws_connections_; }
  const PushStatus& push_status() const { return status_; }

 private:
  static constexpr std::array<double, 14> latency_buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                          1,     2.5,  5,     10,   30,  60,   300};
  long long captured_ = 0;
  PushStatus status_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> pushes_;
  std::array<std::uint64_t, latency_buckets.size()> latency_counts_{};  // not cumulative
  std::uint64_t latency_count_ = 0;
  double latency_sum_ = 0;
  std::map<std::pair<std::string, int>, std::uint64_t> http_;
  long long ws_connections_ = 0;
  std::uint64_t ws_refused_ = 0;
  std::uint64_t accept_failures_ = 0;
};

}  // namespace pushsync::metrics
