#include "sidecar/metrics/metrics.hpp"

#include <gtest/gtest.h>

namespace pushsync::metrics {
namespace {

using namespace std::chrono_literals;

TEST(Metrics, RendersCountersGaugesAndACumulativeHistogram) {
  Metrics m;
  m.captured(3);
  const auto at = std::chrono::system_clock::now();
  m.pushed({"i1", "apns", "t\n1", "accepted", ""}, at);
  m.pushed({"i2", "apns", "t\n1", "accepted", ""}, at);
  m.pushed({"i3", "fcm", "t\n1", "retry", "UNAVAILABLE"}, at);
  m.commit_to_accept(3ms);
  m.commit_to_accept(40ms);
  m.commit_to_accept(2s);
  m.http_request("/v1/push", 202);
  m.ws_connected();
  std::string text = m.render(Backlog{7, 1.5, 2}, {{"apns", true}, {"fcm", false}});
  for (const char* line : {
           "pushsync_changes_captured_total 3\n",
           "pushsync_pushes_total{platform=\"apns\",outcome=\"accepted\"} 2\n",
           "pushsync_pushes_total{platform=\"fcm\",outcome=\"retry\"} 1\n",
           "pushsync_outbox_backlog 7\n",
           "pushsync_outbox_oldest_seconds 1.500\n",
           "pushsync_ws_mailbox 2\n",
           "pushsync_ws_connections 1\n",
           "pushsync_provider_up{platform=\"apns\"} 1\n",
           "pushsync_provider_up{platform=\"fcm\"} 0\n",
           "pushsync_commit_to_accept_seconds_bucket{le=\"0.005\"} 1\n",
           "pushsync_commit_to_accept_seconds_bucket{le=\"0.05\"} 2\n",
           "pushsync_commit_to_accept_seconds_bucket{le=\"1\"} 2\n",
           "pushsync_commit_to_accept_seconds_bucket{le=\"2.5\"} 3\n",
           "pushsync_commit_to_accept_seconds_bucket{le=\"+Inf\"} 3\n",
           "pushsync_commit_to_accept_seconds_sum 2.043000\n",
           "pushsync_commit_to_accept_seconds_count 3\n",
           "pushsync_http_requests_total{route=\"/v1/push\",status=\"202\"} 1\n",
           "# TYPE pushsync_commit_to_accept_seconds histogram\n",
       })
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}

}  // namespace
}  // namespace pushsync::metrics
