// Row changes in a real PostgreSQL reach browsers through the running
// sidecar and a strict fake Web Push service (tests/fakes/webpush), which
// checks VAPID like a push service and decrypts each message with the
// http_ece package (not pushsync's code). Its answers end up in the
// outbox, installations, feedback and dead letters.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "tests/fakes/test_pki.hpp"
#include "tests/support/api_client.hpp"
#include "tests/support/fake_push_service.hpp"
#include "tests/integration/sidecar_fixture.hpp"

namespace pushsync::test {
namespace {

constexpr const char* api_token = "webpush-test-token";
const Headers api_headers{{"Authorization", std::string("Bearer ") + api_token}, {"Content-Type", "application/json"}};

class WebPushDelivery : public SidecarTest {
 protected:
  void SetUp() override {
    SidecarTest::SetUp();
    sql(url_, "DELETE FROM pushsync.installations");
    const auto& pki = TestPki::get();
    fake_ = std::make_unique<FakePushService>(pki.server_cert, pki.server_key);
    std::string key_file = temp_path("vapid.pem");
    auto made = run_pushsync({"vapid-keys", "--out", key_file});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    auto at = made.out.find("vapid_public_key: \"") + 19;
    vapid_public_key_ = made.out.substr(at, made.out.find('"', at) - at);
    providers_yaml_ = "http:\n  listen: 127.0.0.1:0\n  api_token: " + std::string(api_token) +
                      "\nwebpush:\n  vapid_public_key: \"" + vapid_public_key_ + "\"\n  vapid_private_key_file: " +
                      key_file + "\n  subject: \"mailto:ops@example.com\"\n  ca_file: " + pki.ca_cert +
                      "\n" + allowed_fakes;
  }
  void TearDown() override {
    SidecarTest::TearDown();
    fake_.reset();
  }

  static std::string temp_path(const std::string& name) {
    auto path = write_temp_file(name, "");
    std::remove(path.c_str());
    return path;
  }
  void start(const std::string& delivery_extra = "") {
    auto& sidecar = start_sidecar(write_config(app_tables, delivery_extra));
    port_ = http_port_of(sidecar);
    ASSERT_NE(port_, 0) << sidecar.err();
  }
  std::string log() { return sidecars_.back()->err() + "\nfake push service:\n" + fake_->log(); }

  // A browser subscribes (bound to our VAPID key, or to `server_key`) and
  // registers as `installation` with the tag user:ann. Returns the fake's subscription id.
  std::string register_browser(const std::string& installation, const std::vector<FakePushService::Answer>& answers = {},
                                const std::string& server_key = "", FakePushService* service = nullptr) {
    if (!service) service = fake_.get();
    auto made = service->subscribe(server_key.empty() ? vapid_public_key_ : server_key, answers);
    put_browser(installation, made["subscription"]);
    return made["id"];
  }
  // A browser whose subscription names `endpoint` (keys from the fake), not a fake's.
  void register_at(const std::string& installation, const std::string& endpoint) {
    auto subscription = fake_->subscribe(vapid_public_key_)["subscription"];
    subscription["endpoint"] = endpoint;
    put_browser(installation, subscription);
  }
  void put_browser(const std::string& installation, const nlohmann::json& subscription) {
    nlohmann::json body = {{"platform", "webpush"}, {"pushChannel", subscription}, {"tags", {"user:ann"}}};
    auto reply = http_request(port_, "PUT", "/v1/installations/" + installation, body.dump(), api_headers);
    EXPECT_EQ(reply.status, 201) << reply.body;
  }
  std::vector<nlohmann::json> accepted() { return fake_->received()["accepted"]; }

  // The fakes listen on 127.0.0.1, which is named, so it may be connected to.
  static constexpr const char* allowed_fakes = "  allowed_origins: [\"127.0.0.1\"]\n";

  std::unique_ptr<FakePushService> fake_;
  std::string vapid_public_key_;
  int port_ = 0;
};

// Web Push egress: a subscription names any URL, so where the sidecar may
// send is a list (webpush.allowed_origins), by default the browsers' push
// services. A subscription to anywhere else is refused when registered.
TEST_F(WebPushDelivery, ASubscriptionToAPushServiceNotAllowedIsRefusedWhenRegistered) {
  providers_yaml_.erase(providers_yaml_.find(allowed_fakes));  // the browsers' push services only
  start();
  auto subscription = fake_->subscribe(vapid_public_key_)["subscription"];
  nlohmann::json body = {{"platform", "webpush"}, {"pushChannel", subscription}, {"tags", {"user:ann"}}};
  auto reply = http_request(port_, "PUT", "/v1/installations/ann-browser", body.dump(), api_headers);
  EXPECT_EQ(reply.status, 422) << reply.body;
  EXPECT_EQ(reply.error_code(), "origin_not_allowed") << reply.body;
  const std::string endpoint = subscription["endpoint"];
  const std::string origin = endpoint.substr(0, endpoint.find('/', 8));  // https://127.0.0.1:<port>
  EXPECT_NE(reply.json()["message"].get<std::string>().find(origin), std::string::npos) << reply.body;
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.installations"), "0");
}

// An endpoint's path goes into the request line as it is: one with a space
// or a line break (a request smuggled into the push service's connection)
// is not a URL, and is refused when registered.
TEST_F(WebPushDelivery, AnEndpointWithSpacesOrLineBreaksIsRefusedWhenRegistered) {
  start();
  auto subscription = fake_->subscribe(vapid_public_key_)["subscription"];
  const std::string endpoint = subscription["endpoint"];
  for (const std::string tail : {" HTTP/1.1\r\nX-Smuggled: 1", "\nX-Smuggled: 1", "/a b"}) {
    subscription["endpoint"] = endpoint + tail;
    nlohmann::json body = {{"platform", "webpush"}, {"pushChannel", subscription}, {"tags", {"user:ann"}}};
    auto reply = http_request(port_, "PUT", "/v1/installations/ann-browser", body.dump(), api_headers);
    EXPECT_EQ(reply.status, 422) << reply.body;
    EXPECT_EQ(reply.error_code(), "invalid_push_channel") << reply.body;
    EXPECT_NE(reply.body.find("not an https URL"), std::string::npos) << reply.body;
  }
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.installations"), "0");
}

// A subscription stored before the list changed (here: written by SQL) is
// checked again when sent: dead-lettered, never connected to.
TEST_F(WebPushDelivery, ASubscriptionStoredBeforeTheListChangedIsDeadLetteredWhenSent) {
  providers_yaml_.erase(providers_yaml_.find(allowed_fakes));
  start();
  auto subscription = fake_->subscribe(vapid_public_key_)["subscription"];
  sql(url_, "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags) VALUES "
            "('ann-browser', 'webpush', '" + subscription.dump() + "', '{user:ann}')");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters") == "1" && outbox_size() == 0;
  })) << log();
  EXPECT_NE(sql_value(url_, "SELECT reason FROM pushsync.dead_letters").find("origin_not_allowed"), std::string::npos);
  EXPECT_EQ(accepted().size(), 0u);
}

// Allowed by a wildcard is not enough to reach into the sidecar's own
// network: a host that resolves to a loopback, private, link-local or
// multicast address is refused when connected to (DNS rebinding), unless
// the list names it. The push is dead-lettered, not sent.
TEST_F(WebPushDelivery, AnOriginAllowedByAWildcardIsNotConnectedToAtALoopbackAddress) {
  providers_yaml_.replace(providers_yaml_.find(allowed_fakes), std::string(allowed_fakes).size(),
                          "  allowed_origins: [\"*\"]\n");
  start();
  register_browser("ann-browser");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters") == "1" && outbox_size() == 0;
  })) << log();
  EXPECT_NE(sql_value(url_, "SELECT reason FROM pushsync.dead_letters").find("resolves to no public address"),
            std::string::npos);
  EXPECT_EQ(accepted().size(), 0u);
  EXPECT_EQ(fake_->received()["refused"].size(), 0u) << "no request reached it";
}

TEST_F(WebPushDelivery, ARowChangeArrivesEncryptedSignedAndWithItsHeaders) {
  start();
  auto id = register_browser("ann-browser");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] { return accepted().size() == 1 && outbox_size() == 0; })) << log();
  auto got = accepted().at(0);
  EXPECT_EQ(got["id"], id);
  EXPECT_EQ(got["payload"],
            R"({"message":"PUSH-TO-SYNC","table":"items","op":"insert","id":"1","orig":"","title":"milk"})");
  EXPECT_EQ(got["ttl"], "3600");
  EXPECT_EQ(got["urgency"], "normal");
  EXPECT_EQ(got["topic"].get<std::string>().size(), 32u);  // "items:1" has a colon: a digest of it
  EXPECT_EQ(got["protocol"], "2.0");
  EXPECT_EQ(fake_->received()["refused"].size(), 0u) << fake_->received().dump();
  EXPECT_EQ(log().find("vapid t="), std::string::npos) << "the VAPID JWT must never be logged";
}

TEST_F(WebPushDelivery, AGoneSubscriptionDisablesTheInstallationAndIsInFeedback) {
  start();
  register_browser("ann-old-browser", {{410}});
  register_browser("ann-browser");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.feedback") == "1" && outbox_size() == 0;
  })) << log();
  EXPECT_EQ(sql_value(url_, "SELECT installation_id || ' ' || reason FROM pushsync.feedback"),
            "ann-old-browser webpush 410: scripted");
  EXPECT_EQ(sql_value(url_, "SELECT string_agg(installation_id, ',') FROM pushsync.installations "
                            "WHERE disabled_at IS NOT NULL"),
            "ann-old-browser");
  EXPECT_EQ(accepted().size(), 1u);  // the other browser got its push, once
}

TEST_F(WebPushDelivery, TooLargeAndKeyMismatchAreDeadLettersThatKeepTheInstallation) {
  start();
  register_browser("ann-browser", {{413}});
  register_browser("ann-other-key", {}, "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters") == "2" && outbox_size() == 0;
  })) << log();
  EXPECT_EQ(sql_value(url_, "SELECT string_agg(installation_id || ' ' || reason, ' | ' ORDER BY installation_id) "
                            "FROM pushsync.dead_letters"),
            "ann-browser webpush 413: scripted | "
            "ann-other-key webpush 403: k is not the applicationServerKey of the subscription");
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.installations WHERE disabled_at IS NULL"), "2");
  EXPECT_EQ(accepted().size(), 0u);
}

// A push service's error body is its bytes, not text: the dead letter keeps
// its start in whole characters (cut inside the "é" that spans bytes 199
// and 200, it was not UTF-8 and the settlement could not be written).
TEST_F(WebPushDelivery, AnErrorBodyIsKeptInTheDeadLetterInWholeCharacters) {
  start();
  register_browser("ann-browser", {{400, 0, std::string(199, 'x') + "\u00e9 and more"}});
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters") == "1" && outbox_size() == 0;
  })) << log();
  EXPECT_EQ(sql_value(url_, "SELECT reason FROM pushsync.dead_letters"), "webpush 400: " + std::string(199, 'x'));
}

TEST_F(WebPushDelivery, RetryAfterIsHonouredAndA5xxBurstLosesNothingAndDuplicatesNothing) {
  start();
  auto slow = register_browser("ann-browser", {{429, 2}});
  auto flaky = register_browser("ann-laptop", {{503}, {500}, {502}});
  auto started = std::chrono::steady_clock::now();
  sql(url_, "INSERT INTO items (title, owner) SELECT 't' || g, 'ann' FROM generate_series(1, 5) g");
  ASSERT_TRUE(eventually([&] { return accepted().size() >= 10 && outbox_size() == 0; })) << log();
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  std::multiset<std::string> per_browser_record;
  for (const auto& got : accepted())
    per_browser_record.insert(got["id"].get<std::string>() + "/" +
                              nlohmann::json::parse(got["payload"].get<std::string>())["id"].get<std::string>());
  EXPECT_EQ(per_browser_record.size(), 10u);
  EXPECT_EQ(std::set<std::string>(per_browser_record.begin(), per_browser_record.end()).size(), 10u);
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters"), "0");
  (void)slow;
  (void)flaky;
}

TEST_F(WebPushDelivery, APushServiceWithoutHttp2IsReachedOverHttp1WhileAnotherUsesHttp2) {
  const auto& pki = TestPki::get();
  FakePushService http1_only(pki.server_cert, pki.server_key, FakePushService::Protocols::http1_only);
  start();
  register_browser("ann-browser");
  register_browser("ann-old-browser", {{503}}, "", &http1_only);
  sql(url_, "INSERT INTO items (title, owner) SELECT 't' || g, 'ann' FROM generate_series(1, 3) g");
  ASSERT_TRUE(eventually([&] {
    return accepted().size() == 3 && http1_only.accepted_count() == 3 && outbox_size() == 0;
  })) << log() << http1_only.log();
  EXPECT_EQ(accepted().at(0)["protocol"], "2.0");
  auto old = http1_only.received();
  EXPECT_EQ(old["accepted"].at(0)["protocol"], "1.1");
  EXPECT_EQ(old["refused"].size(), 1u);  // the 503, retried
  EXPECT_NE(sidecars_.back()->err().find("offers no HTTP/2; using HTTP/1.1"), std::string::npos);
}

TEST_F(WebPushDelivery, AnHttp1ConnectionTheServiceClosedWhileIdleIsNotReused) {
  const auto& pki = TestPki::get();
  FakePushService http1_only(pki.server_cert, pki.server_key, FakePushService::Protocols::http1_only, 300);
  start();
  auto id = register_browser("ann-old-browser", {}, "", &http1_only);
  sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'ann')");
  ASSERT_TRUE(eventually([&] { return http1_only.accepted_count() == 1 && outbox_size() == 0; })) << log();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the service closes the idle connection (~1.3 s)
  sql(url_, "INSERT INTO items (title, owner) VALUES ('b', 'ann')");
  ASSERT_TRUE(eventually([&] { return http1_only.accepted_count() == 2 && outbox_size() == 0; })) << log();
  auto metrics = http_request(port_, "GET", "/metrics", "", api_headers).body;
  EXPECT_EQ(metrics.find("outcome=\"retry\""), std::string::npos) << metrics;
  EXPECT_EQ(http1_only.received()["accepted"][1]["id"], id);
}

TEST_F(WebPushDelivery, AnUnreachablePushServiceDeadLettersItsPushesAndHoldsNoOtherBrowser) {
  start("  max_attempts: 2\n");
  register_browser("ann-browser");
  register_at("ann-nowhere", "https://127.0.0.1:1/push/gone");  // nothing listens on port 1
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters") == "1" && outbox_size() == 0;
  })) << log();
  EXPECT_EQ(sql_value(url_, "SELECT installation_id FROM pushsync.dead_letters"), "ann-nowhere");
  EXPECT_EQ(accepted().size(), 1u);
  EXPECT_EQ(http_request(port_, "GET", "/readyz").status, 200);
}

// A socket that is listened on but never accepted: the kernel completes TCP
// connections to it, and no TLS handshake is ever answered.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length);
    ::listen(fd_, 16);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(WebPushDelivery, APushServiceThatNeverAnswersTheHandshakeTimesOutAndHoldsNoOtherBrowser) {
  SilentServer silent;
  providers_yaml_ += "  request_timeout: 500ms\n";
  start("  max_attempts: 2\n");
  register_browser("ann-browser");
  register_at("ann-stuck", "https://127.0.0.1:" + std::to_string(silent.port()) + "/push/stuck");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters") == "1" && outbox_size() == 0;
  })) << log();
  EXPECT_NE(sql_value(url_, "SELECT reason FROM pushsync.dead_letters").find("no answer within 500 ms"),
            std::string::npos)
      << sql_value(url_, "SELECT reason FROM pushsync.dead_letters");
  EXPECT_EQ(accepted().size(), 1u);
}

TEST_F(WebPushDelivery, ARefusedJwtIsSignedAgainOnceThenTheRefusalIsADeadLetter) {
  start();
  auto once = register_browser("ann-browser", {{401}});
  register_browser("ann-laptop", {{401}, {401}});
  sql(url_, "INSERT INTO items (title, owner) VALUES ('milk', 'ann')");
  ASSERT_TRUE(eventually([&] {
    return sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters") == "1" && outbox_size() == 0;
  })) << log();
  EXPECT_EQ(sql_value(url_, "SELECT installation_id || ' ' || reason FROM pushsync.dead_letters"),
            "ann-laptop webpush 401: scripted (a new JWT too)");
  auto got = fake_->received();
  ASSERT_EQ(got["accepted"].size(), 1u);
  EXPECT_EQ(got["accepted"][0]["id"], once);
  // The resend carried a newly signed JWT, not the refused one.
  std::string refused;
  for (const auto& r : got["refused"])
    if (r["id"] == once) refused = r["authorization"];
  EXPECT_FALSE(refused.empty());
  EXPECT_NE(got["accepted"][0]["authorization"].get<std::string>(), refused);
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.installations WHERE disabled_at IS NULL"), "2");
}

TEST_F(WebPushDelivery, RegistrationTakesThePushSubscriptionAndRefusesWhatIsNotOne) {
  start();
  auto made = fake_->subscribe(vapid_public_key_);
  auto subscription = made["subscription"];
  subscription["expirationTime"] = nullptr;  // as toJSON() gives it
  nlohmann::json as_text = {{"platform", "webpush"}, {"pushChannel", subscription.dump()}};
  auto reply = http_request(port_, "PUT", "/v1/installations/b1", as_text.dump(), api_headers);
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(nlohmann::json::parse(reply.json()["pushChannel"].get<std::string>()),
            (nlohmann::json{{"endpoint", subscription["endpoint"]}, {"keys", subscription["keys"]}}));

  auto bad = subscription;
  bad["keys"]["auth"] = "c2hvcnQ";
  reply = http_request(port_, "PUT", "/v1/installations/b2",
                       nlohmann::json{{"platform", "webpush"}, {"pushChannel", bad}}.dump(), api_headers);
  EXPECT_EQ(reply.status, 422);
  EXPECT_EQ(reply.error_code(), "invalid_push_channel");
  EXPECT_NE(reply.body.find("keys.auth"), std::string::npos) << reply.body;
  bad = subscription;
  bad["endpoint"] = "http://push.example/x";
  reply = http_request(port_, "PUT", "/v1/installations/b3",
                       nlohmann::json{{"platform", "webpush"}, {"pushChannel", bad}}.dump(), api_headers);
  EXPECT_EQ(reply.status, 422);
  EXPECT_NE(reply.body.find("https URL"), std::string::npos) << reply.body;
}

TEST_F(WebPushDelivery, AVapidPublicKeyThatIsNotTheKeysIsAConfigErrorAtItsLine) {
  auto config = write_config(app_tables);
  auto text = read_file(config);
  text.replace(text.find(vapid_public_key_), vapid_public_key_.size(),
               "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
  auto result = run_pushsync({"check", "--config", write_temp_file("pushsync.yaml", text)});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("webpush.vapid_public_key: vapid_public_key is not the public half"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace pushsync::test
