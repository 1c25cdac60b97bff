// Row changes in a real PostgreSQL reach the fake APNs through the running
// sidecar; what Apple answers ends up in the outbox, installations and
// feedback tables.
#include <set>

#include "tests/fakes/fake_apns.hpp"
#include "tests/fakes/test_pki.hpp"
#include "tests/integration/sidecar_fixture.hpp"
#include "tests/support/api_client.hpp"

namespace pushsync::test {
namespace {

const std::string ann_token(64, 'a');

class ApnsDelivery : public SidecarTest {
 protected:
  void SetUp() override {
    SidecarTest::SetUp();
    // Only Ann's phone: the other devices' platforms are not configured here.
    sql(url_, "DELETE FROM pushsync.installations WHERE installation_id <> 'ann-phone';"
              "UPDATE pushsync.installations SET push_channel = '" + ann_token + "'");
    use_fake(TestPki::get().server_cert, TestPki::get().server_key);
  }

  // Starts the fake APNs with this TLS identity and points the config at it.
  void use_fake(const std::string& cert_file, const std::string& key_file) {
    const auto& pki = TestPki::get();
    auto options = FakeApns::with_test_pki();
    options.cert_file = cert_file;
    options.key_file = key_file;
    fake_ = std::make_unique<FakeApns>(options);
    providers_yaml_ = "apns:\n  team_id: TEAM123456\n  key_id: KEY1234567\n  key_file: " + pki.apns_key +
                      "\n  topic: com.example.todo\n  endpoint: " + fake_->endpoint() + "\n  ca_file: " + pki.ca_cert +
                      "\n  request_timeout: 500ms\n";
  }
  void TearDown() override {
    SidecarTest::TearDown();
    fake_.reset();
  }

  void start() { start_sidecar(write_config(app_tables)); }
  bool outbox_empty() { return outbox_size() == 0; }

  // Record ids of the pushes the fake accepted, in arrival order.
  std::vector<std::string> accepted_ids() const {
    std::vector<std::string> ids;
    for (const auto& r : fake_->accepted()) ids.push_back(r.body()["id"]);
    return ids;
  }

  std::unique_ptr<FakeApns> fake_;
};

TEST_F(ApnsDelivery, RowChangeArrivesWithTheSpecPayloadAndHeaders) {
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] { return fake_->accepted().size() == 1 && outbox_empty(); })) << sidecars_.back()->err();
  auto got = fake_->accepted()[0];
  EXPECT_EQ(got.request.method, "POST");
  EXPECT_EQ(got.request.path, "/3/device/" + ann_token);
  EXPECT_EQ(got.request.body,
            R"({"aps":{"content-available":1},"message":"PUSH-TO-SYNC","table":"items","op":"insert","id":"1",)"
            R"("orig":"","title":"milk"})");
  const auto& h = got.request.headers;
  EXPECT_EQ(h.at("apns-topic"), "com.example.todo");
  EXPECT_EQ(h.at("apns-push-type"), "background");
  EXPECT_EQ(h.at("apns-priority"), "5");
  EXPECT_EQ(h.at("apns-collapse-id"), "items:1");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  EXPECT_LE(std::labs(std::stol(h.at("apns-expiration")) - (now.count() + 3600)), 60);  // delivery.expiration: 1h
  EXPECT_EQ(h.at("apns-id").size(), 36u);
  EXPECT_FALSE(got.jwt.empty());  // status 200 means the fake verified it
  EXPECT_EQ(sidecars_.back()->err().find(got.jwt), std::string::npos) << "the JWT must never be logged";
}

TEST_F(ApnsDelivery, UnregisteredTokenDisablesTheInstallationAndIsInFeedback) {
  fake_->script({FakeApns::Next::answer(410, "Unregistered")});
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.feedback") == "1" && outbox_empty();
  })) << sidecars_.back()->err();
  EXPECT_EQ(sql_value(url_, "SELECT installation_id || ' ' || platform || ' ' || reason FROM pushsync.feedback"),
            "ann-phone apns apns 410 Unregistered");
  EXPECT_EQ(sql_value(url_, "SELECT disabled_at IS NOT NULL FROM pushsync.installations"), "t");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('eggs', 'ann')");
  ASSERT_TRUE(eventually([&] { return outbox_empty(); }));
  EXPECT_EQ(fake_->received().size(), 1u);  // a disabled device gets nothing more
}

struct Trouble {
  const char* name;
  FakeApns::Next answer;
};

void PrintTo(const Trouble& t, std::ostream* os) { *os << t.name; }

class ApnsTrouble : public ApnsDelivery, public ::testing::WithParamInterface<Trouble> {};

// Three changes in one transaction (one batch); the first request meets
// trouble. All three arrive, each accepted exactly once.
TEST_P(ApnsTrouble, NothingIsLostAndNothingAcceptedTwice) {
  fake_->script({GetParam().answer});
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'ann'), ('b', 'ann'), ('c', 'ann')");
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() >= 3 && outbox_empty(); })) << sidecars_.back()->err();
  auto ids = accepted_ids();
  std::multiset<std::string> got(ids.begin(), ids.end());
  EXPECT_EQ(got, (std::multiset<std::string>{"1", "2", "3"}));
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters"), "0");
}

INSTANTIATE_TEST_SUITE_P(
    Apns, ApnsTrouble,
    ::testing::Values(Trouble{"TooManyRequests", FakeApns::Next::answer(429, "TooManyRequests", "1")},
                      Trouble{"ServiceUnavailable", FakeApns::Next::answer(503, "ServiceUnavailable")},
                      Trouble{"InternalServerError", FakeApns::Next::answer(500, "InternalServerError")},
                      Trouble{"Goaway", FakeApns::Next::ok_then_goaway()},
                      Trouble{"ConnectionDrop", FakeApns::Next::act(ServerReply::Action::drop)},
                      Trouble{"Stall", FakeApns::Next::act(ServerReply::Action::stall)}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(ApnsDelivery, RetryAfterDelaysTheRetryAtLeastThatLong) {
  fake_->script({FakeApns::Next::answer(429, "TooManyRequests", "2")});
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'ann')");
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() == 1; })) << sidecars_.back()->err();
  auto received = fake_->received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_GE(received[1].at - received[0].at, std::chrono::seconds(2));  // the fake's own clock
}

TEST_F(ApnsDelivery, AChangeStillRefusedAfterMaxAttemptsIsDeadLettered) {
  std::vector<FakeApns::Next> refusals(5, FakeApns::Next::answer(503, "ServiceUnavailable"));
  fake_->script(refusals);
  start_sidecar(write_config(app_tables, "  max_attempts: 3\n"));
  sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'ann')");
  ASSERT_TRUE(eventually([&] { return outbox_empty(); })) << sidecars_.back()->err();
  EXPECT_EQ(fake_->received().size(), 3u);
  EXPECT_EQ(fake_->accepted_count(), 0u);
  EXPECT_EQ(sql(url_, "SELECT reason FROM pushsync.dead_letters"),
            (std::vector<std::string>{"max_attempts: apns 503 ServiceUnavailable"}));
}

TEST_F(ApnsDelivery, ExpiredProviderTokenIsRefreshedExactlyOnce) {
  fake_->script({FakeApns::Next::answer(403, "ExpiredProviderToken")});
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'ann'), ('b', 'ann')");
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() == 2 && outbox_empty(); })) << sidecars_.back()->err();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('c', 'ann')");
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() == 3 && outbox_empty(); }));
  std::set<std::string> jwts;
  for (const auto& r : fake_->received()) jwts.insert(r.jwt);
  EXPECT_EQ(jwts.size(), 2u);  // the first, and one refresh reused afterwards
}

TEST_F(ApnsDelivery, RejectedProviderTokenKeepsChangesQueuedWithoutUsingAttempts) {
  std::vector<FakeApns::Next> refusals(5, FakeApns::Next::answer(403, "InvalidProviderToken"));
  fake_->script(refusals);
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'ann')");
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() == 1 && outbox_empty(); },
                         std::chrono::seconds(60)))
      << sidecars_.back()->err();
  EXPECT_EQ(fake_->received().size(), 6u);
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters"), "0");
  EXPECT_NE(sidecars_.back()->err().find("apns: cannot send (apns 403 InvalidProviderToken)"), std::string::npos);
}

TEST_F(ApnsDelivery, ReadinessIsFalseWhileApnsRefusesTheProviderToken) {
  // Three refusals, retried 0.2-1 s apart: APNs is down for about 1.5 s.
  fake_->script(std::vector<FakeApns::Next>(3, FakeApns::Next::answer(403, "InvalidProviderToken")));
  providers_yaml_ += "http:\n  listen: 127.0.0.1:0\n  api_token: t\n";
  Process& sidecar = start_sidecar(write_config(app_tables, "  backoff: {initial: 200ms, max: 1s}\n"));
  int port = http_port_of(sidecar);
  ASSERT_NE(port, 0) << sidecar.err();
  EXPECT_EQ(http_request(port, "GET", "/readyz").status, 200) << "nothing has failed yet";
  sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'ann')");
  HttpReply down;
  ASSERT_TRUE(eventually([&] { return (down = http_request(port, "GET", "/readyz")).status == 503; }));
  EXPECT_EQ(down.error_code(), "not_ready");
  EXPECT_EQ(down.json()["database"], "ok");
  EXPECT_EQ(down.json()["providers"], nlohmann::json({{"apns", "down"}}));
  // Once Apple takes the token again, the change is delivered and the sidecar is ready.
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() == 1 && outbox_empty(); }, std::chrono::seconds(60)));
  EXPECT_EQ(http_request(port, "GET", "/readyz").status, 200);
}

TEST_F(ApnsDelivery, UntrustedServerIsRefusedAndTheChangeWaits) {
  use_fake(TestPki::get().untrusted_cert, TestPki::get().untrusted_key);
  start();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'ann')");
  ASSERT_TRUE(eventually([&] { return sidecars_.back()->err().find("certificate verify failed") != std::string::npos; }))
      << sidecars_.back()->err();
  EXPECT_TRUE(fake_->received().empty());
  EXPECT_EQ(outbox_size(), 1);
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters"), "0");
}

TEST_F(ApnsDelivery, SendCommandReachesTheFake) {
  sql(url_, "UPDATE pushsync.installations SET tags = '{user:ann,team:blue}'");
  start();
  auto sent = run_pushsync({"send", "--config", write_config(app_tables), "--tag", "team:blue", "--alert",
                            "Hello", "--data", R"({"sources":["items"]})"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  ASSERT_TRUE(eventually([&] { return fake_->accepted_count() == 1 && outbox_empty(); })) << sidecars_.back()->err();
  auto got = fake_->accepted()[0];
  EXPECT_EQ(got.request.body, R"({"aps":{"alert":"Hello"},"sources":["items"]})");
  EXPECT_EQ(got.request.headers.at("apns-push-type"), "alert");
  EXPECT_EQ(got.request.headers.at("apns-priority"), "10");
}

TEST_F(ApnsDelivery, UnreadableKeyFileIsAConfigErrorAtItsLine) {
  providers_yaml_ = "apns:\n  team_id: T\n  key_id: K\n  key_file: /nonexistent.p8\n  topic: com.example.todo\n";
  auto result = run_pushsync({"check", "--config", write_config(app_tables)});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("apns.key_file: key: cannot read /nonexistent.p8"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace pushsync::test
