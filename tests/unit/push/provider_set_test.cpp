#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "sidecar/push/provider_set.hpp"

namespace pushsync::push {
namespace {

using namespace std::chrono_literals;

// Answers each push by a rule and remembers what it was given.
class RecordingProvider : public Provider {
 public:
  std::vector<std::string> received;
  boost::asio::awaitable<std::vector<Outcome>> send(std::span<const Push> pushes) override {
    std::vector<Outcome> out;
    for (const auto& p : pushes) {
      received.push_back(p.target.id);
      out.push_back(p.target.id == "gone" ? Outcome::invalid_token("Unregistered") : Outcome::accepted());
    }
    co_return out;
  }
};

Push to(std::string id, Platform platform, std::string row = "1") {
  Push p;
  p.target = {std::move(id), platform, "token"};
  p.fields = {{"message", "PUSH-TO-SYNC"}, {"table", "t"}, {"op", "update"}, {"id", std::move(row)}, {"orig", ""}};
  return p;
}

std::map<std::string, std::string> send_all(ProviderSet& set, std::vector<Push>& pushes) {
  boost::asio::io_context io;
  std::vector<Outcome> outcomes;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { outcomes = co_await set.send(pushes); }, boost::asio::detached);
  io.run();
  EXPECT_EQ(outcomes.size(), pushes.size());
  std::map<std::string, std::string> by_target;
  for (std::size_t i = 0; i < pushes.size(); ++i)
    by_target[pushes[i].target.id] = outcomes[i].kind == Outcome::Kind::accepted ? "accepted"
                                     : outcomes[i].kind == Outcome::Kind::invalid_token ? "invalid_token"
                                                                                        : outcomes[i].reason;
  return by_target;
}

TEST(ProviderSet, EachPushGetsItsOwnProvidersAnswerInTheReturnedOrder) {
  auto apns = std::make_shared<RecordingProvider>();
  auto ws = std::make_shared<RecordingProvider>();
  ProviderSet set(1h);
  set.add(Platform::apns, apns);
  set.add(Platform::ws, ws);
  std::vector<Push> pushes{to("w1", Platform::ws), to("a1", Platform::apns), to("f1", Platform::fcm),
                           to("gone", Platform::apns), to("big", Platform::apns, std::string(5000, '9')),
                           to("w2", Platform::ws)};
  auto answers = send_all(set, pushes);
  EXPECT_EQ(answers, (std::map<std::string, std::string>{{"w1", "accepted"},
                                                          {"a1", "accepted"},
                                                          {"f1", "provider_not_configured"},
                                                          {"gone", "invalid_token"},
                                                          {"big", "payload_too_large"},
                                                          {"w2", "accepted"}}));
  EXPECT_EQ(apns->received, (std::vector<std::string>{"a1", "gone"}));
  EXPECT_EQ(ws->received, (std::vector<std::string>{"w1", "w2"}));
}

}  // namespace
}  // namespace pushsync::push
