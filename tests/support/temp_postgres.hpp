#pragma once

#include <functional>
#include <string>
#include <vector>

namespace pushsync::test {

// A throwaway PostgreSQL cluster (scripts/pg-tmp.sh): initdb in a temp dir,
// Unix socket there, removed when the object goes away.
class TempPostgres {
 public:
  TempPostgres();
  // A cluster someone else started with `pg-tmp.sh start dir` (ctest's
  // TestCluster fixture): the databases this object created are dropped
  // when it goes away; the cluster stays.
  struct Attach {
    std::string dir;
  };
  explicit TempPostgres(const Attach& cluster);
  ~TempPostgres();
  TempPostgres(const TempPostgres&) = delete;
  TempPostgres& operator=(const TempPostgres&) = delete;

  // A fresh, empty database in this cluster; returns its connection string.
  std::string create_database();
  // A fresh database copied from `template_name`, which `make` fills (given
  // its connection string) once per cluster: the first test process to ask
  // makes it, under a lock, and the others copy it.
  std::string create_database_from(const std::string& template_name,
                                    const std::function<void(const std::string&)>& make);
  std::string url(const std::string& database) const;

  void down();  // stop the server (an outage), keep the data
  void up();

 private:
  void drop_databases();
  std::string new_database_name();

  std::string dir_;
  std::string base_url_;  // without dbname
  bool owned_ = true;
  std::vector<std::string> databases_;
};

// One cluster shared by every test of a test process: the cluster in the
// directory PUSHSYNC_TEST_CLUSTER names when set (ctest sets it: one
// cluster for the whole run, a database per test), else one of its own.
TempPostgres& shared_cluster();

// Runs SQL (several statements allowed) and returns the first column of
// the last result's rows, each as text ("" for NULL).
std::vector<std::string> sql(const std::string& url, const std::string& statements);
// Closes the connections sql() keeps open (one per database).
void close_connections();
std::string sql_value(const std::string& url, const std::string& query);

}  // namespace pushsync::test
