#include "tests/support/temp_postgres.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

#include <pqxx/pqxx>

namespace pushsync::test {

namespace {

std::string run_script(const std::string& args) {
  std::string command = std::string(PUSHSYNC_SOURCE_DIR) + "/scripts/pg-tmp.sh " + args;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe.get())) out += buffer;
  int status = pclose(pipe.release());
  if (status != 0) throw std::runtime_error(command + " failed (status " + std::to_string(status) + ")");
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

TempPostgres::TempPostgres() {
  char pattern[] = "/tmp/pushsync-test-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  setenv("PG_TMP_OPTS", "-c fsync=off -c synchronous_commit=off -c max_connections=200", 0);
  std::string url = run_script("start " + dir_);
  base_url_ = url.substr(0, url.rfind(" dbname="));
}

TempPostgres::~TempPostgres() {
  try {
    run_script("stop " + dir_);
  } catch (...) {
  }
}

std::string TempPostgres::url(const std::string& database) const { return base_url_ + " dbname=" + database; }

std::string TempPostgres::create_database() {
  std::string name = "test_" + std::to_string(++databases_);
  pqxx::connection conn(url("postgres"));
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE DATABASE " + name);
  return url(name);
}

void TempPostgres::down() { run_script("down " + dir_); }
void TempPostgres::up() { run_script("up " + dir_); }

TempPostgres& shared_cluster() {
  static TempPostgres cluster;
  return cluster;
}

std::vector<std::string> sql(const std::string& url, const std::string& statements) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  std::vector<std::string> out;
  for (const auto& row : tx.exec(statements)) out.push_back(row[0].is_null() ? "" : row[0].c_str());
  return out;
}

std::string sql_value(const std::string& url, const std::string& query) {
  auto rows = sql(url, query);
  if (rows.size() != 1) throw std::runtime_error("expected one row from: " + query);
  return rows[0];
}

}  // namespace pushsync::test
