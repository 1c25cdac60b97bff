// The FCM provider against the fake Google (OAuth token endpoint + FCM v1)
// over real HTTP/2 + TLS, without a database.
#include <gtest/gtest.h>

#include "sidecar/push/fcm/fcm_provider.hpp"
#include "tests/fakes/fake_fcm.hpp"
#include "tests/fakes/run_provider.hpp"
#include "tests/fakes/test_pki.hpp"
#include "tests/support/process.hpp"

namespace pushsync::test {
namespace {

using Kind = push::Outcome::Kind;
using namespace std::chrono_literals;

config::FcmConfig provider_config(const FakeFcm& fake) {
  config::FcmConfig c;
  c.account = {"demo-project", "pushsync@demo-project.iam.gserviceaccount.com", read_file(TestPki::get().fcm_key),
               fake.token_uri()};
  c.endpoint = fake.base_url();
  c.ca_file = TestPki::get().ca_cert;
  c.connections = 1;
  c.request_timeout = 500ms;
  return c;
}

Push push_to(int id) {
  Push p;
  p.origin.change_id = id;
  p.target = {"ann-pixel", Platform::fcm, "fcm-token-" + std::to_string(id)};
  p.fields = {{"message", "PUSH-TO-SYNC"}, {"table", "items"}, {"op", "update"}, {"id", std::to_string(id)}, {"orig", ""}};
  p.collapse_id = "items:" + std::to_string(id);
  return p;
}

std::vector<std::vector<push::Outcome>> send(const config::FcmConfig& config, std::vector<std::vector<Push>> batches,
                                             Duration pause = Duration(0)) {
  boost::asio::io_context io;
  push::FcmProvider provider(io.get_executor(), config, config::DeliveryConfig{});
  return run_provider(io, provider, std::move(batches), pause);
}

push::Outcome send_one(const config::FcmConfig& config) { return send(config, {{push_to(1)}}).at(0).at(0); }

struct AnswerCase {
  int status;
  std::string code;
  std::string message;
  Kind expected;
};
void PrintTo(const AnswerCase& c, std::ostream* os) { *os << c.status << " " << c.code; }

// What each Google answer must mean, written out independently of the
// provider's own table.
const AnswerCase answer_cases[] = {
    {400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", Kind::invalid_token},
    {400, "INVALID_ARGUMENT", "Invalid value at 'message.android.ttl'", Kind::dead},
    {404, "UNREGISTERED", "Requested entity was not found.", Kind::invalid_token},
    {403, "SENDER_ID_MISMATCH", "SenderId mismatch", Kind::invalid_token},
    {401, "THIRD_PARTY_AUTH_ERROR", "Auth error from APNS or Web Push Service", Kind::provider_down},
    {403, "PERMISSION_DENIED", "Permission denied", Kind::provider_down},
    {404, "NOT_FOUND", "Requested entity was not found.", Kind::provider_down},
    {429, "QUOTA_EXCEEDED", "Quota exceeded", Kind::retry},
    {429, "RESOURCE_EXHAUSTED", "Resource exhausted", Kind::retry},
    {500, "INTERNAL", "Internal error", Kind::retry},
    {503, "UNAVAILABLE", "The service is currently unavailable.", Kind::retry},
};

class FcmAnswer : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(FcmAnswer, BecomesItsOutcome) {
  FakeFcm fake(FakeFcm::with_test_pki());
  fake.script({FakeFcm::Next::error(GetParam().status, GetParam().code, GetParam().message)});
  auto outcome = send_one(provider_config(fake));
  EXPECT_EQ(outcome.kind, GetParam().expected) << outcome.reason;
  EXPECT_EQ(outcome.reason.rfind("fcm " + std::to_string(GetParam().status) + " " + GetParam().code, 0), 0u)
      << outcome.reason;
  EXPECT_EQ(fake.received().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(EveryGoogleAnswer, FcmAnswer, ::testing::ValuesIn(answer_cases),
                         [](const auto& param_info) {
                           return std::to_string(param_info.index) + "_" + param_info.param.code;
                         });

TEST(FcmProvider, OneAccessTokenServesManySendsAndTheMessagePassesGooglesChecks) {
  FakeFcm fake(FakeFcm::with_test_pki());
  std::vector<Push> pushes;
  for (int i = 1; i <= 20; ++i) pushes.push_back(push_to(i));
  auto outcomes = send(provider_config(fake), {pushes, pushes});
  for (const auto& batch : outcomes)
    for (const auto& o : batch) EXPECT_EQ(o.kind, Kind::accepted) << o.reason;
  EXPECT_EQ(fake.accepted_count(), 40u);
  EXPECT_EQ(fake.tokens_issued(), 1);
}

TEST(FcmProvider, ANewAccessTokenIsFetchedWhenTheOldOneExpires) {
  auto options = FakeFcm::with_test_pki();
  options.token_lifetime = 2s;
  FakeFcm fake(options);
  auto outcomes = send(provider_config(fake), {{push_to(1)}, {push_to(2)}}, 2s);
  EXPECT_EQ(outcomes[1][0].kind, Kind::accepted) << outcomes[1][0].reason;
  EXPECT_EQ(fake.tokens_issued(), 2);
  auto got = fake.received();
  ASSERT_EQ(got.size(), 2u);  // never sent with an expired token
  EXPECT_NE(got[0].bearer, got[1].bearer);
}

TEST(FcmProvider, RefusedAccessTokenIsReplacedOnceAndTheSendRepeated) {
  FakeFcm fake(FakeFcm::with_test_pki());
  fake.script({FakeFcm::Next::error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")});
  auto outcome = send_one(provider_config(fake));
  EXPECT_EQ(outcome.kind, Kind::accepted) << outcome.reason;
  EXPECT_EQ(fake.tokens_issued(), 2);
  EXPECT_EQ(fake.received().size(), 2u);
}

TEST(FcmProvider, AnAccessTokenRefusedTwiceMeansFcmIsDown) {
  FakeFcm fake(FakeFcm::with_test_pki());
  auto unauthenticated = FakeFcm::Next::error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
  fake.script({unauthenticated, unauthenticated});
  auto outcome = send_one(provider_config(fake));
  EXPECT_EQ(outcome.kind, Kind::provider_down) << outcome.reason;
  EXPECT_EQ(outcome.reason, "fcm 401 UNAUTHENTICATED");
  EXPECT_EQ(fake.tokens_issued(), 2);  // refreshed once, not in a loop
}

TEST(FcmProvider, RetryAfterIsHonoured) {
  FakeFcm fake(FakeFcm::with_test_pki());
  fake.script({FakeFcm::Next::error(429, "QUOTA_EXCEEDED", "Quota exceeded", "9")});
  auto outcome = send_one(provider_config(fake));
  EXPECT_EQ(outcome.kind, Kind::retry);
  EXPECT_EQ(outcome.retry_after, 9s);
}

TEST(FcmProvider, ATokenEndpointThatRefusesTheAccountMeansFcmIsDown) {
  FakeFcm fake(FakeFcm::with_test_pki());
  auto config = provider_config(fake);
  config.account.client_email = "someone-else@demo-project.iam.gserviceaccount.com";
  auto outcome = send_one(config);
  EXPECT_EQ(outcome.kind, Kind::provider_down);
  EXPECT_NE(outcome.reason.find("invalid_grant Invalid issuer"), std::string::npos) << outcome.reason;
  EXPECT_TRUE(fake.received().empty());
}

}  // namespace
}  // namespace pushsync::test
