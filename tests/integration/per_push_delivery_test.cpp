// Exactly once per device: every push is settled on its own, so a push a
// device's provider accepted is never sent again because another device,
// platform or provider failed. Real PostgreSQL, the real binary, the fake
// APNs and FCM.
#include <csignal>
#include <thread>
#include <set>

#include "tests/fakes/fake_apns.hpp"
#include "tests/fakes/fake_fcm.hpp"
#include "tests/fakes/test_pki.hpp"
#include "tests/integration/sidecar_fixture.hpp"
#include "tests/support/api_client.hpp"

namespace pushsync::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string phone_token = std::string(32, 'a') + std::string(32, '1');  // ann-phone's, see SidecarTest

class PerPushDelivery : public SidecarTest {
 protected:
  void SetUp() override {
    SidecarTest::SetUp();
    sql(url_, "DELETE FROM pushsync.installations WHERE installation_id = 'bob-ws';"
              "UPDATE pushsync.installations SET push_channel = '" + phone_token + "' WHERE platform = 'apns'");
    start_apns();
    start_fcm();
  }
  void TearDown() override {
    SidecarTest::TearDown();
    apns_.reset();
    fcm_.reset();
  }

  void start_apns(unsigned short port = 0) {
    auto options = FakeApns::with_test_pki();
    options.port = port;
    apns_ = std::make_unique<FakeApns>(options);
  }
  void start_fcm(unsigned short port = 0) {
    auto options = FakeFcm::with_test_pki();
    options.port = port;
    fcm_ = std::make_unique<FakeFcm>(options);
  }
  // Both providers, pointed at the fakes (or at `fcm_base` for FCM).
  std::string providers(const std::string& fcm_base = "", const std::string& request_timeout = "2s") {
    const auto& pki = TestPki::get();
    const std::string base = fcm_base.empty() ? fcm_->base_url() : fcm_base;
    return "apns:\n  team_id: TEAM123456\n  key_id: KEY1234567\n  key_file: " + pki.apns_key +
           "\n  topic: com.example.todo\n  endpoint: " + apns_->endpoint() + "\n  ca_file: " + pki.ca_cert +
           "\n  request_timeout: " + request_timeout + "\nfcm:\n  service_account_file: " +
           pki.service_account_file(base + "/token") + "\n  endpoint: " + base + "\n  ca_file: " + pki.ca_cert +
           "\n  request_timeout: " + request_timeout + "\n";
  }
  Process& start(const std::string& delivery = "", const std::string& extra = "") {
    providers_yaml_ = providers() + extra;
    return start_sidecar(write_config(app_tables, delivery));
  }
  std::string log() { return sidecars_.empty() ? "" : sidecars_.back()->err(); }
  std::string dead_letters() { return sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters"); }

  // Requests the fake APNs got for one device token, in arrival order.
  std::vector<FakeApns::Received> apns_to(const std::string& token) {
    std::vector<FakeApns::Received> out;
    for (auto& r : apns_->received())
      if (r.token() == token) out.push_back(r);
    return out;
  }
  static std::size_t accepted(const std::vector<FakeApns::Received>& requests) {
    std::size_t n = 0;
    for (const auto& r : requests) n += r.status == 200;
    return n;
  }
  void add_apns_devices(int n) {
    sql(url_, "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags) "
              "SELECT 'ann-apns-' || i, 'apns', lpad(to_hex(i), 64, '0'), '{user:ann}' FROM generate_series(1, " +
                  std::to_string(n) + ") i");
  }

  std::unique_ptr<FakeApns> apns_;
  std::unique_ptr<FakeFcm> fcm_;
};

// One change, one iPhone (APNs) and one Android phone (FCM); one of the two
// services answers 503 for 3 s. The other device gets the push once, at
// once; the failing one gets it once its service is back.
class OneServiceFailing : public PerPushDelivery, public ::testing::WithParamInterface<bool /* fcm fails */> {};

TEST_P(OneServiceFailing, TheOtherDeviceGetsItOnceAndAtOnce) {
  const bool fcm_fails = GetParam();
  const auto outage_ends = Clock::now() + 3s;
  if (fcm_fails)
    fcm_->outage(FakeFcm::Next::error(503, "UNAVAILABLE", "The service is currently unavailable."), outage_ends);
  else
    apns_->outage(FakeApns::Next::answer(503, "ServiceUnavailable"), outage_ends);
  // Retries every 0.25-1 s: within the attempts a 3 s outage takes.
  start("  backoff: {initial: 250ms, max: 1s}\n  max_attempts: 20\n");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  auto healthy_accepted = [&] { return fcm_fails ? apns_->accepted_count() : fcm_->accepted_count(); };
  auto failing_accepted = [&] { return fcm_fails ? fcm_->accepted_count() : apns_->accepted_count(); };
  ASSERT_TRUE(eventually([&] { return healthy_accepted() == 1; })) << log();
  EXPECT_LT(Clock::now(), outage_ends) << "the healthy device did not wait for the other service";
  ASSERT_TRUE(eventually([&] { return failing_accepted() >= 1 && outbox_size() == 0; }, 60s)) << log();
  EXPECT_EQ(healthy_accepted(), 1u) << "sent again because the other device failed";
  auto healthy_received = fcm_fails ? apns_->received().size() : fcm_->received().size();
  EXPECT_EQ(healthy_received, 1u);
  auto failing_received = fcm_fails ? fcm_->received().size() : apns_->received().size();
  EXPECT_GE(failing_received, 3u) << "the failing device was tried more than once during the outage";
  EXPECT_EQ(dead_letters(), "0");
}

INSTANTIATE_TEST_SUITE_P(Services, OneServiceFailing, ::testing::Values(true, false),
                         [](const auto& param_info) { return param_info.param ? std::string("Fcm") : std::string("Apns"); });

// Three iPhones; Apple throttles one (429, Retry-After: 2) twice.
TEST_F(PerPushDelivery, AThrottledDeviceWaitsForRetryAfterAloneAndTheOthersGetItOnce) {
  sql(url_, "DELETE FROM pushsync.installations");
  add_apns_devices(3);
  const std::string throttled = std::string(63, '0') + "2";
  apns_->script_for(throttled, {FakeApns::Next::answer(429, "TooManyRequests", "2"),
                                FakeApns::Next::answer(429, "TooManyRequests", "2")});
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] { return apns_->accepted_count() == 3 && outbox_size() == 0; }, 30s)) << log();
  for (const char* other : {"1", "3"}) EXPECT_EQ(apns_to(std::string(63, '0') + other).size(), 1u) << other;
  auto tries = apns_to(throttled);
  ASSERT_EQ(tries.size(), 3u);
  EXPECT_GE(tries[1].at - tries[0].at, 2s);  // the fake's own clock
  EXPECT_GE(tries[2].at - tries[1].at, 2s);
  EXPECT_EQ(tries[2].status, 200);
  EXPECT_EQ(dead_letters(), "0");
}

// Two iPhones; one was uninstalled (410 Unregistered).
TEST_F(PerPushDelivery, AnUnregisteredDeviceIsDisabledAloneAndNotRetried) {
  sql(url_, "DELETE FROM pushsync.installations");
  add_apns_devices(2);
  const std::string gone = std::string(63, '0') + "1";
  apns_->script_for(gone, {FakeApns::Next::answer(410, "Unregistered")});
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] { return apns_->accepted_count() == 1 && outbox_size() == 0; })) << log();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('eggs', 'ann')");
  ASSERT_TRUE(eventually([&] { return apns_->accepted_count() == 2 && outbox_size() == 0; })) << log();
  EXPECT_EQ(apns_to(gone).size(), 1u) << "no retry, and nothing more once disabled";
  EXPECT_EQ(accepted(apns_to(std::string(63, '0') + "2")), 2u);
  EXPECT_EQ(sql(url_, "SELECT installation_id || ' ' || reason FROM pushsync.feedback"),
            (std::vector<std::string>{"ann-apns-1 apns 410 Unregistered"}));
  EXPECT_EQ(sql_value(url_, "SELECT string_agg(installation_id, ',') FROM pushsync.installations "
                            "WHERE disabled_at IS NOT NULL"),
            "ann-apns-1");
}

// A device whose pushes keep failing is dead-lettered alone after
// max_attempts; `pushsync dead-letters` lists it, sends it again once the
// service takes it, and purges what is left.
TEST_F(PerPushDelivery, ADeadLetterCanBeListedRetriedAndPurged) {
  sql(url_, "DELETE FROM pushsync.installations WHERE platform = 'fcm'");
  apns_->script_for(phone_token, std::vector<FakeApns::Next>(3, FakeApns::Next::answer(503, "ServiceUnavailable")));
  auto& sidecar = start("  max_attempts: 3\n");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] { return dead_letters() == "1" && outbox_size() == 0; })) << log();
  EXPECT_EQ(apns_->received().size(), 3u);
  const std::string config = write_config(app_tables);

  auto listed = run_pushsync({"dead-letters", "list", "--config", config, "--json", "--table", "items"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto letter = nlohmann::json::parse(listed.out);
  EXPECT_EQ(letter["installationId"], "ann-phone");
  EXPECT_EQ(letter["reason"], "max_attempts: apns 503 ServiceUnavailable");
  EXPECT_EQ(letter["payload"]["op"], "insert");
  EXPECT_EQ(letter["retryable"], true);
  auto table = run_pushsync({"dead-letters", "list", "--config", config, "--reason", "503"});
  EXPECT_NE(table.out.find("ann-phone"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("REASON"), std::string::npos) << table.out;
  EXPECT_EQ(run_pushsync({"dead-letters", "list", "--config", config, "--json", "--reason", "410"}).out, "");

  const std::string id = letter["id"].dump();
  auto retried = run_pushsync({"dead-letters", "retry", id, "--config", config});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(retried.out, "requeued 1 push(es): " + id + "\n");
  ASSERT_TRUE(eventually([&] { return apns_->accepted_count() == 1 && outbox_size() == 0; })) << sidecar.err();
  EXPECT_EQ(apns_->accepted()[0].request.body, apns_->received()[0].request.body) << "the same push, resent";
  EXPECT_EQ(dead_letters(), "0");
  auto again = run_pushsync({"dead-letters", "retry", id, "--config", config});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("no such dead letter: " + id), std::string::npos) << again.err;

  apns_->script_for(phone_token, std::vector<FakeApns::Next>(3, FakeApns::Next::answer(503, "ServiceUnavailable")));
  sql(url_, "INSERT INTO items (title, owner) VALUES ('eggs', 'ann')");
  ASSERT_TRUE(eventually([&] { return dead_letters() == "1" && outbox_size() == 0; })) << log();
  auto kept = run_pushsync({"dead-letters", "purge", "--before", "1h", "--config", config});
  EXPECT_NE(kept.out.find("purged 0 dead letter(s)"), std::string::npos) << kept.out;
  auto purged = run_pushsync({"dead-letters", "purge", "--before", "0s", "--config", config});
  EXPECT_NE(purged.out.find("purged 1 dead letter(s)"), std::string::npos) << purged.out;
  EXPECT_EQ(dead_letters(), "0");
  EXPECT_EQ(run_pushsync({"dead-letters", "purge", "--before", "last tuesday", "--config", config}).exit_code, 2);
}

TEST_F(PerPushDelivery, DeadLettersOverHttpWithTheApiToken) {
  sql(url_, "DELETE FROM pushsync.installations WHERE platform = 'fcm'");
  apns_->script_for(phone_token, std::vector<FakeApns::Next>(2, FakeApns::Next::answer(400, "BadExpirationDate")));
  auto& sidecar = start("", "http:\n  listen: 127.0.0.1:0\n  api_token: t0ken\n");
  int port = http_port_of(sidecar);
  ASSERT_NE(port, 0) << sidecar.err();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] { return dead_letters() == "1" && outbox_size() == 0; })) << log();
  const Headers auth{{"Authorization", "Bearer t0ken"}};
  EXPECT_EQ(http_request(port, "GET", "/v1/dead-letters").status, 401);
  auto listed = http_request(port, "GET", "/v1/dead-letters?since=1h&reason=BadExpiration", "", auth);
  ASSERT_EQ(listed.status, 200) << listed.body;
  auto letters = listed.json()["deadLetters"];
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0]["reason"], "apns 400 BadExpirationDate");
  const long long id = letters[0]["id"];
  auto retried = http_request(port, "POST", "/v1/dead-letters/retry", R"({"ids":[)" + std::to_string(id) + ",999]}",
                              {{"Authorization", "Bearer t0ken"}, {"Content-Type", "application/json"}});
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.json()["requeued"], nlohmann::json::array({id}));
  EXPECT_EQ(retried.json()["notFound"], nlohmann::json::array({999}));
  ASSERT_TRUE(eventually([&] { return dead_letters() == "1" && outbox_size() == 0; })) << log();  // refused again
  EXPECT_EQ(http_request(port, "DELETE", "/v1/dead-letters", "", auth).error_code(), "missing_before");
  auto purged = http_request(port, "DELETE", "/v1/dead-letters?before=0s", "", auth);
  EXPECT_EQ(purged.json()["purged"], 1);
  auto metrics = http_request(port, "GET", "/metrics", "", auth);
  EXPECT_NE(metrics.body.find("pushsync_dead_letters 0\n"), std::string::npos) << metrics.body;
}

// FCM cannot be reached at all: Android pushes wait without using up
// attempts, the iPhone's arrives at once and once.
TEST_F(PerPushDelivery, AnUnreachableProviderDelaysOnlyItsOwnPlatform) {
  const unsigned short port = static_cast<unsigned short>(std::stoi(fcm_->base_url().substr(fcm_->base_url().rfind(':') + 1)));
  const std::string base = fcm_->base_url();
  fcm_.reset();  // nothing listens there now
  providers_yaml_ = providers(base);
  start_sidecar(write_config(app_tables, "  max_attempts: 2\n"));
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] { return apns_->accepted_count() == 1; })) << log();
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.deliveries WHERE installation_id = 'ann-tablet'") == "1";
  })) << log();
  // Several tries to reach FCM meanwhile (its token endpoint comes first;
  // 200 ms, 400 ms, ... apart).
  ASSERT_TRUE(eventually([&] { return occurrences(log(), "fcm oauth: cannot connect") >= 3; })) << log();
  EXPECT_EQ(sql_value(url_, "SELECT attempts FROM pushsync.deliveries"), "0") << "a provider that is down uses up no attempt";
  start_fcm(port);
  ASSERT_TRUE(eventually([&] { return fcm_->accepted_count() == 1 && outbox_size() == 0; }, 60s)) << log();
  EXPECT_EQ(apns_->received().size(), 1u);
  EXPECT_EQ(dead_letters(), "0");
}

// Changes of one record while its push to one device waits to be retried:
// that device gets only the newest state, once, when the retry is due.
TEST_F(PerPushDelivery, NewerChangesOfARecordFoldIntoItsWaitingPush) {
  fcm_->outage(FakeFcm::Next::error(503, "UNAVAILABLE"), Clock::now() + 3s);
  start("  backoff: {initial: 1s, max: 2s}\n  max_attempts: 20\n  coalesce_window: 0ms\n");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('v1', 'ann')");
  ASSERT_TRUE(eventually([&] { return apns_->accepted_count() == 1; })) << log();
  sql(url_, "UPDATE items SET title = 'v2'");
  ASSERT_TRUE(eventually([&] { return apns_->accepted_count() == 2; })) << log();
  sql(url_, "DELETE FROM items");
  ASSERT_TRUE(eventually([&] { return apns_->accepted_count() == 3; })) << log();
  ASSERT_TRUE(eventually([&] { return fcm_->accepted_count() >= 1 && outbox_size() == 0; }, 30s)) << log();
  std::vector<std::string> ops;
  for (const auto& r : fcm_->received())
    if (r.status == 200) ops.push_back(r.message()["data"]["op"]);
  EXPECT_EQ(ops, (std::vector<std::string>{"delete"})) << "only the newest state, once";
  std::vector<std::string> apns_ops;
  for (const auto& r : apns_->accepted()) apns_ops.push_back(r.body()["op"]);
  EXPECT_EQ(apns_ops, (std::vector<std::string>{"insert", "update", "delete"}));
}

// Three drains of 50,000 changes in a row, through the fake APNs: each push
// exactly once, and no batch lost its claim before it was settled.
TEST_F(PerPushDelivery, ThreeLargeDrainsSendEveryPushOnce) {
  constexpr int n = 50000;
  sql(url_, "DELETE FROM pushsync.installations;"
            "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags) "
            "SELECT 'dev' || i, 'apns', lpad(to_hex(i), 64, '0'), ARRAY['user:u' || i] "
            "FROM generate_series(1, " + std::to_string(n) + ") i");
  auto options = FakeApns::with_test_pki();
  options.record = false;
  apns_ = std::make_unique<FakeApns>(options);
#ifdef PUSHSYNC_SANITIZED
  // A sanitized sidecar and fake take longer than the tests' 2 s request
  // timeout to answer a batch of 2,000 pushes, and than the fixture's 5 s
  // lease to send it: an answer that comes too late is a retry, a claim
  // held too long is released (as they must be), and either sends pushes
  // again (seen under TSan: 10,174 and 7,222 of 150,000).
  const std::string database = "  lease: 120s\n", request_timeout = "60s";
#else
  const std::string database, request_timeout = "2s";
#endif
  providers_yaml_ = providers("", request_timeout) + "log:\n  level: info\n";
  auto& sidecar = start_sidecar(write_config(app_tables, "", database));
  for (int drain = 1; drain <= 3; ++drain) {
    sql(url_, "INSERT INTO items (title, owner) SELECT 't', 'u' || g FROM generate_series(1, " + std::to_string(n) +
                  ") g");
    ASSERT_TRUE(eventually([&] { return outbox_size() == 0; }, 90s)) << "drain " << drain;
  }
  ASSERT_TRUE(eventually([&] { return apns_->accepted_count() >= 3u * n; }));
  std::this_thread::sleep_for(500ms);  // a push sent twice would arrive by now
  EXPECT_EQ(apns_->accepted_count(), 3u * n) << sidecar.err();
  EXPECT_EQ(sidecar.err().find("could not settle"), std::string::npos) << sidecar.err();
}

}  // namespace
}  // namespace pushsync::test
