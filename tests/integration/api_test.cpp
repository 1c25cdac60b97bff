// The HTTP API over real HTTP against a running sidecar and PostgreSQL.
#include <csignal>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tests/integration/api_fixture.hpp"

namespace pushsync::test {
namespace {

using nlohmann::json;

TEST_F(ApiTest, PutCreatesThenReplacesAnInstallationAndGetShowsIt) {
  start();
  auto created = call("PUT", "/v1/installations/carol-phone",
                      R"({"platform":"apns","pushChannel":")" + apns_token + R"(","tags":["user:carol","team:red"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  json body = created.json();
  EXPECT_EQ(body["installationId"], "carol-phone");
  EXPECT_EQ(body["platform"], "apns");
  EXPECT_EQ(body["pushChannel"], apns_token);
  EXPECT_EQ(body["tags"], json({"user:carol", "team:red"}));
  EXPECT_EQ(body["disabledAt"], nullptr);
  EXPECT_FALSE(body.contains("channelSecret"));

  auto replaced = call("PUT", "/v1/installations/carol-phone",
                       R"({"platform":"apns","pushChannel":")" + apns_token + R"(","tags":["user:carol"]})");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  auto read = call("GET", "/v1/installations/carol-phone");
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.json()["tags"], json({"user:carol"}));
  EXPECT_EQ(read.json()["createdAt"], body["createdAt"]);
  EXPECT_EQ(sql_value(url_, "SELECT tags::text FROM pushsync.installations WHERE installation_id = 'carol-phone'"),
            "{user:carol}");
}

TEST_F(ApiTest, ATokenRegisteredUnderANewIdMovesThere) {
  start();
  const std::string body = R"({"platform":"fcm","pushChannel":"fcm-token-1","tags":["user:dan"]})";
  ASSERT_EQ(call("PUT", "/v1/installations/old-id", body).status, 201);
  ASSERT_EQ(call("PUT", "/v1/installations/new-id", body).status, 201);
  EXPECT_EQ(call("GET", "/v1/installations/old-id").error_code(), "installation_not_found");
  EXPECT_EQ(sql_value(url_, "SELECT string_agg(installation_id, ',') FROM pushsync.installations "
                            "WHERE push_channel = 'fcm-token-1'"),
            "new-id");
}

TEST_F(ApiTest, PutReenablesADisabledInstallation) {
  start();
  sql(url_, "UPDATE pushsync.installations SET disabled_at = now() WHERE installation_id = 'ann-tablet'");
  ASSERT_NE(call("GET", "/v1/installations/ann-tablet").json()["disabledAt"], nullptr);
  auto put = call("PUT", "/v1/installations/ann-tablet",
                  R"({"platform":"fcm","pushChannel":"fcm-token-ann","tags":["user:ann"]})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["disabledAt"], nullptr);
}

TEST_F(ApiTest, DeleteRemovesAndIsIdempotent) {
  start();
  auto gone = call("DELETE", "/v1/installations/ann-phone");
  EXPECT_EQ(gone.status, 204);
  EXPECT_EQ(gone.body, "");
  EXPECT_EQ(call("GET", "/v1/installations/ann-phone").status, 404);
  EXPECT_EQ(call("DELETE", "/v1/installations/ann-phone").status, 204);
}

TEST_F(ApiTest, SqlMetacharactersInIdsAndTagsAreStoredVerbatim) {
  start();
  const std::string id = "x'; DROP TABLE items; --";
  const std::string path = "/v1/installations/x%27%3B%20DROP%20TABLE%20items%3B%20--";
  const json tags = {"a'b", "\"); DELETE FROM pushsync.installations; --", "{c,d}", "back\\slash"};
  auto put = call("PUT", path, json{{"platform", "ws"}, {"tags", tags}}.dump());
  ASSERT_EQ(put.status, 201) << put.body;
  auto read = call("GET", path);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.json()["installationId"], id);
  EXPECT_EQ(read.json()["tags"], tags);
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.installations"), "4");
  EXPECT_EQ(sql_value(url_, "SELECT to_regclass('public.items') IS NOT NULL"), "t");
}

TEST_F(ApiTest, PushToATagIsQueuedAndReachesTheWsDevice) {
  start();
  auto secret = register_ws("erin-ws", {"user:erin"});
  WsDevice device(port_, "erin-ws", secret);
  ASSERT_EQ(device.refused_with(), 0);
  auto queued = call("POST", "/v1/push",
                     R"({"tags":["user:erin","user:nobody"],"alert":"Lunch?","badge":3,"data":{"room":"7"}})");
  ASSERT_EQ(queued.status, 202) << queued.body;
  EXPECT_EQ(queued.json()["devices"], 1);
  auto frame = device.next();
  ASSERT_TRUE(frame) << sidecars_.back()->err();
  EXPECT_EQ(frame->value("alert", ""), "Lunch?");
  EXPECT_EQ(frame->value("badge", 0), 3);
  EXPECT_EQ(frame->value("room", ""), "7");
  device.ack((*frame)["seq"].get<std::int64_t>());
  EXPECT_TRUE(eventually([&] { return sql_value(url_, "SELECT count(*) FROM pushsync.ws_mailbox") == "0"; }));
}

TEST_F(ApiTest, PushToInstallationsById) {
  start();
  auto secret = register_ws("finn-ws", {});
  WsDevice device(port_, "finn-ws", secret);
  auto queued = call("POST", "/v1/push", R"({"installations":["finn-ws","missing"],"data":{"k":"v"}})");
  ASSERT_EQ(queued.status, 202) << queued.body;
  EXPECT_EQ(queued.json()["devices"], 1);
  auto frame = device.next();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->value("k", ""), "v");
}

TEST_F(ApiTest, ARowChangeReachesAConnectedWsDeviceWithTheSpecFields) {
  start();
  auto secret = register_ws("bob-ws", {"user:bob"});
  WsDevice device(port_, "bob-ws", secret);
  ASSERT_EQ(device.refused_with(), 0);
  sql(url_, "INSERT INTO items (title, owner) VALUES ('Buy milk', 'bob')");
  auto frame = device.next();
  ASSERT_TRUE(frame) << sidecars_.back()->err();
  ASSERT_TRUE(frame->contains("seq"));
  json fields = *frame;
  fields.erase("seq");
  EXPECT_EQ(fields, json({{"message", "PUSH-TO-SYNC"}, {"table", "items"}, {"op", "insert"}, {"id", "1"},
                          {"orig", ""}, {"title", "Buy milk"}}));
}

TEST_F(ApiTest, AnOfflineWsDeviceGetsItsPushesAfterReconnecting) {
  start();
  auto secret = register_ws("bob-ws", {"user:bob"});
  auto stored = [&] { return sql_value(url_, "SELECT count(*) FROM pushsync.ws_mailbox"); };
  // One after the other: changes of one record claimed together become one push.
  sql(url_, "INSERT INTO items (title, owner) VALUES ('first', 'bob')");
  ASSERT_TRUE(eventually([&] { return stored() == "1"; }));
  sql(url_, "UPDATE items SET title = 'second' WHERE id = 1");
  ASSERT_TRUE(eventually([&] { return outbox_size() == 0; }));
  EXPECT_EQ(stored(), "2");

  std::vector<std::string> ops;
  {
    WsDevice device(port_, "bob-ws", secret);
    for (int i = 0; i < 2; ++i) {
      auto frame = device.next();
      ASSERT_TRUE(frame);
      ops.push_back((*frame)["op"].get<std::string>() + ":" + (*frame)["title"].get<std::string>());
      device.ack((*frame)["seq"].get<std::int64_t>());
    }
    EXPECT_TRUE(eventually([&] { return stored() == "0"; }));
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"insert:first", "update:second"}));
  WsDevice again(port_, "bob-ws", secret);
  EXPECT_FALSE(again.next(std::chrono::milliseconds(500))) << "acknowledged pushes must not come back";
}

TEST_F(ApiTest, AnExpiredPushIsNotSent) {
  start();
  auto secret = register_ws("bob-ws", {"user:bob"});
  sql(url_, "INSERT INTO pushsync.ws_mailbox (installation_id, frame, expires_at) VALUES "
            "('bob-ws', '{\"id\":\"old\"}', now() - interval '1 second'), "
            "('bob-ws', '{\"id\":\"fresh\"}', now() + interval '1 hour')");
  WsDevice device(port_, "bob-ws", secret);
  auto frame = device.next();
  ASSERT_TRUE(frame);
  EXPECT_EQ((*frame)["id"], "fresh");
}

TEST_F(ApiTest, AnUnacknowledgedPushIsSentAgainOnTheNextConnection) {
  start();
  auto secret = register_ws("bob-ws", {"user:bob"});
  std::int64_t seq = 0;
  {
    WsDevice device(port_, "bob-ws", secret);
    sql(url_, "INSERT INTO items (title, owner) VALUES ('x', 'bob')");
    auto frame = device.next();
    ASSERT_TRUE(frame);
    seq = (*frame)["seq"].get<std::int64_t>();
  }
  WsDevice again(port_, "bob-ws", secret);
  auto frame = again.next();
  ASSERT_TRUE(frame);
  EXPECT_EQ((*frame)["seq"], seq);
}

TEST_F(ApiTest, AWsClientWithoutTheRightSecretIsRefused) {
  start();
  auto secret = register_ws("bob-ws", {"user:bob"});
  WsDevice good(port_, "bob-ws", secret);
  EXPECT_EQ(good.refused_with(), 0);
  EXPECT_EQ(WsDevice(port_, "bob-ws", secret + "x").refused_with(), 401);
  EXPECT_EQ(WsDevice(port_, "bob-ws", "").refused_with(), 401);
  EXPECT_EQ(WsDevice(port_, "bob-ws", token).refused_with(), 401) << "the API token is not a channel secret";
  EXPECT_EQ(WsDevice(port_, "nobody", secret).refused_with(), 401);
  EXPECT_EQ(WsDevice(port_, "ann-phone", secret).refused_with(), 401) << "not a ws installation";
  // The refused clients did not disturb the good one.
  sql(url_, "INSERT INTO items (title, owner) VALUES ('still here', 'bob')");
  auto frame = good.next();
  ASSERT_TRUE(frame);
  EXPECT_EQ((*frame)["title"], "still here");
}

TEST_F(ApiTest, ABrowserSendsTheSecretAsASubprotocol) {
  start();
  auto secret = register_ws("bob-ws", {"user:bob"});
  WsDevice browser(port_, "bob-ws", secret, true);
  ASSERT_EQ(browser.refused_with(), 0);
  EXPECT_EQ(browser.protocol(), "pushsync.v1") << "a browser closes a connection whose subprotocol is not echoed";
  EXPECT_EQ(WsDevice(port_, "bob-ws", secret + "x", true).refused_with(), 401);
  sql(url_, "INSERT INTO items (title, owner) VALUES ('from a browser', 'bob')");
  auto frame = browser.next();
  ASSERT_TRUE(frame);
  EXPECT_EQ((*frame)["title"], "from a browser");
}

TEST_F(ApiTest, ANewConnectionOfTheSameDeviceReplacesTheOldOne) {
  start();
  auto secret = register_ws("bob-ws", {"user:bob"});
  WsDevice first(port_, "bob-ws", secret);
  ASSERT_EQ(first.refused_with(), 0);
  WsDevice second(port_, "bob-ws", secret);
  ASSERT_EQ(second.refused_with(), 0);
  EXPECT_TRUE(first.closed_by_server(std::chrono::seconds(10)));
  sql(url_, "INSERT INTO items (title, owner) VALUES ('to the new one', 'bob')");
  EXPECT_TRUE(second.next());
}

TEST_F(ApiTest, ReRegisteringAWsDeviceIssuesANewSecret) {
  start();
  auto first = register_ws("bob-ws", {"user:bob"});
  auto second = register_ws("bob-ws", {"user:bob"});
  EXPECT_NE(first, second);
  EXPECT_EQ(WsDevice(port_, "bob-ws", first).refused_with(), 401);
  EXPECT_EQ(WsDevice(port_, "bob-ws", second).refused_with(), 0);
}

// The example of the RhoConnect docs, unchanged but for the host:
// curl -X POST -H "X-RhoConnect-API-TOKEN: my-rhoconnect-token"
//   --data "user_id=user1&message=Hello+user&sources[]=all&vibrate=2000" http://localhost:9292/rc/v1/users/ping
TEST_F(ApiTest, TheRhoConnectPingExampleWorksUnchanged) {
  start();
  auto secret = register_ws("user1-ws", {"user:user1"});
  WsDevice device(port_, "user1-ws", secret);
  auto reply = http_request(port_, "POST", "/rc/v1/users/ping",
                            "user_id=user1&message=Hello+user&sources[]=all&vibrate=2000",
                            {{"X-RhoConnect-API-TOKEN", token}, {"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["devices"], 1);
  auto frame = device.next();
  ASSERT_TRUE(frame);
  json fields = *frame;
  fields.erase("seq");
  EXPECT_EQ(fields, json({{"sources", "all"}, {"do_sync", "all"}, {"vibrate", "2000"}, {"alert", "Hello user"}}));
}

TEST_F(ApiTest, ARhoConnectJsonPingWithListsSyncsTheNamedSources) {
  start();
  auto a = register_ws("u1-ws", {"user:u1"});
  auto b = register_ws("u2-ws", {"user:u2"});
  WsDevice one(port_, "u1-ws", a), two(port_, "u2-ws", b);
  auto reply = http_request(
      port_, "POST", "/rc/v1/users/ping",
      R"({"api_token":"ignored","user_id":["u1","u2"],"sources":["Product","Customer"],"message":"hi","badge":2,"sound":"hello.mp3"})",
      {{"X-RhoConnect-API-TOKEN", token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["devices"], 2);
  for (auto* device : {&one, &two}) {
    auto frame = device->next();
    ASSERT_TRUE(frame);
    EXPECT_EQ((*frame)["do_sync"], "Product,Customer");
    EXPECT_EQ((*frame)["alert"], "hi");
    EXPECT_EQ((*frame)["badge"], 2);
    EXPECT_EQ((*frame)["sound"], "hello.mp3");
  }
}

TEST_F(ApiTest, FeedbackListsRejectedTokensSinceATime) {
  start();
  sql(url_, "INSERT INTO pushsync.feedback (installation_id, platform, push_channel, reason, reported_at) VALUES "
            "('old', 'apns', 'aaaa', 'Unregistered', '2026-01-01T00:00:00Z'), "
            "('new', 'fcm', 'bbbb', 'UNREGISTERED', '2026-06-01T12:00:00Z')");
  auto all = call("GET", "/v1/feedback");
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.json()["feedback"].size(), 2u);
  EXPECT_EQ(all.json()["feedback"][0]["installationId"], "old");
  auto since = call("GET", "/v1/feedback?since=2026-03-01T00:00:00Z");
  ASSERT_EQ(since.json()["feedback"].size(), 1u);
  EXPECT_EQ(since.json()["feedback"][0],
            json({{"installationId", "new"}, {"platform", "fcm"}, {"pushChannel", "bbbb"}, {"reason", "UNREGISTERED"},
                  {"reportedAt", "2026-06-01T12:00:00.000000Z"}}));
  EXPECT_EQ(call("GET", "/v1/feedback?since=2026-03-01T01:00:00%2B01:00").json()["feedback"].size(), 1u);
}

TEST_F(ApiTest, HealthReadinessAndMetrics) {
  start();
  auto health = http_request(port_, "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json()["status"], "ok");
  auto ready = http_request(port_, "GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(http_request(port_, "GET", "/metrics").error_code(), "missing_token");

  auto secret = register_ws("mia-ws", {"user:mia"});
  WsDevice device(port_, "mia-ws", secret);
  sql(url_, "INSERT INTO items (title, owner) VALUES ('m', 'mia')");
  ASSERT_TRUE(device.next());
  // The device can have the push before the sidecar settles the change.
  ASSERT_TRUE(eventually([&] { return outbox_size() == 0; }));
  auto metrics = call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics.body;
  EXPECT_NE(text.find("pushsync_changes_captured_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pushsync_pushes_total{platform=\"ws\",outcome=\"accepted\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pushsync_outbox_backlog 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pushsync_ws_connections 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pushsync_commit_to_accept_seconds_count 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pushsync_http_requests_total{route=\"/v1/installations/{id}\",status=\"201\"} 1\n"),
            std::string::npos)
      << text;
}

TEST_F(ApiTest, MetricsCanBePublic) {
  start("  metrics_public: true\n");
  EXPECT_EQ(http_request(port_, "GET", "/metrics").status, 200);
}

TEST_F(ApiTest, ASlowClientIsDisconnectedAfterTheRequestTimeout) {
  start("  request_timeout: 500ms\n");
  auto exchange = raw_exchange(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\n");  // headers never finish
  EXPECT_TRUE(exchange.closed_by_server) << "the server must close a connection that stalls mid-request";
  EXPECT_EQ(exchange.answer, "");
}

TEST_F(ApiTest, ConnectionsBeyondTheLimitAreRefused) {
  start("  max_connections: 3\n");
  std::vector<std::unique_ptr<boost::asio::io_context>> ios;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::socket>> idle;
  for (int i = 0; i < 3; ++i) {
    ios.push_back(std::make_unique<boost::asio::io_context>());
    idle.push_back(std::make_unique<boost::asio::ip::tcp::socket>(*ios.back()));
    idle.back()->connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)});
  }
  ASSERT_TRUE(eventually([&] {
    auto reply = http_request(port_, "GET", "/healthz");
    return reply.status == 503 && reply.error_code() == "too_many_connections";
  }));
  idle.clear();
  EXPECT_TRUE(eventually([&] { return http_request(port_, "GET", "/healthz").status == 200; }));
}

TEST_F(ApiTest, WhileTheDatabaseIsDownTheApiSaysSoAndRecoversAfterwards) {
  TempPostgres cluster;  // its own, to take down
  url_ = cluster.create_database();
  sql(url_, app_schema);
  ASSERT_EQ(run_pushsync({"migrate", "--config", write_config(app_tables)}).exit_code, 0);
  start();
  const std::string body = R"({"platform":"ws","tags":["user:zoe"]})";
  ASSERT_EQ(call("PUT", "/v1/installations/zoe-ws", body).status, 201);
  cluster.down();
  HttpReply ready;
  ASSERT_TRUE(eventually([&] { return (ready = http_request(port_, "GET", "/readyz")).status == 503; }));
  EXPECT_EQ(ready.json()["database"], "unreachable");
  EXPECT_EQ(http_request(port_, "GET", "/healthz").status, 200) << "the process itself is alive";
  HttpReply put;
  ASSERT_TRUE(eventually([&] { return (put = call("PUT", "/v1/installations/zoe-ws", body)).status == 503; }))
      << put.body;
  EXPECT_EQ(put.error_code(), "database_unavailable");
  cluster.up();
  EXPECT_TRUE(eventually([&] { return http_request(port_, "GET", "/readyz").status == 200; }));
  EXPECT_TRUE(eventually([&] { return call("PUT", "/v1/installations/zoe-ws", body).status == 200; }));
}

TEST_F(ApiTest, StoppingTheSidecarClosesConnectedDevicesAndExitsCleanly) {
  start();
  auto secret = register_ws("bob-ws", {"user:bob"});
  WsDevice device(port_, "bob-ws", secret);
  ASSERT_EQ(device.refused_with(), 0);
  // The device reads while the sidecar stops, as a real one does: it answers
  // the close frame, so the sidecar need not wait out its shutdown_timeout.
  sidecars_.back()->signal(SIGTERM);
  EXPECT_TRUE(device.closed_by_server(std::chrono::seconds(5)));
  EXPECT_EQ(sidecars_.back()->terminate(), 0) << sidecars_.back()->err();
}

TEST_F(ApiTest, NoTokenOrSecretAppearsInTheLog) {
  start();
  auto secret = register_ws("bob-ws", {"user:bob"});
  WsDevice(port_, "bob-ws", secret + "wrong");
  http_request(port_, "GET", "/v1/installations/bob-ws", "", {{"Authorization", "Bearer wrong-token-123"}});
  WsDevice device(port_, "bob-ws", secret);
  sql(url_, "INSERT INTO items (title, owner) VALUES ('x', 'bob')");
  ASSERT_TRUE(device.next());
  std::string log = sidecars_.back()->err();
  EXPECT_EQ(log.find(token), std::string::npos);
  EXPECT_EQ(log.find(secret), std::string::npos);
  EXPECT_EQ(log.find("wrong-token-123"), std::string::npos);
}

}  // namespace
}  // namespace pushsync::test
