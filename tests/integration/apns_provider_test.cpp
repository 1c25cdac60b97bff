// The APNs provider against the fake APNs over real HTTP/2 + TLS, without a
// database: every Apple answer becomes the outcome users rely on.
#include <gtest/gtest.h>

#include <map>

#include "sidecar/push/apns/apns_provider.hpp"
#include "tests/fakes/fake_apns.hpp"
#include "tests/fakes/run_provider.hpp"
#include "tests/fakes/test_pki.hpp"

namespace pushsync::test {
namespace {

using Kind = push::Outcome::Kind;
using namespace std::chrono_literals;

config::ApnsConfig provider_config(const FakeApns& fake) {
  config::ApnsConfig c;
  c.team_id = "TEAM123456";
  c.key_id = "KEY1234567";
  c.key_file = TestPki::get().apns_key;
  c.topic = "com.example.todo";
  c.endpoint = fake.endpoint();
  c.ca_file = TestPki::get().ca_cert;
  c.connections = 1;
  c.request_timeout = 500ms;
  return c;
}

Push push_to(std::string token, int id = 1) {
  Push p;
  p.origin.change_id = id;
  p.target = {"ann-phone", Platform::apns, std::move(token)};
  p.fields = {{"message", "PUSH-TO-SYNC"}, {"table", "items"}, {"op", "update"}, {"id", std::to_string(id)}, {"orig", ""}};
  p.collapse_id = "items:" + std::to_string(id);
  return p;
}

const std::string token(64, 'a');

std::vector<push::Outcome> send(const config::ApnsConfig& config, std::vector<Push> pushes) {
  boost::asio::io_context io;
  push::ApnsProvider provider(io.get_executor(), config, config::DeliveryConfig{});
  return run_provider(io, provider, {std::move(pushes)}).at(0);
}

struct AnswerCase {
  int status;
  std::string reason;
  Kind expected;
};

// What each Apple answer must mean, written out independently of the
// provider's own table.
const AnswerCase answer_cases[] = {
    {400, "BadDeviceToken", Kind::invalid_token},       {400, "DeviceTokenNotForTopic", Kind::invalid_token},
    {400, "MissingDeviceToken", Kind::invalid_token},   {400, "BadCollapseId", Kind::dead},
    {400, "BadExpirationDate", Kind::dead},             {400, "BadMessageId", Kind::dead},
    {400, "BadPriority", Kind::dead},                   {400, "DuplicateHeaders", Kind::dead},
    {400, "InvalidPushType", Kind::dead},               {400, "PayloadEmpty", Kind::dead},
    {400, "IdleTimeout", Kind::retry},                  {400, "BadTopic", Kind::provider_down},
    {400, "MissingTopic", Kind::provider_down},         {400, "TopicDisallowed", Kind::provider_down},
    {403, "InvalidProviderToken", Kind::provider_down}, {403, "MissingProviderToken", Kind::provider_down},
    {403, "UnrelatedKeyIdInToken", Kind::provider_down}, {403, "BadCertificate", Kind::provider_down},
    {403, "BadCertificateEnvironment", Kind::provider_down}, {403, "Forbidden", Kind::provider_down},
    {404, "BadPath", Kind::provider_down},              {405, "MethodNotAllowed", Kind::provider_down},
    {410, "Unregistered", Kind::invalid_token},         {410, "ExpiredToken", Kind::invalid_token},
    {413, "PayloadTooLarge", Kind::dead},               {429, "TooManyProviderTokenUpdates", Kind::retry},
    {429, "TooManyRequests", Kind::retry},              {500, "InternalServerError", Kind::retry},
    {503, "ServiceUnavailable", Kind::retry},           {503, "Shutdown", Kind::retry},
};

void PrintTo(const AnswerCase& c, std::ostream* os) { *os << c.status << " " << c.reason; }

class ApnsAnswer : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(ApnsAnswer, BecomesItsOutcome) {
  FakeApns fake(FakeApns::with_test_pki());
  fake.script({FakeApns::Next::answer(GetParam().status, GetParam().reason)});
  auto outcomes = send(provider_config(fake), {push_to(token)});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, GetParam().expected) << outcomes[0].reason;
  EXPECT_EQ(outcomes[0].reason, "apns " + std::to_string(GetParam().status) + " " + GetParam().reason);
  ASSERT_EQ(fake.received().size(), 1u);  // answered on the first try, not resent
}

INSTANTIATE_TEST_SUITE_P(EveryAppleAnswer, ApnsAnswer, ::testing::ValuesIn(answer_cases),
                         [](const auto& param_info) { return std::to_string(param_info.param.status) + param_info.param.reason; });

TEST(ApnsProvider, AcceptedPushIsOneRequestThatPassesApplesChecks) {
  FakeApns fake(FakeApns::with_test_pki());
  auto outcomes = send(provider_config(fake), {push_to(token)});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Kind::accepted) << outcomes[0].reason;
  ASSERT_EQ(fake.accepted().size(), 1u);
}

TEST(ApnsProvider, RetryAfterIsHonoured) {
  FakeApns fake(FakeApns::with_test_pki());
  fake.script({FakeApns::Next::answer(429, "TooManyRequests", "7")});
  auto outcomes = send(provider_config(fake), {push_to(token)});
  EXPECT_EQ(outcomes[0].kind, Kind::retry);
  EXPECT_EQ(outcomes[0].retry_after, 7s);
}

TEST(ApnsProvider, MalformedTokenIsInvalidWithoutAskingApple) {
  FakeApns fake(FakeApns::with_test_pki());
  auto outcomes = send(provider_config(fake), {push_to("not/hex")});
  EXPECT_EQ(outcomes[0].kind, Kind::invalid_token);
  EXPECT_TRUE(fake.received().empty());
}

TEST(ApnsProvider, StalledRequestTimesOutAsRetry) {
  FakeApns fake(FakeApns::with_test_pki());
  fake.script({FakeApns::Next::act(ServerReply::Action::stall)});
  auto outcomes = send(provider_config(fake), {push_to(token)});
  EXPECT_EQ(outcomes[0].kind, Kind::retry);
  EXPECT_NE(outcomes[0].reason.find("timeout"), std::string::npos) << outcomes[0].reason;
}

TEST(ApnsProvider, DroppedConnectionIsRetry) {
  FakeApns fake(FakeApns::with_test_pki());
  fake.script({FakeApns::Next::act(ServerReply::Action::drop)});
  auto outcomes = send(provider_config(fake), {push_to(token)});
  EXPECT_EQ(outcomes[0].kind, Kind::retry);
  EXPECT_NE(outcomes[0].reason.find("connection_lost"), std::string::npos) << outcomes[0].reason;
}

TEST(ApnsProvider, StreamsAboveGoawayAreResentOnANewConnection) {
  FakeApns fake(FakeApns::with_test_pki());
  fake.script({FakeApns::Next::ok_then_goaway()});
  std::vector<Push> pushes;
  for (int i = 1; i <= 20; ++i) pushes.push_back(push_to(token, i));
  auto outcomes = send(provider_config(fake), pushes);
  for (const auto& o : outcomes) EXPECT_EQ(o.kind, Kind::accepted) << o.reason;
  EXPECT_EQ(fake.accepted().size(), 20u);  // each exactly once
  EXPECT_GE(fake.connections(), 2);
}

// How many of `accepted` each connection carried.
std::map<int, int> per_connection(const std::vector<FakeApns::Received>& accepted) {
  std::map<int, int> count;
  for (const auto& r : accepted) ++count[r.request.connection];
  return count;
}

TEST(ApnsProvider, APoolFillsOneConnectionUpToTheServersStreamLimitBeforeTheNext) {
  auto options = FakeApns::with_test_pki();
  options.max_concurrent_streams = 4;
  FakeApns fake(options);
  auto config = provider_config(fake);
  config.connections = 2;
  std::vector<Push> few, many;
  for (int i = 1; i <= 3; ++i) few.push_back(push_to(token, i));
  for (int i = 4; i <= 13; ++i) many.push_back(push_to(token, i));
  boost::asio::io_context io;
  push::ApnsProvider provider(io.get_executor(), config, config::DeliveryConfig{});
  auto outcomes = run_provider(io, provider, {few, many}, 100ms);
  for (const auto& o : outcomes.at(1)) EXPECT_EQ(o.kind, Kind::accepted) << o.reason;

  auto accepted = fake.accepted();
  ASSERT_EQ(accepted.size(), 13u);
  auto first = per_connection({accepted.begin(), accepted.begin() + 3});
  ASSERT_EQ(first.size(), 1u) << "three requests fit on one connection";
  auto second = per_connection({accepted.begin() + 3, accepted.end()});
  ASSERT_EQ(second.size(), 2u) << "ten requests overflow a connection limited to 4 streams";
  EXPECT_GE(second[first.begin()->first], 4) << "the first connection is filled to its limit first";
}

TEST(ApnsProvider, ExpiredProviderTokenIsRefreshedOnceAndResent) {
  FakeApns fake(FakeApns::with_test_pki());
  fake.script({FakeApns::Next::answer(403, "ExpiredProviderToken")});
  std::vector<Push> pushes;
  for (int i = 1; i <= 5; ++i) pushes.push_back(push_to(token, i));
  auto outcomes = send(provider_config(fake), pushes);
  for (const auto& o : outcomes) EXPECT_EQ(o.kind, Kind::accepted) << o.reason;
  std::set<std::string> jwts;
  for (const auto& r : fake.received()) jwts.insert(r.jwt);
  EXPECT_EQ(jwts.size(), 2u);
  EXPECT_EQ(fake.received().size(), 6u);
}

TEST(ApnsProvider, CertificateAuthPresentsTheClientCertificate) {
  auto options = FakeApns::with_test_pki();
  options.public_key_file.clear();
  options.client_ca = TestPki::get().ca_cert;
  FakeApns fake(options);
  auto config = provider_config(fake);
  config.key_file.clear();
  config.certificate_file = TestPki::get().client_cert;
  config.private_key_file = TestPki::get().client_key;
  auto outcomes = send(config, {push_to(token)});
  EXPECT_EQ(outcomes[0].kind, Kind::accepted) << outcomes[0].reason;
  ASSERT_EQ(fake.accepted().size(), 1u);
  EXPECT_EQ(fake.accepted()[0].jwt, "");
}

TEST(ApnsProvider, UntrustedServerCertificateIsRefused) {
  auto options = FakeApns::with_test_pki();
  options.cert_file = TestPki::get().untrusted_cert;
  options.key_file = TestPki::get().untrusted_key;
  FakeApns fake(options);
  auto outcomes = send(provider_config(fake), {push_to(token)});
  EXPECT_EQ(outcomes[0].kind, Kind::provider_down);
  EXPECT_NE(outcomes[0].reason.find("certificate verify failed"), std::string::npos) << outcomes[0].reason;
  EXPECT_TRUE(fake.received().empty());
}

}  // namespace
}  // namespace pushsync::test
