#include "sidecar/metrics/metrics.hpp"

#include <fmt/format.h>

namespace pushsync::metrics {

void Metrics::pushed(const SentPush& push, WallTime at) {
  ++pushes_[{std::string(push.platform), std::string(push.outcome)}];
  status_.record(push, at);
}

void Metrics::commit_to_accept(Duration latency) {
  double seconds = std::max(0.0, std::chrono::duration<double>(latency).count());
  for (std::size_t i = 0; i < latency_buckets.size(); ++i)
    if (seconds <= latency_buckets[i]) {
      ++latency_counts_[i];
      break;
    }
  ++latency_count_;
  latency_sum_ += seconds;
}

void Metrics::http_request(std::string_view route, int status) { ++http_[{std::string(route), status}]; }

std::string Metrics::render(const Backlog& backlog, const std::map<std::string, bool>& providers_up) const {
  std::string out;
  auto family = [&](const char* name, const char* type, const std::string& help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  family("pushsync_changes_captured_total", "counter", "Row changes and direct pushes routed.");
  out += fmt::format("pushsync_changes_captured_total {}\n", captured_);
  family("pushsync_pushes_total", "counter", "Pushes by platform and outcome.");
  for (const auto& [key, n] : pushes_)
    out += fmt::format("pushsync_pushes_total{{platform=\"{}\",outcome=\"{}\"}} {}\n", key.first, key.second, n);
  const std::string up_to = fmt::format(" (counted up to {})", Backlog::counted_to);
  family("pushsync_outbox_backlog", "gauge", "Changes in the outbox" + up_to + ".");
  out += fmt::format("pushsync_outbox_backlog {}\n", backlog.changes);
  family("pushsync_outbox_oldest_seconds", "gauge", "Age of the oldest change in the outbox.");
  out += fmt::format("pushsync_outbox_oldest_seconds {:.3f}\n", backlog.oldest_seconds);
  family("pushsync_deliveries_waiting", "gauge", "Pushes waiting to be retried (or for their provider)" + up_to + ".");
  out += fmt::format("pushsync_deliveries_waiting {}\n", backlog.deliveries);
  family("pushsync_dead_letters", "gauge", "Pushes given up on, in pushsync.dead_letters" + up_to + ".");
  out += fmt::format("pushsync_dead_letters {}\n", backlog.dead_letters);
  family("pushsync_ws_mailbox", "gauge", "Pushes waiting for WebSocket devices to acknowledge them" + up_to + ".");
  out += fmt::format("pushsync_ws_mailbox {}\n", backlog.ws_mailbox);
  family("pushsync_provider_up", "gauge", "1 while the platform's provider can send, 0 while it cannot at all.");
  for (const auto& [platform, up] : providers_up)
    out += fmt::format("pushsync_provider_up{{platform=\"{}\"}} {}\n", platform, up ? 1 : 0);
  family("pushsync_ws_connections", "gauge", "Connected WebSocket devices.");
  out += fmt::format("pushsync_ws_connections {}\n", ws_connections_);
  family("pushsync_ws_refused_total", "counter",
         "WebSocket handshakes answered 503: websocket.max_connections reached.");
  out += fmt::format("pushsync_ws_refused_total {}\n", ws_refused_);
  family("pushsync_http_accept_failures_total", "counter",
         "Connections the listener could not accept (e.g. out of file descriptors).");
  out += fmt::format("pushsync_http_accept_failures_total {}\n", accept_failures_);
  family("pushsync_commit_to_accept_seconds", "histogram",
         "From the writing transaction to the provider accepting the push.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
    cumulative += latency_counts_[i];
    out += fmt::format("pushsync_commit_to_accept_seconds_bucket{{le=\"{}\"}} {}\n", latency_buckets[i], cumulative);
  }
  out += fmt::format("pushsync_commit_to_accept_seconds_bucket{{le=\"+Inf\"}} {}\n", latency_count_);
  out += fmt::format("pushsync_commit_to_accept_seconds_sum {:.6f}\n", latency_sum_);
  out += fmt::format("pushsync_commit_to_accept_seconds_count {}\n", latency_count_);
  family("pushsync_http_requests_total", "counter", "HTTP API requests by route and status.");
  for (const auto& [key, n] : http_)
    out += fmt::format("pushsync_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first, key.second, n);
  return out;
}

}  // namespace pushsync::metrics
