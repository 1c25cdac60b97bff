#include "sidecar/metrics/push_status.hpp"

#include <gtest/gtest.h>

namespace pushsync::metrics {
namespace {

using namespace std::chrono_literals;

const WallTime t0 = std::chrono::system_clock::now();

TEST(PushStatus, APlatformFailsFromItsFirstErrorUntilItsNextAcceptance) {
  PushStatus status;
  status.record({"i1", "fcm", "todo\n1", "accepted", ""}, t0);
  status.record({"i2", "fcm", "todo\n2", "dead", "400 INVALID_ARGUMENT: bad token format"}, t0 + 1s);
  status.record({"i3", "fcm", "todo\n3", "retry", "503 UNAVAILABLE"}, t0 + 2s);
  const auto& fcm = status.platforms().at("fcm");
  ASSERT_TRUE(fcm.failing_since.has_value());
  EXPECT_EQ(*fcm.failing_since, t0 + 1s);  // the first failure, not the latest
  EXPECT_EQ(fcm.last_error, "503 UNAVAILABLE");
  EXPECT_EQ(fcm.last_error_at, t0 + 2s);
  EXPECT_EQ(fcm.last_accepted_at, t0);

  status.record({"i1", "fcm", "todo\n4", "accepted", ""}, t0 + 3s);
  EXPECT_FALSE(status.platforms().at("fcm").failing_since.has_value());
  EXPECT_EQ(status.platforms().at("fcm").last_error, "503 UNAVAILABLE");  // still shown, with its time
}

TEST(PushStatus, AnInvalidTokenIsTheDevicesProblemNotTheProviders) {
  PushStatus status;
  status.record({"i1", "apns", "todo\n1", "invalid_token", "410 Unregistered"}, t0);
  EXPECT_FALSE(status.platforms().at("apns").failing_since.has_value());
  EXPECT_TRUE(status.platforms().at("apns").last_error.empty());
}

TEST(PushStatus, RemembersTheNewestPushesOfAnInstallationWithinItsCapacity) {
  PushStatus status(3);
  status.record({"a", "ws", "todo\n1", "accepted", ""}, t0);
  status.record({"b", "ws", "todo\n2", "accepted", ""}, t0 + 1s);
  status.record({"a", "ws", "todo\n3", "retry", "no device"}, t0 + 2s);
  auto a = status.sent_to("a");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].record, "todo\n3");  // newest first
  EXPECT_EQ(a[0].reason, "no device");
  EXPECT_EQ(a[1].record, "todo\n1");

  status.record({"b", "ws", "todo\n4", "accepted", ""}, t0 + 3s);  // pushes out a's oldest
  a = status.sent_to("a");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].record, "todo\n3");
  EXPECT_EQ(status.sent_to("b").size(), 2u);
  EXPECT_TRUE(status.sent_to("nobody").empty());
}

}  // namespace
}  // namespace pushsync::metrics
