#include "sidecar/cli/commands.hpp"

#include <iostream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <spdlog/spdlog.h>

#include "sidecar/cli/dead_letters_cli.hpp"
#include "sidecar/cli/probe.hpp"
#include "sidecar/cli/progress_line.hpp"
#include "sidecar/config/config_loader.hpp"
#include "sidecar/db/catalog_check.hpp"
#include "sidecar/db/migrator.hpp"
#include "sidecar/db/outbox.hpp"
#include "sidecar/route/directory.hpp"
#include "sidecar/startup/catalog_gate.hpp"
#include "sidecar/util/exit_code.hpp"
#include "sidecar/util/json_text.hpp"
#include "sidecar/util/logging.hpp"

namespace pushsync::cli {

namespace {

// Commands that read or write pushsync's tables need them migrated.
void require_migrated(pqxx::connection& conn, const config::Config& config) {
  if (db::installed_schema_version(conn, config) < db::latest_schema_version())
    throw std::runtime_error("the pushsync schema is not installed or too old: run `pushsync migrate` first");
}

}  // namespace

config::Config load(const Options& options) {
  auto config = config::load_config(options.config_file, config::process_env());
  if (!options.log_format.empty()) config.log.format = options.log_format;
  if (!options.log_level.empty()) config.log.level = options.log_level;
  setup_logging(config.log.level, config.log.format);
  if (config.websocket.enabled && !config.http && !config.delivery.dry_run)
    spdlog::warn("websocket.enabled needs the http section (devices connect to /v1/ws); without it pushes to ws "
                 "devices are dead-lettered as provider_not_configured");
  return config;
}

int command_sql(const Options& options) {
  std::cout << db::migration_script(load(options));
  return exit_ok;
}

int command_migrate(const Options& options) {
  auto config = load(options);
  pqxx::connection conn(config.database.url);
  startup::require_catalog_ok(conn, config);
  db::MigrationReport report;
  {
    ProgressLine progress;
    report = db::migrate(conn, config, [&progress](std::string_view step) {
      progress.show("migrate: " + std::string(step));
    });
  }
  spdlog::info("migrate: {}", report.summary());
  return exit_ok;
}

int command_check(const Options& options) {
  auto config = load(options);
  pqxx::connection conn(config.database.url);
  startup::require_catalog_ok(conn, config);
  for (const auto& warning : db::audience_warnings(conn, config)) spdlog::warn("{}", warning);
  std::cout << options.config_file << ": ok (" << config.tables.size() << " table(s))\n";
  return exit_ok;
}

// One direct push through the outbox, so it gets the same guarantees as a
// row change; a running sidecar delivers it.
int command_send(const Options& options, const SendOptions& send) {
  auto data = parse_json_or_discarded(send.data);
  if (!data.is_object()) {
    std::cerr << "--data must be a JSON object, e.g. '{\"sources\":[\"todo_items\"]}'\n";
    return exit_usage;
  }
  auto config = load(options);
  pqxx::connection conn(config.database.url);
  require_migrated(conn, config);
  if (send.tags.empty() && send.installations.empty()) {
    std::cerr << "give --tag or --installation (each repeatable)\n";
    return exit_usage;
  }
  std::vector<std::string> tags = send.tags;
  for (const auto& id : send.installations) tags.push_back(std::string(route::installation_tag_prefix) + id);
  nlohmann::json push = {{"tags", tags}, {"data", data}};
  if (!send.alert.empty()) push["alert"] = send.alert;
  auto id = db::Outbox(config.database.schema).enqueue_push(conn, push);
  std::cout << "queued push " << id << " to " << send.tags.size() << " tag(s) and " << send.installations.size()
            << " installation(s)\n";
  return exit_ok;
}

// The local sidecar's /healthz or /readyz (`address` instead of the
// config's http.listen). Every failure is exit 1, as HEALTHCHECK expects.
int command_probe(const Options& options, const std::string& address, bool ready) {
  std::string listen = address;
  if (listen.empty()) {
    try {
      auto config = config::load_config(options.config_file, config::process_env());
      if (!config.http) throw std::runtime_error(options.config_file + " has no http section: nothing to probe");
      listen = config.http->listen;
    } catch (const std::exception& e) {
      std::cerr << "probe: " << e.what() << "\n";
      return exit_runtime;
    }
  }
  return probe(listen, ready, std::chrono::seconds(3), std::cout, std::cerr);
}

int command_dead_letters(const Options& options, DeadLetterAction action, const DeadLetterOptions& d) {
  auto config = load(options);
  pqxx::connection conn(config.database.url);
  require_migrated(conn, config);
  const std::string& schema = config.database.schema;
  switch (action) {
    case DeadLetterAction::list: {
      db::DeadLetterQuery query;
      query.since = d.since;
      query.table = d.table;
      query.reason = d.reason;
      query.limit = d.limit;
      return list_dead_letters(conn, schema, query, d.json, std::cout);
    }
    case DeadLetterAction::retry:
      if (d.ids.empty() == !d.all) {
        std::cerr << "give dead letter ids, or --all (with --since to narrow it)\n";
        return exit_usage;
      }
      return retry_dead_letters(conn, schema, d.ids, d.since, std::cout, std::cerr);
    case DeadLetterAction::purge:
      return purge_dead_letters(conn, schema, d.before, std::cout);
  }
  return exit_usage;
}

}  // namespace pushsync::cli
