#include "tests/support/temp_postgres.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include <libpq-fe.h>
#include <poll.h>
#include <pqxx/pqxx>
#include <unistd.h>

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

TempPostgres::TempPostgres(const Attach& cluster) : dir_(cluster.dir), owned_(false) {
  std::ifstream port_file(dir_ + "/port");
  int port = 0;
  if (!(port_file >> port)) throw std::runtime_error("no cluster in " + dir_ + " (pg-tmp.sh start " + dir_ + ")");
  base_url_ = "host=" + dir_ + " port=" + std::to_string(port) + " user=postgres";
}

TempPostgres::~TempPostgres() {
  try {
    if (owned_) {
      run_script("stop " + dir_);
      return;
    }
    drop_databases();
  } catch (...) {
  }
}

// With libpq itself: shared_cluster() goes away at exit, after libpqxx's
// own statics.
void TempPostgres::drop_databases() {
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdb(url("postgres").c_str()), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) return;
  for (const auto& name : databases_)
    PQclear(PQexec(conn.get(), ("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str()));
}

std::string TempPostgres::url(const std::string& database) const { return base_url_ + " dbname=" + database; }

// Unique in a cluster that several test processes share.
std::string TempPostgres::new_database_name() {
  databases_.push_back("test_" + std::to_string(getpid()) + "_" + std::to_string(databases_.size() + 1));
  return databases_.back();
}

std::string TempPostgres::create_database() {
  const std::string name = new_database_name();
  pqxx::connection conn(url("postgres"));
  pqxx::nontransaction(conn).exec("CREATE DATABASE " + name);
  return url(name);
}

std::string TempPostgres::create_database_from(const std::string& template_name,
                                               const std::function<void(const std::string&)>& make) {
  pqxx::connection conn(url("postgres"));
  pqxx::nontransaction tx(conn);
  const std::string lock = "hashtext(" + tx.quote("pushsync-test-template:" + template_name) + ")";
  tx.exec("SELECT pg_advisory_lock(" + lock + ")");  // held by this session: released if `make` throws
  if (tx.exec("SELECT FROM pg_database WHERE datname = " + tx.quote(template_name)).empty()) {
    // Made under another name and renamed once whole: a test process that
    // dies halfway leaves no half-made template behind it.
    const std::string scratch = template_name + "_" + std::to_string(getpid());
    tx.exec("CREATE DATABASE " + scratch);
    make(url(scratch));
    close_connections();  // a template is copied only while nobody is connected to it
    tx.exec("ALTER DATABASE " + scratch + " RENAME TO " + template_name);
  }
  tx.exec("SELECT pg_advisory_unlock(" + lock + ")");  // the copies go on side by side
  const std::string name = new_database_name();
  tx.exec("CREATE DATABASE " + name + " TEMPLATE " + template_name);
  return url(name);
}

void TempPostgres::down() { run_script("down " + dir_); }
void TempPostgres::up() { run_script("up " + dir_); }

TempPostgres& shared_cluster() {
  static const auto cluster = [] {
    const char* dir = std::getenv("PUSHSYNC_TEST_CLUSTER");
    return dir && *dir ? std::make_unique<TempPostgres>(TempPostgres::Attach{dir}) : std::make_unique<TempPostgres>();
  }();
  return *cluster;
}

namespace {

// The tests' statements reuse one connection per database: a new one
// costs the server a process and a backend's start (3-5 ms of CPU), and
// tests poll with a statement every 20 ms. One set per thread.
std::map<std::string, std::unique_ptr<pqxx::connection>>& open_connections() {
  thread_local std::map<std::string, std::unique_ptr<pqxx::connection>> connections;
  return connections;
}

// The server closed `conn` since its last statement (a restart, an outage
// the test made): an idle connection then has something to read, its end.
// Replaced before use, as libpqxx 6.4 leaks the result of a statement sent
// on a closed connection (tests/lsan.supp).
bool closed_by_server(const pqxx::connection& conn) {
  pollfd socket{conn.sock(), POLLIN, 0};
  return ::poll(&socket, 1, 0) != 0;
}

}  // namespace

void close_connections() { open_connections().clear(); }

std::vector<std::string> sql(const std::string& url, const std::string& statements) {
  auto& conn = open_connections()[url];
  // A connection the server dropped since (a restart, an outage the test
  // made) is replaced once; a database that is down still throws.
  for (bool retried = false;; retried = true) {
    try {
      if (!conn || !conn->is_open() || closed_by_server(*conn)) conn = std::make_unique<pqxx::connection>(url);
      pqxx::nontransaction tx(*conn);
      std::vector<std::string> out;
      for (const auto& row : tx.exec(statements)) out.push_back(row[0].is_null() ? "" : row[0].c_str());
      return out;
    } catch (const pqxx::broken_connection&) {
      conn.reset();
      if (retried) throw;
    } catch (...) {
      conn.reset();  // a statement that failed may have left a transaction open
      throw;
    }
  }
}

std::string sql_value(const std::string& url, const std::string& query) {
  auto rows = sql(url, query);
  if (rows.size() != 1) throw std::runtime_error("expected one row from: " + query);
  return rows[0];
}

}  // namespace pushsync::test
