// How writers wake a sidecar sleeping on LISTEN (triggers/capture.sql,
// db/listener): one NOTIFY per sleep, from the first writer, and none when
// no sidecar sleeps. With poll_interval: 1h a sleeping sidecar sees a
// change only if a writer woke it.
#include <gtest/gtest.h>

#include <csignal>

#include <pqxx/pqxx>

#include "tests/integration/sidecar_fixture.hpp"

namespace pushsync::test {
namespace {

class Wakeup : public SidecarTest {
 protected:
  // Counts the NOTIFYs on the schema's channel.
  class Notifies : public pqxx::notification_receiver {
   public:
    explicit Notifies(pqxx::connection& conn) : pqxx::notification_receiver(conn, "pushsync") {}
    void operator()(const std::string&, int) override { ++count; }
    int count = 0;
  };

  // Every NOTIFY of the writers that committed so far: a listening session
  // gets those pending before the answer to its next query.
  static int notifies_so_far(pqxx::connection& conn, Notifies& notifies) {
    pqxx::nontransaction(conn).exec("SELECT 1");
    conn.get_notifs();
    return notifies.count;
  }

  bool sidecar_asleep() const {
    // The wake lock is the two-key advisory lock of class "push"
    // (db/listener.cpp); the capture log's reads take another, exclusively
    // too, for a moment each.
    return sql_value(url_, "SELECT EXISTS (SELECT FROM pushsync.listener WHERE asleep) AND EXISTS (SELECT FROM "
                           "pg_locks WHERE locktype = 'advisory' AND classid::int = x'70757368'::int AND "
                           "objsubid = 2 AND mode = 'ExclusiveLock' AND granted AND database = "
                           "(SELECT oid FROM pg_database WHERE datname = current_database()))") == "t";
  }

  void write_rows(int count) {
    for (int i = 0; i < count; ++i) sql(url_, "INSERT INTO items (title, owner) VALUES ('t', 'ann')");
  }

  Process& start_sleepy_sidecar() {
    auto& sidecar = start_sidecar(write_config(app_tables, "", "  poll_interval: 1h\n"));
    EXPECT_TRUE(eventually([&] { return sidecar_asleep(); })) << sidecar.err();
    return sidecar;
  }
};

TEST_F(Wakeup, OnlyTheFirstWriterNotifiesASleepingSidecar) {
  auto& sidecar = start_sleepy_sidecar();
  pqxx::connection conn(url_);
  Notifies notifies(conn);
  sidecar.signal(SIGSTOP);  // asleep and holding its lock while the writers write
  write_rows(20);
  EXPECT_EQ(notifies_so_far(conn, notifies), 1);
  sidecar.signal(SIGCONT);
  EXPECT_EQ(wait_for_pushes(40).size(), 40u) << "woken by that NOTIFY, not by its hourly poll";
}

TEST_F(Wakeup, ASidecarThatDiedAsleepCostsWritersNothingAndItsSuccessorDeliversAll) {
  auto& sidecar = start_sleepy_sidecar();
  sidecar.kill9();
  pqxx::connection conn(url_);
  Notifies notifies(conn);
  write_rows(10);
  EXPECT_EQ(notifies_so_far(conn, notifies), 0) << "its lock went with its session";
  start_sleepy_sidecar();
  EXPECT_EQ(wait_for_pushes(20).size(), 20u);
}

TEST_F(Wakeup, AWriterStillInItsTransactionKeepsTheSidecarAwakeUntilItCommits) {
  const auto config = write_config(app_tables, "", "  poll_interval: 1h\n");
  ASSERT_EQ(run_pushsync({"migrate", "--config", config}).exit_code, 0);
  pqxx::connection writer(url_);
  pqxx::work tx(writer);
  // Granted the lock while nobody sleeps; it holds it until it commits.
  tx.exec("INSERT INTO items (title, owner) VALUES ('t', 'ann')");
  start_sidecar(config);
  EXPECT_TRUE(eventually([&] { return sql_value(url_, "SELECT EXISTS (SELECT FROM pushsync.listener WHERE asleep)") == "t"; }))
      << "the sidecar tries to sleep";
  EXPECT_FALSE(sidecar_asleep()) << "but cannot take the lock, so it polls";
  tx.commit();
  EXPECT_EQ(wait_for_pushes(2).size(), 2u) << "the change of that writer, which sent no NOTIFY";
}

}  // namespace
}  // namespace pushsync::test
