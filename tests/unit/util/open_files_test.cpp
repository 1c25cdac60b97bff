#include "sidecar/util/open_files.hpp"

#include <gtest/gtest.h>

namespace pushsync {
namespace {

bool says(const DescriptorBudget& budget, const std::vector<std::string>& words) {
  for (const auto& problem : budget.problems) {
    bool all = true;
    for (const auto& word : words) all = all && problem.find(word) != std::string::npos;
    if (all) return true;
  }
  return false;
}

TEST(DescriptorBudget, DevicesGetWhatTheApiAndTheReserveLeave) {
  auto budget = plan_descriptors(20000, 1024, 0);
  EXPECT_EQ(budget.devices, 20000 - 1024 - 64);
  EXPECT_TRUE(budget.problems.empty());
}

// A configuration from 0.1, where http.max_connections counted devices.
TEST(DescriptorBudget, AnApiBudgetAboveTheLimitIsSaidNamingBothKeysAndTheLimit) {
  auto budget = plan_descriptors(20000, 50000, 0);
  EXPECT_EQ(budget.devices, 16);
  EXPECT_TRUE(says(budget, {"websocket.max_connections is not set", "http.max_connections (50000)", "(20000",
                            "at most 16 devices"}));
  EXPECT_TRUE(says(budget, {"http.max_connections (50000) does not fit the open-files limit (20000"}));
}

TEST(DescriptorBudget, DevicesSetAboveWhatTheLimitLeavesAreSaid) {
  auto budget = plan_descriptors(20000, 1024, 30000);
  EXPECT_EQ(budget.devices, 30000);
  EXPECT_TRUE(says(budget, {"websocket.max_connections (30000)", "http.max_connections (1024)", "(20000",
                            "about 18912"}));
}

TEST(DescriptorBudget, WithoutTheChannelOnlyTheApiIsWeighed) {
  EXPECT_TRUE(plan_descriptors(1024, 1000, std::nullopt).problems.size() == 1);
  EXPECT_TRUE(plan_descriptors(20000, 1024, std::nullopt).problems.empty());
}

}  // namespace
}  // namespace pushsync
