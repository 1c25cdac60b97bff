// The database goes away and comes back: the sidecar waits, says so, and
// delivers what was written meanwhile; it may even start first.
#include <gtest/gtest.h>

#include "tests/integration/sidecar_fixture.hpp"

namespace pushsync::test {
namespace {

class DatabaseOutage : public SidecarTest {};

TEST_F(DatabaseOutage, SurvivesADatabaseOutageAndDeliversAfterwards) {
  TempPostgres cluster;  // its own, to take down
  std::string url = cluster.create_database();
  sql(url, app_schema);
  url_ = url;
  auto config = write_config(app_tables);
  ASSERT_EQ(run_pushsync({"migrate", "--config", config}).exit_code, 0);
  sql(url_, "INSERT INTO pushsync.installations VALUES ('bob-ws', 'ws', '', '{user:bob}')");
  auto& sidecar = start_sidecar(config);
  sql(url_, "INSERT INTO items (title, owner) VALUES ('before', 'bob')");
  wait_for_pushes(1);
  cluster.down();
  ASSERT_TRUE(eventually([&] { return sidecar.err().find("database unavailable") != std::string::npos; }));
  EXPECT_TRUE(sidecar.running());
  cluster.up();
  sql(url_, "INSERT INTO items (title, owner) VALUES ('after', 'bob')");
  auto all = wait_for_pushes(2);
  EXPECT_EQ(all.back()["payload"]["title"], "after");
  EXPECT_EQ(sidecar.terminate(), 0) << sidecar.err();
}

TEST_F(DatabaseOutage, StartsBeforeTheDatabaseAndDeliversOnceItIsUp) {
  TempPostgres cluster;
  url_ = cluster.create_database();
  sql(url_, app_schema);
  auto config = write_config(app_tables);
  cluster.down();
  auto& sidecar = start_sidecar(config);
  ASSERT_TRUE(eventually([&] { return sidecar.err().find("cannot reach the database") != std::string::npos; }))
      << sidecar.err();
  cluster.up();
  ASSERT_TRUE(eventually([&] { return sidecar.err().find("running: 3 table(s)") != std::string::npos; }))
      << sidecar.err();
  sql(url_, "INSERT INTO pushsync.installations VALUES ('bob-ws', 'ws', '', '{user:bob}')");
  sql(url_, "INSERT INTO items (title, owner) VALUES ('late', 'bob')");
  auto all = wait_for_pushes(1);
  EXPECT_EQ(all.at(0)["payload"]["title"], "late");
}

}  // namespace
}  // namespace pushsync::test
