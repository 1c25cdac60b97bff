// GET /v1/status and /v1/status/installations/{id} (what the console shows),
// GET /console (its files and their headers), and the examples' dashboard
// and alert rules against the metrics a live sidecar exports.
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "tests/integration/api_fixture.hpp"

namespace pushsync::test {
namespace {

using nlohmann::json;

TEST_F(ApiTest, StatusShowsCountersBacklogProvidersAndDevices) {
  start();
  EXPECT_EQ(http_request(port_, "GET", "/v1/status").error_code(), "missing_token");
  auto secret = register_ws("mia-ws", {"user:mia"});
  register_ws("away-ws", {"user:away"});  // never connects: its push waits in the mailbox
  WsDevice device(port_, "mia-ws", secret);
  sql(url_, "INSERT INTO items (title, owner) VALUES ('m', 'mia'), ('a', 'away')");
  auto frame = device.next();
  ASSERT_TRUE(frame);
  device.ack((*frame)["seq"].get<std::int64_t>());
  json status;
  ASSERT_TRUE(eventually([&] {
    status = call("GET", "/v1/status").json();
    return status["backlog"]["wsMailbox"] == 1 && status["backlog"]["changes"] == 0;
  })) << status.dump();
  EXPECT_EQ(status["captured"], 2);
  EXPECT_EQ(status["pushes"]["ws"]["accepted"], 2);  // the channel took both: one sent, one kept for its device
  EXPECT_EQ(status["websocket"]["devices"], 1);
  EXPECT_EQ(status["backlog"]["countedTo"], 100000);
  ASSERT_EQ(status["providers"].size(), 1u);
  EXPECT_EQ(status["providers"][0]["platform"], "ws");
  EXPECT_EQ(status["providers"][0]["state"], "up");
  EXPECT_FALSE(status["providers"][0]["lastAcceptedAt"].is_null());

  auto mia = call("GET", "/v1/status/installations/mia-ws").json();
  ASSERT_EQ(mia["recentPushes"].size(), 1u) << mia.dump();
  EXPECT_EQ(mia["recentPushes"][0]["outcome"], "accepted");
  EXPECT_EQ(mia["recentPushes"][0]["rowId"], "1");
  EXPECT_EQ(mia["recentPushes"][0]["platform"], "ws");
  EXPECT_TRUE(mia["waiting"].empty());
  EXPECT_TRUE(call("GET", "/v1/status/installations/nobody").json()["recentPushes"].empty());
}

TEST_F(ApiTest, TheBacklogIsCountedUpToItsBoundAndItsOldestChangeFound) {
  // A sidecar that does not claim: what the writers log stays waiting.
  providers_yaml_ = api_sections();
  Process& sidecar = start_sidecar(write_config(app_tables, "", "  claim: false\n"));
  port_ = http_port_of(sidecar);
  ASSERT_NE(port_, 0) << sidecar.err();
  // Written an hour ago, as far as the log can tell (its first unread events).
  sql(url_, "INSERT INTO pushsync.events (tbl, op, row_id, created_at) SELECT 'public.items', 'insert', i::text, "
            "now() - interval '1 hour' FROM generate_series(1, 100005) i");
  json status;
  ASSERT_TRUE(eventually([&] {
    status = call("GET", "/v1/status").json();
    return status["backlog"]["changes"] == 100000;
  })) << status.dump();
  EXPECT_GE(status["backlog"]["oldestSeconds"].get<double>(), 3600.0);
  EXPECT_NE(call("GET", "/metrics").body.find("pushsync_outbox_backlog 100000\n"), std::string::npos);
}

TEST_F(ApiTest, TheConsoleIsServedWithAStrictPolicy) {
  start();
  for (const auto& [path, type] : std::vector<std::pair<std::string, std::string>>{
           {"/console", "text/html; charset=utf-8"},
           {"/console/console.js", "text/javascript; charset=utf-8"},
           {"/console/console.css", "text/css; charset=utf-8"}}) {
    auto reply = http_request(port_, "GET", path);  // no token: the files hold no data
    EXPECT_EQ(reply.status, 200) << path;
    EXPECT_EQ(reply.headers["Content-Type"], type) << path;
    EXPECT_EQ(reply.headers["Content-Security-Policy"],
              "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        << path;
    EXPECT_EQ(reply.headers["X-Content-Type-Options"], "nosniff") << path;
  }
  EXPECT_NE(http_request(port_, "GET", "/console").body.find("<script type=\"module\" src=\"/console/console.js\">"),
            std::string::npos);
  auto missing = http_request(port_, "GET", "/console/secrets.txt");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["X-Content-Type-Options"], "nosniff");
}

TEST_F(ApiTest, TheConsoleCanBeTurnedOff) {
  start("  console: false\n");
  EXPECT_EQ(http_request(port_, "GET", "/console").status, 404);
  EXPECT_EQ(call("GET", "/v1/status").status, 200);  // the route monitoring may use stays
}

// Every pushsync_* name the Grafana dashboard and the Prometheus rules use
// is one a live sidecar exports (a histogram's _bucket, _sum and _count too).
TEST_F(ApiTest, TheDashboardAndAlertRulesUseOnlyExportedMetrics) {
  start();
  const std::string metrics = call("GET", "/metrics").body;
  std::set<std::string> exported;
  const std::regex family("# TYPE (pushsync_[a-z0-9_]+) (\\w+)");
  for (std::sregex_iterator it(metrics.begin(), metrics.end(), family), end; it != end; ++it) {
    exported.insert((*it)[1]);
    if ((*it)[2] == "histogram")
      for (const char* suffix : {"_bucket", "_sum", "_count"}) exported.insert((*it)[1].str() + suffix);
  }
  ASSERT_GE(exported.size(), 10u) << metrics;
  for (const char* file : {"/examples/grafana/pushsync-dashboard.json", "/examples/prometheus/alerts.yaml"}) {
    const std::string text = read_file(std::string(PUSHSYNC_SOURCE_DIR) + file);
    ASSERT_FALSE(text.empty()) << file;
    const std::regex name("pushsync_[a-z0-9_]+");
    int used = 0;
    for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it, ++used)
      EXPECT_TRUE(exported.count(it->str())) << file << " uses " << it->str() << ", which /metrics does not export";
    EXPECT_GE(used, 3) << file;
  }
}

}  // namespace
}  // namespace pushsync::test
