// What an orchestrator and a DBA rely on: readiness that means "can serve
// every route", a probe for HEALTHCHECK, a clean stop at any moment, and a
// sidecar that runs as a least-privilege role.
#include <regex>

#include "sidecar/db/migrator.hpp"
#include "tests/integration/api_fixture.hpp"

namespace pushsync::test {
namespace {

class Deployment : public ApiTest {};

std::string as_user(const std::string& url, const std::string& role) {
  return std::regex_replace(url, std::regex("user=\\w+"), "user=" + role);
}

TEST_F(Deployment, UntilTheSchemaIsMigratedOnlyTheHealthChecksAnswer) {
  url_ = shared_cluster().create_database();  // nothing migrated
  sql(url_, app_schema);
  providers_yaml_ = api_sections();
  const std::string config = write_config(app_tables, "", "  migrate: manual\n");
  Process& sidecar = start_sidecar(config);
  port_ = http_port_of(sidecar, "HTTP API listening");
  ASSERT_NE(port_, 0) << sidecar.err();
  ASSERT_TRUE(eventually([&] { return sidecar.err().find("retrying in") != std::string::npos; })) << sidecar.err();

  EXPECT_EQ(http_request(port_, "GET", "/healthz").status, 200);
  auto ready = http_request(port_, "GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.json()["error"], "not_ready");
  EXPECT_EQ(ready.json()["message"], "database.migrate is manual and the pushsync schema is at version 0, this binary "
                                     "needs " + std::to_string(db::latest_schema_version()) +
                                     ": run `pushsync migrate`");
  auto put = call("PUT", "/v1/installations/ann-phone", R"({"platform":"ws","tags":["user:ann"]})");
  EXPECT_EQ(put.status, 503) << put.body;
  EXPECT_EQ(put.json()["error"], "not_ready");
  EXPECT_EQ(call("GET", "/metrics").status, 503);
  const std::string address = "--address=127.0.0.1:" + std::to_string(port_);
  auto live = run_pushsync({"probe", address});
  EXPECT_EQ(live.exit_code, 0) << live.err;
  EXPECT_EQ(live.out, "{\"status\":\"ok\"}\n");
  auto not_ready = run_pushsync({"probe", "--ready", address});
  EXPECT_EQ(not_ready.exit_code, 1);
  EXPECT_NE(not_ready.out.find("not_ready"), std::string::npos) << not_ready.out;

  auto migrated = run_pushsync({"migrate", "--config", config});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  ASSERT_TRUE(eventually([&] { return http_request(port_, "GET", "/readyz").status == 200; })) << sidecar.err();
  EXPECT_EQ(run_pushsync({"probe", "--ready", address}).exit_code, 0);
  EXPECT_EQ(call("PUT", "/v1/installations/ann-phone", R"({"platform":"ws","tags":["user:ann"]})").status, 201);
  EXPECT_EQ(sidecar.err().find("internal_error"), std::string::npos) << sidecar.err();
}

TEST_F(Deployment, ProbeFindsTheSidecarFromTheConfigAndFailsWhenNothingListens) {
  start();
  std::string config = write_config(app_tables);  // providers_yaml_ still has http.listen: 127.0.0.1:0
  auto direct = run_pushsync({"probe", "--ready", "--address", "127.0.0.1:" + std::to_string(port_)});
  EXPECT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_EQ(direct.out, "{\"status\":\"ready\"}\n");
  auto nothing = run_pushsync({"probe", "--config", config});  // port 0: nobody listens there
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_NE(nothing.err.find("probe: GET /healthz on 127.0.0.1:0"), std::string::npos) << nothing.err;
}

TEST_F(Deployment, AStopWhileWaitingForTheDatabaseExitsCleanlyWithoutSayingRunning) {
  url_ = "host=/nonexistent port=5432 user=postgres dbname=none";
  Process& sidecar = start_sidecar(write_config(app_tables));
  ASSERT_TRUE(eventually([&] { return sidecar.err().find("cannot reach the database") != std::string::npos; }));
  EXPECT_EQ(sidecar.terminate(), 0) << sidecar.err();
  EXPECT_EQ(sidecar.err().find("running:"), std::string::npos) << sidecar.err();
  EXPECT_NE(sidecar.err().find("pushsync stopped"), std::string::npos) << sidecar.err();
}

TEST_F(Deployment, LogEntriesAreOneLineEachEvenForMultiLineDatabaseErrors) {
  url_ = "host=/nonexistent port=5432 user=postgres dbname=none";
  Process& sidecar = start_sidecar(write_config(app_tables));
  ASSERT_TRUE(eventually([&] { return sidecar.err().find("retrying in") != std::string::npos; }));
  sidecar.terminate();
  std::istringstream lines(sidecar.err());
  std::regex entry(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} \w+ .+$)");
  for (std::string line; std::getline(lines, line);) EXPECT_TRUE(std::regex_match(line, entry)) << line;
}

// examples/roles/least-privilege.sql, applied as it is written (role names
// made unique per test; the todo example's list_members is these tests'
// members): the sidecar runs with migrate: manual as the
// run-time role, the app writes as the writer role, pushes go out, and the
// run-time role cannot migrate (it may create nothing).
TEST_F(Deployment, TheSidecarRunsAsTheLeastPrivilegeRoleOfTheExample) {
  const std::string admin = url_;
  const std::string db = std::regex_replace(url_, std::regex(".*dbname=(\\w+).*"), "$1");
  const std::string runtime = "pushsync_runtime_" + db;
  const std::string writer = "app_writer_" + db;
  sql(admin, "CREATE ROLE " + writer + " LOGIN; GRANT SELECT, INSERT, UPDATE, DELETE ON items, rooms TO " + writer +
                 "; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + writer);
  std::string grants = read_file(std::string(PUSHSYNC_SOURCE_DIR) + "/examples/roles/least-privilege.sql");
  grants = std::regex_replace(grants, std::regex("pushsync_runtime"), runtime);
  grants = std::regex_replace(grants, std::regex("app_writer"), writer);
  grants = std::regex_replace(grants, std::regex("public\\.list_members"), "public.members");
  sql(admin, grants);
  sql(admin, "INSERT INTO members VALUES (1, 'bob')");

  url_ = as_user(admin, runtime);
  const std::string config = write_config(app_tables, "", "  migrate: manual\n");
  url_ = admin;
  Process& sidecar = start_sidecar(config);
  ASSERT_TRUE(eventually([&] { return sidecar.err().find("running:") != std::string::npos; })) << sidecar.err();
  sql(as_user(admin, writer), "INSERT INTO items (title, owner) VALUES ('least', 'bob')");
  sql(as_user(admin, writer), "INSERT INTO rooms VALUES (1, 'standup')");  // audience through tags_sql
  auto all = wait_for_pushes(2);
  EXPECT_EQ(payloads_for("bob-ws").size(), 2u);
  EXPECT_EQ(sidecar.err().find("permission denied"), std::string::npos) << sidecar.err();

  auto migrate = run_pushsync({"migrate", "--config", config});
  EXPECT_EQ(migrate.exit_code, 1);
  EXPECT_NE(migrate.err.find("permission denied"), std::string::npos) << migrate.err;
}

TEST_F(Deployment, ABinaryRefusesASchemaNewerThanItKnows) {
  sql(url_, "INSERT INTO pushsync.schema_version (version, name) VALUES (99, '099_future.sql')");
  const std::string config = write_config(app_tables);
  for (const char* command : {"run", "migrate", "check"}) {
    auto result = run_pushsync({command, "--config", config});
    EXPECT_EQ(result.exit_code, 1) << command;
    const std::string refusal = "the pushsync schema is at version 99, newer than this binary's " +
                                std::to_string(db::latest_schema_version());
    EXPECT_NE(result.err.find(refusal), std::string::npos) << command << ": " << result.err;
  }
}

}  // namespace
}  // namespace pushsync::test
