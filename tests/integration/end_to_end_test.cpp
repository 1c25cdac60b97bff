// Row change -> trigger -> outbox -> sidecar -> what each device receives,
// against a real PostgreSQL and the real binary in dry-run mode.
#include <gtest/gtest.h>

#include <csignal>
#include <set>
#include <sstream>

#include "tests/integration/sidecar_fixture.hpp"

namespace pushsync::test {
namespace {

using nlohmann::json;

// The distinct record ids among these payloads.
std::set<std::string> record_ids(const std::vector<json>& payloads) {
  std::set<std::string> ids;
  for (const auto& p : payloads) ids.insert(p["id"].get<std::string>());
  return ids;
}

class EndToEnd : public SidecarTest {};

json apns(const std::string& op, const std::string& id, const std::string& orig, const std::string& title) {
  return json::parse(R"({"aps":{"content-available":1},"message":"PUSH-TO-SYNC","table":"items",)"
                     R"("op":")" + op + R"(","id":")" + id + R"(","orig":")" + orig + R"(","title":")" + title + R"("})");
}

json fcm(const std::string& op, const std::string& id, const std::string& orig, const std::string& title) {
  return json::parse(R"({"data":{"message":"PUSH-TO-SYNC","table":"items","op":")" + op + R"(","id":")" + id +
                     R"(","orig":")" + orig + R"(","title":")" + title +
                     R"("},"android":{"priority":"high","collapse_key":"items:)" + id + R"(","ttl":"3600s"}})");
}

TEST_F(EndToEnd, InsertUpdateDeleteReachTheOwnersDevicesWithTheSpecPayload) {
  auto& sidecar = start_sidecar(write_config(app_tables));
  sql(url_, "INSERT INTO items (title, owner) VALUES ('Buy milk', 'ann')");
  wait_for_pushes(2);
  sql(url_, "UPDATE items SET done = true");
  wait_for_pushes(4);
  sql(url_, "DELETE FROM items");
  wait_for_pushes(6);

  EXPECT_EQ(payloads_for("ann-phone"),
            (std::vector<json>{apns("insert", "1", "", "Buy milk"), apns("update", "1", "", "Buy milk"),
                               apns("delete", "1", "", "Buy milk")}));
  EXPECT_EQ(payloads_for("ann-tablet"),
            (std::vector<json>{fcm("insert", "1", "", "Buy milk"), fcm("update", "1", "", "Buy milk"),
                               fcm("delete", "1", "", "Buy milk")}));
  EXPECT_TRUE(payloads_for("bob-ws").empty());
  EXPECT_EQ(pushes()[0]["platform"], "apns");
  EXPECT_EQ(sidecar.terminate(), 0) << sidecar.err();
}

TEST_F(EndToEnd, TheOriginatorsOwnDeviceGetsNothing) {
  start_sidecar(write_config(app_tables));
  sql(url_, "BEGIN; SELECT pushsync.set_originator('ann-phone');"
            "INSERT INTO items (title, owner) VALUES ('from the phone', 'ann'); COMMIT;");
  sql(url_, "BEGIN; SET LOCAL pushsync.originator = 'ann-tablet';"
            "UPDATE items SET title = 'from the tablet'; COMMIT;");
  wait_for_pushes(2);
  EXPECT_EQ(payloads_for("ann-tablet"), (std::vector<json>{fcm("insert", "1", "ann-phone", "from the phone")}));
  EXPECT_EQ(payloads_for("ann-phone"), (std::vector<json>{apns("update", "1", "ann-tablet", "from the tablet")}));
}

TEST_F(EndToEnd, DeliverToOriginatorSendsToTheWriterToo) {
  start_sidecar(write_config(app_tables, "  deliver_to_originator: true\n"));
  sql(url_, "BEGIN; SELECT pushsync.set_originator('ann-phone');"
            "INSERT INTO items (title, owner) VALUES ('x', 'ann'); COMMIT;");
  wait_for_pushes(2);
  EXPECT_EQ(payloads_for("ann-phone"), (std::vector<json>{apns("insert", "1", "ann-phone", "x")}));
}

TEST_F(EndToEnd, AnUpdateOfAnUnwatchedColumnSendsNothing) {
  sql(url_, "INSERT INTO items (title, owner) VALUES ('t', 'ann')");
  sql(url_, "DELETE FROM pushsync.events");
  sql(url_, "UPDATE items SET note = 'only the note'");
  EXPECT_EQ(outbox_size(), 0) << "the trigger must not even write an outbox row";
  start_sidecar(write_config(app_tables));
  sql(url_, "UPDATE items SET note = 'again', title = 't2'");  // watched: the sentinel
  auto all = wait_for_pushes(2);
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(payloads_for("ann-phone"), (std::vector<json>{apns("update", "1", "", "t2")}));
}

TEST_F(EndToEnd, ChangingTheOwnerNotifiesTheOldAndTheNewOwner) {
  sql(url_, "INSERT INTO items (title, owner) VALUES ('shared', 'ann')");
  sql(url_, "DELETE FROM pushsync.events");
  start_sidecar(write_config(app_tables));
  sql(url_, "UPDATE items SET owner = 'bob'");
  wait_for_pushes(3);
  EXPECT_EQ(payloads_for("ann-phone").size(), 1u);
  EXPECT_EQ(payloads_for("ann-tablet").size(), 1u);
  EXPECT_EQ(payloads_for("bob-ws"),
            (std::vector<json>{json::parse(R"({"message":"PUSH-TO-SYNC","table":"items","op":"update","id":"1",)"
                                           R"("orig":"","title":"shared"})")}));
}

TEST_F(EndToEnd, CompositeKeysAndQuotedIdentifiersWork) {
  start_sidecar(write_config(app_tables));
  sql(url_, R"(INSERT INTO "Sales"."Order Items" VALUES (42, 'eu,west\1', 3, 'bob'))");
  auto all = wait_for_pushes(1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["installation"], "bob-ws");
  EXPECT_EQ(all[0]["payload"]["table"], "Order Items");
  EXPECT_EQ(all[0]["payload"]["id"], R"(42,eu\,west\\1)");
}

TEST_F(EndToEnd, ChangingTheKeyIsADeleteOfTheOldIdAndAnInsertOfTheNew) {
  sql(url_, R"(INSERT INTO "Sales"."Order Items" VALUES (1, 'eu', 3, 'bob'))");
  sql(url_, "DELETE FROM pushsync.events");
  start_sidecar(write_config(app_tables));
  sql(url_, R"(UPDATE "Sales"."Order Items" SET region = 'us')");
  wait_for_pushes(2);
  auto bob = payloads_for("bob-ws");
  ASSERT_EQ(bob.size(), 2u);
  EXPECT_EQ(bob[0]["op"], "delete");
  EXPECT_EQ(bob[0]["id"], "1,eu");
  EXPECT_EQ(bob[1]["op"], "insert");
  EXPECT_EQ(bob[1]["id"], "1,us");
}

// Multi-row statements are captured once per statement (one outbox row per
// 1000 rows); every row still reaches its devices, once.
class Statements : public EndToEnd {
 protected:
  // The distinct ids bob's device got with `op`, after `count` pushes.
  std::set<std::string> ids_with_op(std::size_t count, const std::string& op) {
    wait_for_pushes(count);
    std::set<std::string> ids;
    for (const auto& p : payloads_for("bob-ws"))
      if (p["op"] == op) ids.insert(p["id"].get<std::string>());
    return ids;
  }
  static constexpr int rows = 10000;
};

TEST_F(Statements, AnInsertSelectOfTenThousandRows) {
  start_sidecar(write_config(app_tables));
  sql(url_, "INSERT INTO items (title, owner) SELECT 'n' || g, 'bob' FROM generate_series(1, 10000) g");
  EXPECT_EQ(ids_with_op(rows, "insert").size(), static_cast<std::size_t>(rows));
  EXPECT_EQ(pushes().size(), static_cast<std::size_t>(rows));
}

TEST_F(Statements, AnUpdateOfTenThousandRowsInOneStatement) {
  sql(url_, "INSERT INTO items (title, owner) SELECT 'n' || g, 'bob' FROM generate_series(1, 10000) g;"
            "DELETE FROM pushsync.events");
  sql(url_, "UPDATE items SET done = true");
  EXPECT_EQ(sql(url_, "SELECT count(*)::text || ' ' || sum(row_count)::text FROM pushsync.events"),
            (std::vector<std::string>{"10 10000"}))
      << "one outbox row per 1000 rows of the statement";
  sql(url_, "UPDATE items SET note = 'unwatched'");
  EXPECT_EQ(outbox_size(), 10) << "an update of no watched column writes nothing";
  start_sidecar(write_config(app_tables));
  EXPECT_EQ(ids_with_op(rows, "update").size(), static_cast<std::size_t>(rows));
  EXPECT_EQ(pushes().size(), static_cast<std::size_t>(rows));
}

TEST_F(Statements, ADeleteOfTenThousandRowsInOneStatement) {
  sql(url_, "INSERT INTO items (title, owner) SELECT 'n' || g, 'bob' FROM generate_series(1, 10000) g;"
            "DELETE FROM pushsync.events");
  start_sidecar(write_config(app_tables));
  sql(url_, "DELETE FROM items");
  EXPECT_EQ(ids_with_op(rows, "delete").size(), static_cast<std::size_t>(rows));
}

// PostgreSQL does not tell triggers which rows a TRUNCATE removed, so
// pushsync cannot know whose devices to tell: it captures nothing.
TEST_F(Statements, ATruncateIsNotCapturedAndBreaksNothing) {
  sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'bob'); DELETE FROM pushsync.events");
  start_sidecar(write_config(app_tables));
  sql(url_, "TRUNCATE items");
  EXPECT_EQ(outbox_size(), 0);
  sql(url_, "INSERT INTO items (title, owner) VALUES ('after', 'bob')");
  auto all = wait_for_pushes(1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["payload"]["title"], "after");
}

TEST_F(EndToEnd, TagsSqlFansOutThroughAnotherTable) {
  sql(url_, "INSERT INTO members VALUES (7, 'ann'), (7, 'bob'), (8, 'carol')");
  start_sidecar(write_config(app_tables));
  sql(url_, "INSERT INTO rooms VALUES (7, 'lunch')");
  wait_for_pushes(3);
  EXPECT_EQ(payloads_for("ann-phone").size(), 1u);
  EXPECT_EQ(payloads_for("ann-tablet").size(), 1u);
  EXPECT_EQ(payloads_for("bob-ws").size(), 1u);
  EXPECT_EQ(payloads_for("bob-ws")[0]["table"], "rooms");
}

TEST_F(EndToEnd, AChangeMadeWhileTheSidecarIsStoppedIsDeliveredWhenItStarts) {
  auto config = write_config(app_tables);
  auto& first = start_sidecar(config);
  sql(url_, "INSERT INTO items (title, owner) VALUES ('first', 'bob')");
  wait_for_pushes(1);
  ASSERT_EQ(first.terminate(), 0) << first.err();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('while away', 'bob')");
  EXPECT_EQ(outbox_size(), 1);
  start_sidecar(config);
  wait_for_pushes(2);
  EXPECT_EQ(payloads_for("bob-ws").at(1)["id"], "2");
}

TEST_F(EndToEnd, RepeatedChangesOfOneRecordInOneBatchBecomeOnePushPerDevice) {
  sql(url_, "INSERT INTO items (title, owner) VALUES ('v1', 'bob');"
            "UPDATE items SET title = 'v2'; UPDATE items SET title = 'v3';");
  EXPECT_EQ(outbox_size(), 3);
  start_sidecar(write_config(app_tables));
  wait_for_pushes(1);
  auto bob = payloads_for("bob-ws");
  ASSERT_EQ(bob.size(), 1u);
  EXPECT_EQ(bob[0]["op"], "update");
  EXPECT_EQ(bob[0]["title"], "v3");
}

TEST_F(EndToEnd, ABurstOfEditsIsOnePushAtOnceAndOneWhenTheCoalesceWindowEnds) {
  start_sidecar(write_config(app_tables, "  coalesce_window: 2s\n"));
  sql(url_, "INSERT INTO items (title, owner) VALUES ('v1', 'bob')");
  wait_for_pushes(1);
  for (const char* title : {"v2", "v3", "v4"}) sql(url_, std::string("UPDATE items SET title = '") + title + "'");
  auto all = wait_for_pushes(2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["payload"]["op"], "insert");
  EXPECT_EQ(all[1]["payload"]["op"], "update");
  EXPECT_EQ(all[1]["payload"]["title"], "v4");
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters"), "0");
}

TEST_F(EndToEnd, APlatformWithoutProviderIsDeadLetteredNotLost) {
  sql(url_, "INSERT INTO items (title, owner) VALUES ('x', 'bob')");
  auto config = write_temp_file("no-provider.yaml", "database:\n  url: \"" + url_ +
                                                         "\"\n  poll_interval: 200ms\ntables:" + app_tables);
  start_sidecar(config);
  ASSERT_TRUE(eventually([&] { return outbox_size() == 0; }));
  EXPECT_EQ(sql(url_, "SELECT installation_id || ' ' || platform || ' ' || reason || ' ' || row_id "
                      "FROM pushsync.dead_letters"),
            (std::vector<std::string>{"bob-ws ws provider_not_configured 1"}));
}

TEST_F(EndToEnd, TwoSidecarsShareTheWorkWithoutSendingTwice) {
  auto config = write_config(app_tables);
  start_sidecar(config);
  start_sidecar(config);
  sql(url_, "INSERT INTO items (title, owner) SELECT 'n' || g, 'bob' FROM generate_series(1, 300) g");
  for (int i = 0; i < 20; ++i) sql(url_, "INSERT INTO items (title, owner) VALUES ('single', 'bob')");
  auto all = wait_for_pushes(320);
  auto ids = record_ids(payloads_for("bob-ws"));
  EXPECT_EQ(all.size(), 320u);
  EXPECT_EQ(ids.size(), 320u);
}

// 3000 statements of one row each (one transaction): 3000 changes in the
// outbox, claimed in batches of batch_size.
const char* const three_thousand_single_row_inserts =
    "DO $$ BEGIN FOR g IN 1..3000 LOOP INSERT INTO items (title, owner) VALUES ('n' || g, 'bob'); END LOOP; END $$";

// Changes a sidecar's claim holds: while some transaction holds the
// capture log's reader lock, what is left in the outbox.
long claimed_rows(const std::string& url) {
  return std::stol(sql_value(url, "SELECT CASE WHEN EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND "
                                  "database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
                                  "granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = "
                                  "hashtextextended('pushsync.log:pushsync', 0)) THEN (SELECT count(*) FROM "
                                  "pushsync.outbox) ELSE 0 END"));
}

// Freezes `sidecar` (SIGSTOP) at a moment it holds a claimed, unsettled batch.
bool freeze_holding_a_claim(Process& sidecar, const std::string& url) {
  return eventually([&] {
    sidecar.signal(SIGSTOP);
    if (claimed_rows(url) > 0) return true;
    sidecar.signal(SIGCONT);
    return false;
  });
}

TEST_F(EndToEnd, KillingTheSidecarMidBatchLosesNoChange) {
  sql(url_, three_thousand_single_row_inserts);
  auto& first = start_sidecar(write_config(app_tables, "", "  batch_size: 50\n"));
  ASSERT_TRUE(eventually([&] { return pushes_written() > 0; }));
  ASSERT_TRUE(freeze_holding_a_claim(first, url_)) << "never caught the sidecar between claim and settle";
  first.kill9();
  ASSERT_GT(outbox_size(), 0);
  // The database rolled the dead sidecar's claim back: nothing is held.
  ASSERT_TRUE(eventually([&] { return claimed_rows(url_) == 0; }));
  start_sidecar(write_config(app_tables));
  auto all = wait_for_pushes(3000);
  auto ids = record_ids(payloads_for("bob-ws"));
  EXPECT_EQ(ids.size(), 3000u) << "every change reached the device at least once";
  EXPECT_LE(all.size(), 3000u + 2 * 50u) << "duplicates are bounded by the two batches in flight";
}

TEST_F(EndToEnd, AHungSidecarsClaimIsReleasedAfterTheLease) {
  sql(url_, three_thousand_single_row_inserts);
  auto config = write_config(app_tables, "", "  batch_size: 50\n");  // lease: 5s
  auto& hung = start_sidecar(config);
  ASSERT_TRUE(eventually([&] { return pushes_written() > 0; }));
  ASSERT_TRUE(freeze_holding_a_claim(hung, url_)) << "never caught the sidecar between claim and settle";
  auto& other = start_sidecar(config);
  // The other sidecar delivers everything, the frozen one's batch included
  // once the database has ended its idle transaction.
  wait_for_pushes(3000);
  auto ids = record_ids(payloads_for("bob-ws"));
  EXPECT_EQ(ids.size(), 3000u);
  ASSERT_TRUE(eventually([&] { return outbox_size() == 0; }));
  hung.signal(SIGCONT);
  // It finds its claim gone, says so, and goes on working.
  EXPECT_TRUE(eventually([&] { return hung.err().find("released before it was settled") != std::string::npos; }))
      << hung.err();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('after', 'bob')");
  ASSERT_TRUE(eventually([&] { return outbox_size() == 0; }));
  EXPECT_EQ(hung.terminate(), 0) << hung.err();
  EXPECT_EQ(other.terminate(), 0);
}

TEST_F(EndToEnd, AFailingTagsSqlDeadLettersOnlyItsOwnChange) {
  const std::string tables = R"yaml(
  public.rooms:
    tags_sql: "SELECT 'user:' || email FROM members WHERE room_id = 100 / $1"
    tags_args: [id]
)yaml";
  sql(url_, "INSERT INTO members VALUES (14, 'bob')");
  start_sidecar(write_config(tables));
  // One transaction, so one batch: room 0 divides by zero, room 7 reaches bob.
  sql(url_, "INSERT INTO rooms VALUES (0, 'broken'), (7, 'lunch')");
  wait_for_pushes(1);
  ASSERT_TRUE(eventually([&] { return outbox_size() == 0; }));
  EXPECT_EQ(payloads_for("bob-ws").at(0)["id"], "7");
  EXPECT_EQ(sql(url_, "SELECT row_id || ' ' || reason FROM pushsync.dead_letters"),
            (std::vector<std::string>{"0 tags_sql_failed: ERROR:  division by zero\n"}));
}

TEST_F(EndToEnd, JsonLogsAreJsonAndNeverShowTheDatabasePassword) {
  TempPostgres cluster;
  url_ = cluster.create_database() + " password=hunter2-secret";
  sql(url_, app_schema);
  cluster.down();  // so the connection error is logged too
  auto config = write_config(app_tables);
  Process sidecar({"run", "--config", config, "--log-format", "json"});
  ASSERT_TRUE(eventually([&] { return sidecar.err().find("cannot reach the database") != std::string::npos; }));
  cluster.up();
  ASSERT_TRUE(eventually([&] { return sidecar.err().find("running:") != std::string::npos; }));
  EXPECT_EQ(sidecar.terminate(), 0);
  std::string log = sidecar.err();
  EXPECT_EQ(log.find("hunter2"), std::string::npos) << log;
  std::istringstream lines(log);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    auto entry = nlohmann::json::parse(line);  // throws, failing the test, if not JSON
    EXPECT_TRUE(entry.contains("time") && entry.contains("level") && entry.contains("msg")) << line;
    ++count;
  }
  EXPECT_GE(count, 3);
}

TEST_F(EndToEnd, SendToAnInstallationReachesThatDeviceOnly) {
  auto config = write_config(app_tables);
  start_sidecar(config);
  auto sent = run_pushsync({"send", "--config", config, "--installation", "ann-tablet", "--data", R"({"k":"v"})"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_NE(sent.out.find("to 0 tag(s) and 1 installation(s)"), std::string::npos) << sent.out;
  auto pushes = wait_for_pushes(1);
  ASSERT_EQ(pushes.size(), 1u);
  EXPECT_EQ(pushes[0]["installation"], "ann-tablet");
  EXPECT_EQ(pushes[0]["payload"]["data"]["k"], "v");
  EXPECT_EQ(run_pushsync({"send", "--config", config}).exit_code, 2) << "neither --tag nor --installation";
}

}  // namespace
}  // namespace pushsync::test
