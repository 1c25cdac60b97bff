#pragma once

#include <string>
#include <vector>

namespace pushsync::test {

// A throwaway PostgreSQL cluster (scripts/pg-tmp.sh): initdb in a temp dir,
// Unix socket there, removed when the object goes away.
class TempPostgres {
 public:
  TempPostgres();
  ~TempPostgres();
  TempPostgres(const TempPostgres&) = delete;
  TempPostgres& operator=(const TempPostgres&) = delete;

  // A fresh, empty database in this cluster; returns its connection string.
  std::string create_database();
  std::string url(const std::string& database) const;

  void down();  // stop the server (an outage), keep the data
  void up();

 private:
  std::string dir_;
  std::string base_url_;  // without dbname
  int databases_ = 0;
};

// One cluster shared by every test of a test binary.
TempPostgres& shared_cluster();

// Runs SQL (several statements allowed) and returns the first column of
// the last result's rows, each as text ("" for NULL).
std::vector<std::string> sql(const std::string& url, const std::string& statements);
std::string sql_value(const std::string& url, const std::string& query);

}  // namespace pushsync::test
