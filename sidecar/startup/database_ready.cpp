#include "sidecar/startup/database_ready.hpp"

#include <stdexcept>
#include <string>

#include <pqxx/except>
#include <spdlog/spdlog.h>

#include "sidecar/db/migrator.hpp"
#include "sidecar/startup/catalog_gate.hpp"
#include "sidecar/util/backoff.hpp"
#include "sidecar/util/logging.hpp"

namespace pushsync::startup {

namespace {

// With `migrate: manual`, a schema older than this binary.
struct SchemaBehind : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace

boost::asio::awaitable<bool> database_ready(const config::Config& config, db::DbThread& db, capture::Wakeup& wakeup,
                                            api::Readiness& readiness, const bool& stopping) {
  Backoff backoff(std::chrono::milliseconds(500), std::chrono::seconds(30));
  for (int attempt = 1; !stopping; ++attempt) {
    std::string waiting;
    try {
      co_await db.run([&](pqxx::connection& conn) {
        require_catalog_ok(conn, config);
        if (config.database.migrate == config::MigrateMode::automatic) {
          spdlog::info("migrate: {}", db::migrate(conn, config).summary());
        } else if (int installed = db::installed_schema_version(conn, config); installed < db::latest_schema_version()) {
          throw SchemaBehind("database.migrate is manual and the pushsync schema is at version " +
                             std::to_string(installed) + ", this binary needs " +
                             std::to_string(db::latest_schema_version()) + ": run `pushsync migrate`");
        }
        return true;
      });
      readiness.ready();
      co_return true;
    } catch (const pqxx::broken_connection& e) {
      waiting = "cannot reach the database (" + one_line(e.what()) + ")";
    } catch (const SchemaBehind& e) {
      waiting = e.what();
    }
    readiness.waiting(waiting);
    auto delay = backoff.delay(attempt);
    spdlog::warn("{}; retrying in {} ms", waiting, delay.count());
    co_await wakeup.wait(delay);
  }
  co_return false;
}

}  // namespace pushsync::startup
