// The capture log (sql/005_capture_log.sql, db/capture_log): read in
// snapshot windows, so a transaction that commits late is not skipped;
// emptied by TRUNCATE, never updated or deleted from row by row; and what
// 0.2 queued in its outbox is delivered, once, after the upgrade.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "sidecar/db/migrator.hpp"
#include "tests/integration/sidecar_fixture.hpp"

namespace pushsync::test {
namespace {

using nlohmann::json;

class CaptureLogTest : public SidecarTest {
 protected:
  // The record ids bob's device got, each as often as it got it.
  std::multiset<std::string> bobs_ids() const {
    std::multiset<std::string> ids;
    for (const auto& p : payloads_for("bob-ws")) ids.insert(p["id"].get<std::string>());
    return ids;
  }
};

// A writer whose transaction began (and appended) before many others that
// commit first: its change has the lowest id of all and commits last, after
// the sidecar has read past every other one.
TEST_F(CaptureLogTest, AChangeCommittedAfterLaterOnesAreReadIsStillDelivered) {
  start_sidecar(write_config(app_tables));
  pqxx::connection slow(url_);
  pqxx::work late(slow);
  late.exec("INSERT INTO items (title, owner) VALUES ('late', 'bob')");
  for (int i = 0; i < 30; ++i) sql(url_, "INSERT INTO items (title, owner) VALUES ('on time', 'bob')");
  ASSERT_TRUE(eventually([&] { return pushes_written() == 30; })) << pushes_written();
  late.commit();
  wait_for_pushes(31);
  auto ids = bobs_ids();
  EXPECT_EQ(ids.size(), 31u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 31u) << "each change once";
  EXPECT_EQ(ids.count("1"), 1u) << "the late one (id 1) too";
}

// A writer that rolls back leaves an event nobody may send.
TEST_F(CaptureLogTest, AChangeRolledBackIsNeverSent) {
  start_sidecar(write_config(app_tables));
  sql(url_, "BEGIN; INSERT INTO items (title, owner) VALUES ('undone', 'bob'); ROLLBACK");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('kept', 'bob')");
  wait_for_pushes(1);
  EXPECT_EQ(bobs_ids(), (std::multiset<std::string>{"2"}));
}

// Once all of it is read the log is emptied with TRUNCATE (here at once:
// truncate_interval 0): no row of it is ever updated or deleted, so vacuum
// has nothing to do, and changes keep flowing across the truncations.
TEST_F(CaptureLogTest, TheLogIsEmptiedWithTruncateNeverRowByRow) {
  start_sidecar(write_config(app_tables, "", "  truncate_interval: 0s\n"));
  for (int i = 0; i < 50; ++i) sql(url_, "INSERT INTO items (title, owner) VALUES ('a', 'bob')");
  // Sent before the UPDATE: claimed together, an insert and an update of
  // the same row are one push (its newest state).
  wait_for_pushes(50);
  sql(url_, "UPDATE items SET title = 'b' WHERE id <= 10");
  wait_for_pushes(60);
  EXPECT_TRUE(eventually([&] { return sql_value(url_, "SELECT count(*) FROM pushsync.events") == "0"; }));
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.changes"), "0");
  for (int i = 0; i < 5; ++i) sql(url_, "INSERT INTO items (title, owner) VALUES ('after', 'bob')");
  wait_for_pushes(65);
  EXPECT_EQ(bobs_ids().size(), 65u);
  // Statistics reach pg_stat_user_tables when each backend flushes them
  // (within 10 s of going idle): once the 56 appends show (the UPDATE of
  // 10 rows is one event), so would the rest.
  EXPECT_TRUE(eventually([&] {
    return std::stol(sql_value(url_, "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = "
                                     "'pushsync.events'::regclass")) >= 56;
  }, std::chrono::seconds(20)));
  EXPECT_EQ(sql_value(url_, "SELECT n_tup_upd + n_tup_del + n_dead_tup FROM pg_stat_user_tables "
                            "WHERE relid = 'pushsync.events'::regclass"),
            "0");
}

// A statement's rows are logged by column (one JSON array per captured
// column); each row still arrives with its own values, also when claims
// take the statement in parts (a part waits in db changes with a cursor,
// so its rows are read from the middle of the arrays). An UPDATE that
// moves a key sends a delete with the old row's values and an insert with
// the new one's.
TEST_F(CaptureLogTest, EveryRowOfAStatementReadInPartsArrivesWithItsOwnValues) {
  start_sidecar(write_config(app_tables, "", "  batch_size: 50\n  batch_pushes: 400\n"));
  sql(url_, "INSERT INTO items (id, title, owner) SELECT g, 'n' || g, CASE WHEN g % 2 = 0 THEN 'ann' ELSE 'bob' END "
            "FROM generate_series(1, 2500) g");
  wait_for_pushes(3750);  // ann's rows to her two devices, bob's to his one
  sql(url_, "UPDATE items SET id = id + 10000, title = 'moved ' || id WHERE id <= 4");
  wait_for_pushes(3750 + 12);
  std::multiset<std::string> bobs;
  for (const auto& device : {"ann-phone", "bob-ws"})
    for (const auto& p : payloads_for(device)) {
      const auto id = std::stol(p["id"].get<std::string>());
      const std::string op = p["op"], title = p["title"];
      EXPECT_EQ(id % 2 == 0, std::string(device) == "ann-phone") << p.dump();
      if (id > 10000)
        EXPECT_EQ(title, "moved " + std::to_string(id - 10000)) << p.dump();
      else
        EXPECT_EQ(title, "n" + std::to_string(id)) << p.dump();
      if (std::string(device) == "bob-ws") bobs.insert(op);
    }
  EXPECT_EQ(bobs.count("insert"), 1252u);
  EXPECT_EQ(bobs.count("delete"), 2u);
}

// Changes 0.2 captured (schema 4: one row per change in pushsync.changes,
// a statement's rows in arrays) and never delivered are delivered once
// after `pushsync migrate` brings the schema up to date. The database is put back
// to schema 4 first, rows are queued as 0.2's trigger wrote them.
TEST_F(CaptureLogTest, ChangesQueuedBySchema4AreDeliveredOnceAfterTheUpgrade) {
  sql(url_, "DROP VIEW pushsync.outbox, pushsync.unread_events; DROP TABLE pushsync.events, pushsync.drain;"
            "ALTER TABLE pushsync.changes DROP COLUMN old_columns, DROP COLUMN new_columns;"
            "DELETE FROM pushsync.schema_version WHERE version >= 5;"
            "INSERT INTO pushsync.changes (tbl, op, row_id, new_cols) VALUES "
            "  ('public.items', 'insert', '1', '{\"title\": \"one\", \"owner\": \"bob\"}');"
            "INSERT INTO pushsync.changes (tbl, op, row_id, row_count, row_ids, news) VALUES "
            "  ('public.items', 'insert', '', 2, '{2,3}', ARRAY['{\"title\": \"two\", \"owner\": \"bob\"}',"
            "   '{\"title\": \"three\", \"owner\": \"bob\"}']::json[])");
  auto migrated = run_pushsync({"migrate", "--config", write_config(app_tables)});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  EXPECT_NE(migrated.err.find("schema version 4 -> " + std::to_string(db::latest_schema_version())), std::string::npos)
      << migrated.err;
  start_sidecar(write_config(app_tables));
  sql(url_, "INSERT INTO items (id, title, owner) VALUES (4, 'new', 'bob')");
  wait_for_pushes(4);
  EXPECT_EQ(bobs_ids(), (std::multiset<std::string>{"1", "2", "3", "4"}));
}

}  // namespace
}  // namespace pushsync::test
