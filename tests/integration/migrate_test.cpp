// `pushsync migrate`, `check` and `sql` against a real PostgreSQL.
#include <gtest/gtest.h>

#include <thread>

#include "tests/integration/sidecar_fixture.hpp"

namespace pushsync::test {
namespace {

class Migrate : public SidecarTest {
 protected:
  // Capture triggers on `table`: one per configured operation.
  std::string trigger_count(const std::string& table) {
    return sql_value(url_, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'pushsync_capture%' AND tgrelid = '" +
                               table + "'::regclass");
  }
};

TEST_F(Migrate, AFreshInstallCreatesTheSchemaAndOneTriggerPerTable) {
  EXPECT_EQ(sql(url_, "SELECT version::text || ' ' || name FROM pushsync.schema_version"),
            (std::vector<std::string>{"1 001_outbox.sql", "2 002_api.sql", "3 003_per_push_delivery.sql", "4 004_webpush.sql",
                                      "5 005_capture_log.sql", "6 006_rows_by_column.sql",
                                      "7 007_ws_mailbox_unbound.sql"}));
  EXPECT_EQ(trigger_count("items"), "3");
  EXPECT_EQ(trigger_count("\"Sales\".\"Order Items\""), "3");
  EXPECT_EQ(trigger_count("rooms"), "3");
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.capture_triggers"), "3");
}

TEST_F(Migrate, ASecondRunDoesNothing) {
  auto catalog_state = [&] {
    return sql(url_, "SELECT p.proname || ':' || p.xmin::text FROM pg_proc p JOIN pg_namespace n "
                     "ON n.oid = p.pronamespace WHERE n.nspname = 'pushsync' "
                     "UNION ALL SELECT tgname || ':' || xmin::text FROM pg_trigger WHERE tgname LIKE 'pushsync_capture%' "
                     "ORDER BY 1");
  };
  auto before = catalog_state();
  auto again = run_pushsync({"migrate", "--config", write_config(app_tables)});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("schema at version 7, triggers up to date; nothing to do"), std::string::npos) << again.err;
  EXPECT_EQ(catalog_state(), before);
}

TEST_F(Migrate, ATableRemovedFromTheConfigLosesItsTrigger) {
  const std::string only_items = R"yaml(
  public.items:
    tags: ["user:{owner}"]
)yaml";
  auto result = run_pushsync({"migrate", "--config", write_config(only_items)});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("dropped: Sales.Order Items, public.rooms"), std::string::npos) << result.err;
  EXPECT_EQ(trigger_count("items"), "3");
  EXPECT_EQ(trigger_count("\"Sales\".\"Order Items\""), "0");
  EXPECT_EQ(trigger_count("rooms"), "0");
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pg_proc WHERE proname LIKE 'capture_%'"), "1");
  sql(url_, "INSERT INTO rooms VALUES (1, 'quiet')");
  EXPECT_EQ(outbox_size(), 0);
}

TEST_F(Migrate, TwoMigrationsStartingAtOnceTakeTurns) {
  std::string fresh = shared_cluster().create_database();
  sql(fresh, app_schema);
  url_ = fresh;
  auto config = write_config(app_tables);
  Process a({"migrate", "--config", config});
  Process b({"migrate", "--config", config});
  EXPECT_EQ(a.wait(), 0) << a.err();
  EXPECT_EQ(b.wait(), 0) << b.err();
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.schema_version"), "7");
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.capture_triggers"), "3");
}

TEST_F(Migrate, CheckReportsAMissingColumnWithTheConfigsLineAndColumn) {
  const std::string tables = R"yaml(
  public.items:
    tags: ["user:{owner}", "team:{team}"]
)yaml";
  std::string config = write_config(tables);
  auto result = run_pushsync({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 2);
  // write_config puts `tables:` on line 10, so tags is line 12; the second
  // template starts at column 28.
  EXPECT_NE(result.err.find(config + ":12:28: tables.public.items.tags[1]: unknown column \"team\" in table "
                                     "\"public.items\""),
            std::string::npos)
      << result.err;
}

TEST_F(Migrate, CheckReportsAMissingTableAndBrokenTagsSql) {
  const std::string tables = R"yaml(
  public.nope:
    tags: ["user:{owner}"]
  public.rooms:
    tags_sql: "SELECT email FROM no_such_table WHERE room_id = $1"
    tags_args: [id]
)yaml";
  std::string config = write_config(tables);
  auto result = run_pushsync({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(config + ":11:3: tables.public.nope: table \"public.nope\" does not exist"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find(config + ":14:15: tables.public.rooms.tags_sql: tags_sql does not prepare: relation "
                            "\"no_such_table\" does not exist\n"),
            std::string::npos)
      << result.err;
}

// A config that does nothing must not pass silently.
TEST_F(Migrate, CheckWarnsAboutTablesWhoseTagsNoInstallationCarries) {
  const std::string tables = R"yaml(
  public.items:
    tags: ["user:{owner}"]
  public.rooms:
    tags: ["all"]
  Sales.Order Items:
    id: [order_no, region]
    tags: ["region:{region}", "buyers"]
)yaml";
  auto result = run_pushsync({"check", "--config", write_config(tables)});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("tables.public.rooms.tags: no installation carries a tag like \"all\" yet; changes of "
                            "public.rooms reach nobody until one does"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("tables.Sales.Order Items.tags: no installation carries a tag like any of "
                            "\"region:{region}\", \"buyers\" yet"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("tables.public.items.tags"), std::string::npos) << "ann and bob carry user: tags";
  sql(url_, "UPDATE pushsync.installations SET tags = tags || '{all}' WHERE installation_id = 'bob-ws'");
  auto again = run_pushsync({"check", "--config", write_config(tables)});
  EXPECT_EQ(again.err.find("tables.public.rooms.tags"), std::string::npos) << again.err;
}

TEST_F(Migrate, AnIdColumnThatCannotPairOldAndNewRowsIsAConfigError) {
  sql(url_, "CREATE TABLE docs (doc json, owner text)");
  const std::string tables = R"yaml(
  public.docs:
    id: doc
    tags: ["user:{owner}"]
)yaml";
  auto result = run_pushsync({"migrate", "--config", write_config(tables)});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(":12:9: tables.public.docs.id: the id column(s) cannot pair an UPDATE's old and new rows"),
            std::string::npos)
      << result.err;
}

TEST_F(Migrate, RunRefusesAConfigThatDoesNotMatchTheDatabase) {
  const std::string tables = R"yaml(
  public.items:
    watch: [titel]
    tags: ["user:{owner}"]
)yaml";
  auto result = run_pushsync({"run", "--config", write_config(tables)});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("tables.public.items.watch[0]: unknown column \"titel\""), std::string::npos)
      << result.err;
}

TEST_F(Migrate, CheckWarnsAboutInstallationsNoProviderServes) {
  auto config = write_temp_file("no-provider.yaml", "database:\n  url: \"" + url_ + "\"\ntables:" + app_tables);
  auto result = run_pushsync({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("1 installation(s) on platform apns but no apns provider is configured"),
            std::string::npos)
      << result.err;
}

TEST_F(Migrate, SqlPrintsTheDdlWithoutADatabase) {
  auto config = write_temp_file("offline.yaml", "database:\n  url: \"host=/nonexistent\"\ntables:" +
                                                    std::string(app_tables));
  auto result = run_pushsync({"sql", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("CREATE TABLE \"pushsync\".changes"), std::string::npos);
  EXPECT_NE(result.out.find("CREATE TRIGGER pushsync_capture_update AFTER UPDATE ON \"Sales\".\"Order Items\"\n"
                            "  REFERENCING OLD TABLE AS pushsync_old NEW TABLE AS pushsync_new\n"
                            "  FOR EACH STATEMENT"),
            std::string::npos)
      << result.out;
}

// Installs of 0.1 have one row trigger per table, `pushsync_capture`:
// migrate replaces it with statement triggers, and a second run changes
// nothing.
TEST_F(Migrate, RowTriggersOfEarlierVersionsAreReplaced) {
  sql(url_, "DROP TRIGGER pushsync_capture_insert ON items; DROP TRIGGER pushsync_capture_update ON items;"
            "DROP TRIGGER pushsync_capture_delete ON items;"
            "CREATE FUNCTION old_capture() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;"
            "CREATE TRIGGER pushsync_capture AFTER INSERT OR UPDATE OR DELETE ON items "
            "FOR EACH ROW EXECUTE FUNCTION old_capture();"
            "UPDATE pushsync.capture_triggers SET ddl = 'the row trigger of 0.1' WHERE table_name = 'items'");
  auto first = run_pushsync({"migrate", "--config", write_config(app_tables)});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("updated: public.items"), std::string::npos) << first.err;
  EXPECT_EQ(sql(url_, "SELECT tgname FROM pg_trigger WHERE tgrelid = 'items'::regclass ORDER BY 1"),
            (std::vector<std::string>{"pushsync_capture_delete", "pushsync_capture_insert", "pushsync_capture_update"}));
  auto second = run_pushsync({"migrate", "--config", write_config(app_tables)});
  EXPECT_NE(second.err.find("nothing to do"), std::string::npos) << second.err;
  sql(url_, "INSERT INTO items (title, owner) VALUES ('t', 'ann')");
  EXPECT_EQ(outbox_size(), 1);
}

}  // namespace
}  // namespace pushsync::test
