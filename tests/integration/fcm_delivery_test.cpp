// Row changes in a real PostgreSQL reach the fake FCM through the running
// sidecar; Google's answers end up in the outbox, installations and feedback.
#include <set>

#include "tests/fakes/fake_fcm.hpp"
#include "tests/fakes/test_pki.hpp"
#include "tests/integration/sidecar_fixture.hpp"

namespace pushsync::test {
namespace {

class FcmDelivery : public SidecarTest {
 protected:
  void SetUp() override {
    SidecarTest::SetUp();
    // Only Ann's tablet: the other platforms are not configured here.
    sql(url_, "DELETE FROM pushsync.installations WHERE installation_id <> 'ann-tablet'");
    const auto& pki = TestPki::get();
    fake_ = std::make_unique<FakeFcm>(FakeFcm::with_test_pki());
    providers_yaml_ = "fcm:\n  service_account_file: " + pki.service_account_file(fake_->token_uri()) +
                      "\n  endpoint: " + fake_->base_url() + "\n  ca_file: " + pki.ca_cert + "\n";
  }
  void TearDown() override {
    SidecarTest::TearDown();
    fake_.reset();
  }
  void start() { start_sidecar(write_config(app_tables)); }
  std::string log() { return sidecars_.back()->err(); }

  std::unique_ptr<FakeFcm> fake_;
};

TEST_F(FcmDelivery, RowChangeArrivesAsTheSpecMessage) {
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() == 1 && outbox_size() == 0; })) << log();
  auto got = fake_->received().at(0);
  EXPECT_EQ(got.request.body,
            R"({"message":{"token":"fcm-token-ann","data":{"message":"PUSH-TO-SYNC","table":"items","op":"insert",)"
            R"("id":"1","orig":"","title":"milk"},"android":{"priority":"high","collapse_key":"items:1",)"
            R"("ttl":"3600s"}}})");
  EXPECT_EQ(got.request.path, "/v1/projects/demo-project/messages:send");
  EXPECT_EQ(log().find(got.bearer), std::string::npos) << "the access token must never be logged";
}

TEST_F(FcmDelivery, OneAccessTokenForManyChanges) {
  start();
  sql(url_, "INSERT INTO items (title, owner) SELECT 't' || g, 'ann' FROM generate_series(1, 30) g");
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() == 30 && outbox_size() == 0; })) << log();
  EXPECT_EQ(fake_->tokens_issued(), 1);
}

TEST_F(FcmDelivery, UnregisteredDisablesTheInstallationAndIsInFeedback) {
  fake_->script({FakeFcm::Next::error(404, "UNREGISTERED", "Requested entity was not found.")});
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.feedback") == "1" && outbox_size() == 0;
  })) << log();
  EXPECT_EQ(sql_value(url_, "SELECT installation_id || ' ' || push_channel || ' ' || reason FROM pushsync.feedback"),
            "ann-tablet fcm-token-ann fcm 404 UNREGISTERED");
  EXPECT_EQ(sql_value(url_, "SELECT disabled_at IS NOT NULL FROM pushsync.installations"), "t");
}

TEST_F(FcmDelivery, RetryAfterDelaysTheRetryAtLeastThatLong) {
  fake_->script({FakeFcm::Next::error(429, "QUOTA_EXCEEDED", "Quota exceeded", "2")});
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'ann')");
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() == 1; })) << log();
  auto got = fake_->received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_GE(got[1].at - got[0].at, std::chrono::seconds(2));  // the fake's own clock
}

TEST_F(FcmDelivery, A503BurstIsSurvivedWithNothingLostOrAcceptedTwice) {
  fake_->script(std::vector<FakeFcm::Next>(6, FakeFcm::Next::error(503, "UNAVAILABLE", "unavailable")));
  start();
  sql(url_, "INSERT INTO items (title, owner) SELECT 't' || g, 'ann' FROM generate_series(1, 10) g");
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() >= 10 && outbox_size() == 0; })) << log();
  std::multiset<std::string> ids;
  for (const auto& r : fake_->received())
    if (r.status == 200) ids.insert(r.message()["data"]["id"].get<std::string>());
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 10u);
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters"), "0");
}

TEST_F(FcmDelivery, ABadServiceAccountFileIsAConfigErrorAtItsLine) {
  auto file = write_temp_file("account.json", R"({"project_id": "p", "client_email": "x@p.iam"})");
  providers_yaml_ = "fcm:\n  service_account_file: " + file + "\n";
  auto result = run_pushsync({"check", "--config", write_config(app_tables)});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("fcm.service_account_file: " + file + " has no \"private_key\""), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace pushsync::test
