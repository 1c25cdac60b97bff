#include <gtest/gtest.h>

#include "sidecar/capture/settlement.hpp"

namespace pushsync::capture {
namespace {

using namespace std::chrono_literals;
using push::Outcome;

Push push_for(std::vector<ChangeId> ids, std::string installation) {
  Push p;
  p.change_ids = std::move(ids);
  p.target = {std::move(installation), Platform::apns, "t"};
  p.fields = {{"message", "PUSH-TO-SYNC"}};
  return p;
}

route::RoutedBatch batch_of(std::vector<int> attempts) {
  route::RoutedBatch b;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    Change c;
    c.id = static_cast<ChangeId>(i + 1);
    c.attempts = attempts[i];
    b.changes.push_back(c);
  }
  return b;
}

TEST(Settlement, AcceptedPushesFinishTheirChanges) {
  auto b = batch_of({1, 1});
  b.pushes = {push_for({1}, "a"), push_for({1, 2}, "b")};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::accepted(), Outcome::accepted()}, 8, backoff);
  EXPECT_EQ(s.done, (std::vector<ChangeId>{1, 2}));
  EXPECT_TRUE(s.retries.empty() && s.dead_letters.empty() && s.invalid_tokens.empty());
}

TEST(Settlement, ARetryKeepsTheWholeChangeAndHonoursRetryAfter) {
  auto b = batch_of({1, 1});
  b.pushes = {push_for({1}, "a"), push_for({2}, "b")};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::retry("TooManyRequests", 90s), Outcome::accepted()}, 8, backoff);
  EXPECT_EQ(s.done, (std::vector<ChangeId>{2}));
  ASSERT_EQ(s.retries.size(), 1u);
  EXPECT_EQ(s.retries[0].change_id, 1);
  EXPECT_EQ(s.retries[0].delay, 90s);
}

TEST(Settlement, AProviderThatCannotSendPostponesEvenAtMaxAttempts) {
  auto b = batch_of({8, 1});
  b.pushes = {push_for({1}, "a"), push_for({2}, "b")};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::provider_down("apns 403 InvalidProviderToken", 3s), Outcome::accepted()}, 8, backoff);
  EXPECT_EQ(s.done, (std::vector<ChangeId>{2}));
  EXPECT_TRUE(s.retries.empty() && s.dead_letters.empty());
  ASSERT_EQ(s.postponed.size(), 1u);
  EXPECT_EQ(s.postponed[0].change_id, 1);
  EXPECT_EQ(s.postponed[0].delay, 3s);
}

TEST(Settlement, RetriesStopAtMaxAttemptsWithADeadLetter) {
  auto b = batch_of({8});
  b.pushes = {push_for({1}, "a")};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::retry("ServiceUnavailable")}, 8, backoff);
  EXPECT_EQ(s.done, (std::vector<ChangeId>{1}));
  ASSERT_EQ(s.dead_letters.size(), 1u);
  EXPECT_EQ(s.dead_letters[0].reason, "max_attempts: ServiceUnavailable");
}

TEST(Settlement, InvalidTokensAndDeadPushesAreRecorded) {
  auto b = batch_of({1});
  b.unroutable = {{9, "table_not_configured"}};
  b.changes.push_back(Change{9, "x", Op::insert, "9", nullptr, nullptr, "", 1});
  b.pushes = {push_for({1}, "gone"), push_for({1}, "big")};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::invalid_token("Unregistered"), Outcome::dead("payload_too_large")}, 8, backoff);
  EXPECT_EQ(s.done, (std::vector<ChangeId>{1, 9}));
  ASSERT_EQ(s.invalid_tokens.size(), 1u);
  EXPECT_EQ(s.invalid_tokens[0].installation_id, "gone");
  ASSERT_EQ(s.dead_letters.size(), 2u);
  EXPECT_EQ(s.dead_letters[0].reason, "table_not_configured");
  EXPECT_EQ(s.dead_letters[1].installation_id, "big");
  EXPECT_EQ(s.dead_letters[1].payload["message"], "PUSH-TO-SYNC");
}

TEST(Settlement, HeldBackChangesReturnToTheOutboxWithoutFinishing) {
  auto b = batch_of({1, 1});
  auto until = DbTime{} + 150ms;
  b.held_back = {{2, until}};
  b.pushes = {push_for({1}, "a")};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::accepted()}, 8, backoff);
  EXPECT_EQ(s.done, (std::vector<ChangeId>{1}));
  ASSERT_EQ(s.held_back.size(), 1u);
  EXPECT_EQ(s.held_back[0].change_id, 2);
  EXPECT_EQ(s.held_back[0].until, until);
  EXPECT_TRUE(s.retries.empty());
}

TEST(Backoff, GrowsExponentiallyWithinJitterAndCap) {
  Backoff backoff(100ms, 1s, 42);
  for (int attempt = 1; attempt <= 10; ++attempt) {
    auto cap = std::min(Duration(100 << std::min(attempt - 1, 10)), Duration(1000));
    for (int i = 0; i < 50; ++i) {
      auto d = backoff.delay(attempt);
      EXPECT_GE(d, cap / 2) << "attempt " << attempt;
      EXPECT_LE(d, cap) << "attempt " << attempt;
    }
  }
}

}  // namespace
}  // namespace pushsync::capture
