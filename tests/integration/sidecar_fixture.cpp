#include "tests/integration/sidecar_fixture.hpp"

#include <stdexcept>

namespace pushsync::test {

const char* const app_schema = R"sql(
CREATE TABLE items (
  id bigserial PRIMARY KEY, title text, done boolean NOT NULL DEFAULT false, owner text, note text);
CREATE SCHEMA "Sales";
CREATE TABLE "Sales"."Order Items" (
  order_no integer, region text, "Qty" integer, "Owner" text, PRIMARY KEY (order_no, region));
CREATE TABLE rooms (id integer PRIMARY KEY, topic text);
CREATE TABLE members (room_id integer, email text);
)sql";

const char* const app_tables = R"yaml(
  public.items:
    watch: [title, done, owner]
    tags: ["user:{owner}"]
    payload:
      data: {title: "{title}"}
  Sales.Order Items:
    id: [order_no, region]
    tags: ["user:{Owner}"]
  public.rooms:
    tags_sql: "SELECT 'user:' || email FROM members WHERE room_id = $1"
    tags_args: [id]
)yaml";

void SidecarTest::SetUp() {
  pushes_file_ = write_temp_file("pushes.jsonl", "");
  // app_schema migrated with app_tables once per cluster; each test's
  // database is a copy.
  url_ = shared_cluster().create_database_from("pushsync_migrated_app", [this](const std::string& url) {
    sql(url, app_schema);
    url_ = url;  // what write_config points at
    auto migrated = run_pushsync({"migrate", "--config", write_config(app_tables)});
    if (migrated.exit_code != 0) throw std::runtime_error("pushsync migrate failed: " + migrated.err);
  });
  sql(url_, R"sql(
    INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags) VALUES
      ('ann-phone', 'apns', repeat('a1', 32), '{user:ann}'),
      ('ann-tablet', 'fcm', 'fcm-token-ann', '{user:ann}'),
      ('bob-ws', 'ws', '', '{user:bob,team:red}');
  )sql");
}

std::string SidecarTest::write_config(const std::string& tables, const std::string& delivery_extra,
                                      const std::string& database_extra) {
  const bool dry_run = providers_yaml_.empty();
  // Fast retries, unless the test sets its own.
  const std::string backoff =
      delivery_extra.find("backoff:") == std::string::npos ? "  backoff: {initial: 50ms, max: 200ms}\n" : "";
  // Fast polling and a short lease, unless the test sets its own.
  const std::string poll =
      database_extra.find("poll_interval:") == std::string::npos ? "  poll_interval: 200ms\n" : "";
  const std::string lease = database_extra.find("lease:") == std::string::npos ? "  lease: 5s\n" : "";
  std::string yaml = "database:\n  url: \"" + url_ + "\"\n" + poll + lease + database_extra +
                     "delivery:\n  dry_run: " + (dry_run ? "true" : "false") + "\n  dry_run_file: " + pushes_file_ +
                     "\n" + backoff + delivery_extra + "\n" + providers_yaml_ + "tables:" + tables;
  return write_temp_file("pushsync.yaml", yaml);
}

Process& SidecarTest::start_sidecar(const std::string& config_file, long open_files) {
  sidecars_.push_back(std::make_unique<Process>(
      std::vector<std::string>{"run", "--config", config_file, "--log-level", "debug"}, std::map<std::string, std::string>{},
      open_files));
  return *sidecars_.back();
}

int SidecarTest::http_port_of(Process& sidecar, const std::string& after) {
  const std::string marker = "HTTP API listening on 127.0.0.1:";
  if (!eventually([&] { return sidecar.err().find(after) != std::string::npos; })) return 0;
  std::string log = sidecar.err();
  auto at = log.find(marker);
  return at == std::string::npos ? 0 : std::stoi(log.substr(at + marker.size()));
}

void SidecarTest::TearDown() {
  for (auto& sidecar : sidecars_) {
    if (!sidecar->running()) continue;
    EXPECT_EQ(sidecar->terminate(), 0) << sidecar->err();
  }
}

long SidecarTest::outbox_size() const {
  return std::stol(
      sql_value(url_, "SELECT (SELECT count(*) FROM pushsync.outbox) + (SELECT count(*) FROM pushsync.deliveries)"));
}

std::vector<nlohmann::json> SidecarTest::wait_for_pushes(std::size_t count) {
  bool arrived = eventually([&] { return pushes_written() >= count && outbox_size() == 0; });
  EXPECT_TRUE(arrived) << "expected " << count << " pushes, got " << pushes_written() << " with "
                       << outbox_size() << " change(s) left in the outbox; sidecar log:\n"
                       << (sidecars_.empty() ? "(none started)" : sidecars_.back()->err());
  return pushes();
}

std::vector<nlohmann::json> SidecarTest::payloads_for(const std::string& installation) const {
  std::vector<nlohmann::json> out;
  for (const auto& line : pushes())
    if (line["installation"] == installation) out.push_back(line["payload"]);
  return out;
}

}  // namespace pushsync::test
