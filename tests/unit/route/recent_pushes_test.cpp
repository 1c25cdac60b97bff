#include <gtest/gtest.h>

#include "sidecar/route/recent_pushes.hpp"

namespace pushsync::route {
namespace {

using namespace std::chrono_literals;

TEST(RecentPushes, HoldsBackARecordUntilItsWindowEnds) {
  RecentPushes recent(200ms);
  auto t0 = DbTime{} + 1h;
  std::pair<std::string, std::string> item{"items", "7"};
  EXPECT_EQ(recent.hold_back(item, t0), std::nullopt);
  recent.pushed(item, t0);
  EXPECT_EQ(recent.hold_back(item, t0 + 50ms), t0 + 200ms);
  EXPECT_EQ(recent.hold_back({"items", "8"}, t0 + 50ms), std::nullopt);
  EXPECT_EQ(recent.hold_back({"lists", "7"}, t0 + 50ms), std::nullopt);
  EXPECT_EQ(recent.hold_back(item, t0 + 200ms), std::nullopt);
}

TEST(RecentPushes, ALaterPushStartsANewWindow) {
  RecentPushes recent(200ms);
  auto t0 = DbTime{} + 1h;
  std::pair<std::string, std::string> item{"items", "7"};
  recent.pushed(item, t0);
  recent.pushed(item, t0 + 250ms);
  EXPECT_EQ(recent.hold_back(item, t0 + 300ms), t0 + 450ms);
}

TEST(RecentPushes, AZeroWindowHoldsNothingBack) {
  RecentPushes recent(0ms);
  auto t0 = DbTime{} + 1h;
  recent.pushed({"items", "7"}, t0);
  EXPECT_EQ(recent.hold_back({"items", "7"}, t0), std::nullopt);
}

}  // namespace
}  // namespace pushsync::route
