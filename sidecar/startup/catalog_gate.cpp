#include "sidecar/startup/catalog_gate.hpp"

#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

#include "sidecar/config/config_error.hpp"
#include "sidecar/db/catalog_check.hpp"
#include "sidecar/db/migrator.hpp"

namespace pushsync::startup {

std::set<Platform> served_platforms(const config::Config& config) {
  if (config.delivery.dry_run) return {all_platforms.begin(), all_platforms.end()};
  std::set<Platform> served;
  if (config.apns) served.insert(Platform::apns);
  if (config.fcm) served.insert(Platform::fcm);
  if (config.webpush) served.insert(Platform::webpush);
  if (config.http && config.websocket.enabled) served.insert(Platform::ws);
  return served;
}

void require_catalog_ok(pqxx::connection& conn, const config::Config& config) {
  if (int installed = db::installed_schema_version(conn, config); installed > db::latest_schema_version())
    throw std::runtime_error("the pushsync schema is at version " + std::to_string(installed) +
                             ", newer than this binary's " + std::to_string(db::latest_schema_version()) +
                             ": run pushsync " PUSHSYNC_VERSION
                             " only against the schema it knows (README: rollbacks)");
  auto report = db::check_catalog(conn, config, served_platforms(config));
  for (const auto& warning : report.warnings) spdlog::warn("{}", warning);
  if (!report.errors.empty()) throw config::ConfigError(report.errors);
}

}  // namespace pushsync::startup
