#include <gtest/gtest.h>

#include "sidecar/capture/settlement.hpp"

namespace pushsync::capture {
namespace {

using namespace std::chrono_literals;
using push::Outcome;
using Fate = route::ChangeFate::Kind;

Push push_for(ChangeId change, std::string installation, std::optional<DeliveryId> delivery = std::nullopt,
              int attempts = 0) {
  Push p;
  p.origin = {change, "public.items", "update", "7", {}, "public.items\n7", delivery, attempts};
  p.target = {std::move(installation), Platform::apns, "t"};
  p.fields = {{"message", "PUSH-TO-SYNC"}};
  return p;
}

// A batch of `n` changes (ids 1..n), all done.
route::RoutedBatch batch_of(int n) {
  route::RoutedBatch b;
  for (int i = 1; i <= n; ++i) {
    Change c;
    c.id = i;
    c.rows = {RowChange{Op::update, std::to_string(i), nullptr, nullptr}};
    b.changes.push_back(c);
    b.fates.push_back({Fate::done, {}, {}, ""});
  }
  return b;
}

TEST(Settlement, AFinishedChangeIsDoneWhateverBecameOfItsPushes) {
  auto b = batch_of(2);
  b.pushes = {push_for(1, "a"), push_for(2, "b")};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::retry("TooManyRequests", 90s), Outcome::accepted()}, 8, backoff);
  EXPECT_EQ(s.done, (std::vector<ChangeId>{1, 2}));
  ASSERT_EQ(s.retries.size(), 1u) << "only the push that failed waits";
  EXPECT_EQ(s.retries[0].installation_id, "a");
  EXPECT_EQ(s.retries[0].delay, 90s);
  EXPECT_EQ(s.retries[0].attempts, 1);
  EXPECT_FALSE(s.retries[0].origin.delivery) << "a new deliveries row";
  EXPECT_EQ(s.retries[0].document["fields"], nlohmann::json::parse(R"([["message","PUSH-TO-SYNC"]])"));
}

TEST(Settlement, AWaitingPushIsRetriedInItsOwnRowWithItsOwnAttemptsAndDeletedOnceAccepted) {
  auto b = batch_of(0);
  b.pushes = {push_for(1, "a", 41, 3), push_for(2, "b", 42, 3)};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::retry("ServiceUnavailable"), Outcome::accepted()}, 8, backoff);
  ASSERT_EQ(s.retries.size(), 1u);
  EXPECT_EQ(s.retries[0].origin.delivery, 41);
  EXPECT_EQ(s.retries[0].attempts, 4);
  EXPECT_GE(s.retries[0].delay, 4s);  // backoff(4) with 1 s initial: 4 s to 8 s
  EXPECT_EQ(s.delivered, (std::vector<DeliveryId>{42}));
}

TEST(Settlement, AProviderThatCannotSendPostponesWithoutUsingAnAttempt) {
  auto b = batch_of(0);
  b.pushes = {push_for(1, "a", 41, 7)};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::provider_down("apns 403 InvalidProviderToken", 3s)}, 8, backoff);
  ASSERT_EQ(s.retries.size(), 1u);
  EXPECT_EQ(s.retries[0].attempts, 7);
  EXPECT_EQ(s.retries[0].delay, 3s);
  EXPECT_TRUE(s.dead_letters.empty());
}

TEST(Settlement, RetriesStopAtMaxAttemptsWithADeadLetterOfThatPushAlone) {
  auto b = batch_of(0);
  b.pushes = {push_for(1, "a", 41, 7)};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::retry("ServiceUnavailable")}, 8, backoff);
  EXPECT_TRUE(s.retries.empty());
  EXPECT_EQ(s.delivered, (std::vector<DeliveryId>{41}));
  ASSERT_EQ(s.dead_letters.size(), 1u);
  EXPECT_EQ(s.dead_letters[0].reason, "max_attempts: ServiceUnavailable");
  EXPECT_EQ(s.dead_letters[0].installation_id, "a");
  EXPECT_EQ(s.dead_letters[0].row_id, "7");
  EXPECT_EQ(s.dead_letters[0].push["fields"], nlohmann::json::parse(R"([["message","PUSH-TO-SYNC"]])"));
}

TEST(Settlement, InvalidTokensDeadPushesAndUnroutableChangesAreRecorded) {
  auto b = batch_of(2);
  b.fates[1] = {Fate::unroutable, {}, {}, "table_not_configured"};
  b.pushes = {push_for(1, "gone"), push_for(1, "big")};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {Outcome::invalid_token("Unregistered"), Outcome::dead("payload_too_large")}, 8, backoff);
  EXPECT_EQ(s.done, (std::vector<ChangeId>{1, 2}));
  ASSERT_EQ(s.invalid_tokens.size(), 1u);
  EXPECT_EQ(s.invalid_tokens[0].installation_id, "gone");
  ASSERT_EQ(s.dead_letters.size(), 2u);
  EXPECT_EQ(s.dead_letters[0].installation_id, "big");
  EXPECT_EQ(s.dead_letters[0].payload["message"], "PUSH-TO-SYNC");
  EXPECT_EQ(s.dead_letters[1].reason, "table_not_configured");
  EXPECT_EQ(s.dead_letters[1].row_id, "2");
}

TEST(Settlement, CutHeldBackAndDeferredChangesStayInTheOutbox) {
  auto b = batch_of(3);
  auto until = DbTime{} + 150ms;
  b.fates[0] = {Fate::cut, {2, "dev-9"}, {}, ""};
  b.fates[1] = {Fate::held_back, {}, until, ""};
  b.fates[2] = {Fate::deferred, {}, {}, ""};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {}, 8, backoff);
  EXPECT_TRUE(s.done.empty());
  ASSERT_EQ(s.progress.size(), 1u);
  EXPECT_EQ(s.progress[0].change_id, 1);
  EXPECT_EQ(s.progress[0].cursor, (FanoutCursor{2, "dev-9"}));
  ASSERT_EQ(s.held_back.size(), 1u);
  EXPECT_EQ(s.held_back[0].change_id, 2);
  EXPECT_EQ(s.held_back[0].until, until);
}

TEST(Settlement, FoldsAndStaleRetriesAreWritten) {
  auto b = batch_of(1);
  b.folds = {{77, push_for(1, "a")}};
  b.stale = {78};
  Backoff backoff(1s, 1min, 1);
  auto s = settle(b, {}, 8, backoff);
  ASSERT_EQ(s.folds.size(), 1u);
  EXPECT_EQ(s.folds[0].delivery, 77);
  EXPECT_EQ(s.folds[0].origin.change_id, 1);
  EXPECT_EQ(s.delivered, (std::vector<DeliveryId>{78}));
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
