// pushsync: row changes in PostgreSQL -> silent push-to-sync notifications.
//
// Threads: the main thread runs one boost::asio::io_context; everything that
// does network I/O (providers, the HTTP API, WebSocket devices) is a
// coroutine on it. Database threads (db::DbThread) each own one libpqxx
// connection: coroutines hand them work and await the result. One LISTENs
// and turns NOTIFYs into wakeups posted to the io_context (it also serves
// migrations and the ws mailbox); two claim lanes (capture::ClaimLanes)
// hold the claimed batches' transactions; the HTTP API has its own few
// (db::DbPool), so requests never wait behind a batch. Nothing else starts
// threads. This file only parses the command line and wires the parts
// together.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/connection>
#include <spdlog/spdlog.h>

#include "sidecar/api/endpoints.hpp"
#include "sidecar/cli/dead_letters_cli.hpp"
#include "sidecar/cli/probe.hpp"
#include "sidecar/cli/vapid_keys.hpp"
#include "sidecar/api/http_server.hpp"
#include "sidecar/capture/dispatcher.hpp"
#include "sidecar/capture/wakeup.hpp"
#include "sidecar/config/config_error.hpp"
#include "sidecar/config/config_loader.hpp"
#include "sidecar/db/catalog_check.hpp"
#include "sidecar/db/db_thread.hpp"
#include "sidecar/db/migrator.hpp"
#include "sidecar/db/outbox.hpp"
#include "sidecar/push/apns/apns_provider.hpp"
#include "sidecar/push/fcm/fcm_provider.hpp"
#include "sidecar/push/log/log_provider.hpp"
#include "sidecar/push/provider_set.hpp"
#include "sidecar/push/webpush/webpush_provider.hpp"
#include "sidecar/push/ws/ws_hub.hpp"
#include "sidecar/push/ws/ws_provider.hpp"
#include "sidecar/route/directory.hpp"
#include "sidecar/util/logging.hpp"
#include "sidecar/util/moment.hpp"
#include "sidecar/util/open_files.hpp"

namespace {

using namespace pushsync;
namespace asio = boost::asio;

constexpr int exit_ok = 0;
constexpr int exit_runtime = 1;
constexpr int exit_usage = 2;

struct Options {
  std::string config_file = "pushsync.yaml";
  std::string log_format;
  std::string log_level;
};

struct DeadLetterOptions {
  std::string since;
  std::string before;
  std::string table;
  std::string reason;
  int limit = 1000;
  bool json = false;
  bool all = false;
  std::vector<long long> ids;
};

struct SendOptions {
  std::vector<std::string> tags;
  std::vector<std::string> installations;
  std::string alert;
  std::string data = "{}";
};

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

// Platforms this config can deliver to (for `check`'s warnings).
std::set<Platform> served_platforms(const config::Config& config) {
  if (config.delivery.dry_run) return {all_platforms.begin(), all_platforms.end()};
  std::set<Platform> served;
  if (config.apns) served.insert(Platform::apns);
  if (config.fcm) served.insert(Platform::fcm);
  if (config.webpush) served.insert(Platform::webpush);
  if (config.http && config.websocket.enabled) served.insert(Platform::ws);
  return served;
}

std::unique_ptr<push::ProviderSet> make_providers(const config::Config& config, asio::any_io_executor ex,
                                                  push::WsHub* hub) {
  auto providers = std::make_unique<push::ProviderSet>(config.delivery.expiration);
  if (config.delivery.dry_run) {
    auto log = std::make_shared<push::LogProvider>(config.delivery.dry_run_file, config.delivery.expiration);
    for (auto platform : all_platforms) providers->add(platform, log);
    return providers;
  }
  // Files that cannot be used (certificates, keys) are config errors.
  auto add = [&](Platform platform, const char* section, config::SourcePos pos, auto make) {
    try {
      providers->add(platform, make());
    } catch (const std::runtime_error& e) {
      throw config::ConfigError(config::ConfigIssue{config.file, pos, section, e.what()});
    }
  };
  if (config.apns)
    add(Platform::apns, "apns", config.apns->pos,
        [&] { return std::make_shared<push::ApnsProvider>(ex, *config.apns, config.delivery); });
  if (config.fcm)
    add(Platform::fcm, "fcm", config.fcm->pos,
        [&] { return std::make_shared<push::FcmProvider>(ex, *config.fcm, config.delivery); });
  if (config.webpush)
    add(Platform::webpush, "webpush", config.webpush->pos,
        [&] { return std::make_shared<push::WebPushProvider>(ex, *config.webpush, config.delivery); });
  if (hub) providers->add(Platform::ws, std::make_shared<push::WsProvider>(config, *hub));
  return providers;
}

// Catalog problems are config errors (exit 2); warnings are only logged. A
// schema newer than this binary (a rollback across a schema version) is
// refused: this binary would misread its outbox.
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

int command_sql(const Options& options) {
  std::cout << db::migration_script(load(options));
  return exit_ok;
}

int command_migrate(const Options& options) {
  auto config = load(options);
  pqxx::connection conn(config.database.url);
  require_catalog_ok(conn, config);
  spdlog::info("migrate: {}", db::migrate(conn, config).summary());
  return exit_ok;
}

int command_check(const Options& options) {
  auto config = load(options);
  pqxx::connection conn(config.database.url);
  require_catalog_ok(conn, config);
  for (const auto& warning : db::audience_warnings(conn, config)) spdlog::warn("{}", warning);
  std::cout << options.config_file << ": ok (" << config.tables.size() << " table(s))\n";
  return exit_ok;
}

// One direct push through the outbox, so it gets the same guarantees as a
// row change; a running sidecar delivers it.
int command_send(const Options& options, const SendOptions& send) {
  auto data = nlohmann::json::parse(send.data, nullptr, false);
  if (!data.is_object()) {
    std::cerr << "--data must be a JSON object, e.g. '{\"sources\":[\"todo_items\"]}'\n";
    return exit_usage;
  }
  auto config = load(options);
  pqxx::connection conn(config.database.url);
  if (db::installed_schema_version(conn, config) < db::latest_schema_version())
    throw std::runtime_error("the pushsync schema is not installed or too old: run `pushsync migrate` first");
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

// The local sidecar's /healthz or /readyz (`--address` instead of the
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
  return cli::probe(listen, ready, std::chrono::seconds(3), std::cout, std::cerr);
}

// A --since/--before value: RFC 3339 or a span back from now ("2h").
std::string moment_option(const std::string& value, const char* option) {
  if (value.empty()) return value;
  auto moment = parse_moment(value, std::chrono::system_clock::now());
  if (!moment) throw CLI::ValidationError(option, "\"" + value + "\" is neither an RFC 3339 time nor a span like 2h or 7d");
  return *moment;
}

// The dead-letters subcommand given; they need the schema installed.
int command_dead_letters(const Options& options, const CLI::App& list, const CLI::App& retry,
                         const DeadLetterOptions& d) {
  auto config = load(options);
  pqxx::connection conn(config.database.url);
  if (db::installed_schema_version(conn, config) < db::latest_schema_version())
    throw std::runtime_error("the pushsync schema is not installed or too old: run `pushsync migrate` first");
  const std::string& schema = config.database.schema;
  if (list) return cli::list_dead_letters(conn, schema, {d.since, d.table, d.reason, d.limit}, d.json, std::cout);
  if (retry) {
    if (d.ids.empty() == !d.all) {
      std::cerr << "give dead letter ids, or --all (with --since to narrow it)\n";
      return exit_usage;
    }
    return cli::retry_dead_letters(conn, schema, d.ids, d.since, std::cout, std::cerr);
  }
  return cli::purge_dead_letters(conn, schema, d.before, std::cout);
}

// With `migrate: manual`, a schema older than this binary: wait for
// `pushsync migrate` (a Kubernetes Job, a DBA) instead of exiting.
struct SchemaBehind : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Migrates (database.migrate: auto) or waits for the schema (manual) and
// checks the catalog, waiting for the database to come up if it is not
// there yet; `readiness` says what it waits for. False if stopped meanwhile.
asio::awaitable<bool> prepare_database(const config::Config& config, db::DbThread& db, capture::Wakeup& wakeup,
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

// The HTTP API and the WebSocket channel, when `http` is configured.
struct HttpParts {
  std::unique_ptr<db::DbPool> db;  // the API's own connections
  std::unique_ptr<push::WsHub> hub;
  api::Routes routes;
  api::Readiness readiness;
  std::unique_ptr<api::ApiContext> context;
  std::unique_ptr<api::HttpServer> server;

  void stop() {
    if (server) server->stop();
    if (hub) hub->close_all();
  }
};

// Every connection (devices, API clients, the database) holds a descriptor.
long raise_and_log_open_files_limit() {
  const auto limit = raise_open_files_limit();
  if (limit.now != limit.before)
    spdlog::info("open files limit raised from {} to {}", limit.before, limit.now);
  else
    spdlog::info("open files limit: {}", limit.now);
  return limit.now;
}

void make_http(HttpParts& http, const config::Config& config, asio::io_context& io, metrics::Metrics& metrics,
               long open_files) {
  http.db = std::make_unique<db::DbPool>(config.database.url, config.http->db_connections, io);
  if (config.websocket.enabled && !config.delivery.dry_run) {
    const int devices = config.websocket.max_connections > 0
                            ? config.websocket.max_connections
                            : default_ws_connections(open_files, config.http->max_connections);
    spdlog::info("WebSocket channel: at most {} devices", devices);
    http.hub = std::make_unique<push::WsHub>(config, *http.db, metrics, io, devices);
  }
}

void start_http(HttpParts& http, const config::Config& config, asio::io_context& io, metrics::Metrics& metrics,
                const push::ProviderSet& providers) {
  http.context =
      std::make_unique<api::ApiContext>(api::ApiContext{config, *http.db, metrics, providers, http.readiness});
  api::add_installation_routes(http.routes, *http.context);
  api::add_push_routes(http.routes, *http.context);
  api::add_feedback_routes(http.routes, *http.context);
  api::add_dead_letter_routes(http.routes, *http.context);
  api::add_health_routes(http.routes, *http.context);
  if (http.hub) http.hub->add_route(http.routes);
  http.server = std::make_unique<api::HttpServer>(io, *config.http, http.routes, http.readiness, metrics);
  http.server->start();
}

int command_run(const Options& options) {
  auto config = load(options);
  asio::io_context io;
  capture::Wakeup wakeup(io);
  metrics::Metrics metrics;
  db::DbThread db(config.database.url, config.database.schema, io,
                  [&wakeup](const db::Notification&) { wakeup.notify(); });
  HttpParts http;
  const long open_files = raise_and_log_open_files_limit();
  if (config.http) make_http(http, config, io, metrics, open_files);
  auto providers = make_providers(config, io.get_executor(), http.hub.get());
  capture::ClaimLanes lanes(config.database.url, io);
  capture::Dispatcher dispatcher(config, db, lanes, wakeup, *providers, metrics);
  if (config.http) start_http(http, config, io, metrics, *providers);

  int exit_code = exit_ok;
  bool stopping = false;
  asio::steady_timer deadline(io);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: finishing in-flight work (at most {} ms)", signal, config.shutdown_timeout.count());
    stopping = true;
    dispatcher.stop();
    http.stop();
    deadline.expires_after(config.shutdown_timeout);
    deadline.async_wait([&](const boost::system::error_code& timer_ec) {
      if (timer_ec) return;
      spdlog::warn("shutdown_timeout reached; unsettled changes return to the queue");
      io.stop();
    });
  });

  auto main_loop = [&]() -> asio::awaitable<void> {
    if (co_await prepare_database(config, db, wakeup, http.readiness, stopping)) {
      spdlog::info("pushsync {} running: {} table(s), schema {}, {}", PUSHSYNC_VERSION, config.tables.size(),
                   config.database.schema, config.delivery.dry_run ? "dry run" : "sending");
      co_await dispatcher.run();
    }
    providers->close();
  };
  asio::co_spawn(io, main_loop(), [&](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const config::ConfigError& e) {
        std::cerr << e.what() << "\n";
        exit_code = exit_usage;
      } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        exit_code = exit_runtime;
      }
    }
    signals.cancel();
    deadline.cancel();
    http.stop();
  });
  io.run();
  spdlog::info("pushsync stopped");
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a dropped connection is an error code, not a crash
  setup_logging("info", "text");

  CLI::App app{"pushsync: row changes in PostgreSQL become push-to-sync notifications"};
  app.set_version_flag("--version", std::string("pushsync ") + PUSHSYNC_VERSION);
  app.require_subcommand(0, 1);
  app.fallthrough();
  Options options;
  if (const char* env = std::getenv("PUSHSYNC_CONFIG")) options.config_file = env;
  app.add_option("-c,--config", options.config_file, "config file (default: $PUSHSYNC_CONFIG or pushsync.yaml)");
  app.add_option("--log-format", options.log_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  auto* run = app.add_subcommand("run", "run the sidecar (the default command)");
  auto* migrate = app.add_subcommand("migrate", "install or upgrade the schema and triggers (idempotent)");
  auto* sql = app.add_subcommand("sql", "print the DDL migrate would run, for review");
  auto* check = app.add_subcommand("check", "validate the config against the live database");
  auto* send = app.add_subcommand("send", "queue a one-off push to devices by tag or installation id");
  auto* dead = app.add_subcommand("dead-letters", "list, retry or purge the pushes given up on");
  dead->require_subcommand(1);
  DeadLetterOptions dead_options;
  auto* dead_list = dead->add_subcommand("list", "show dead letters, oldest first");
  dead_list->add_option("--since", dead_options.since, "failed at or after: RFC 3339, or a span back like 2h, 7d");
  dead_list->add_option("--table", dead_options.table, "only this table (its tables: key or bare name)");
  dead_list->add_option("--reason", dead_options.reason, "only reasons containing this text");
  dead_list->add_option("--limit", dead_options.limit, "at most this many (default 1000)")->check(CLI::Range(1, 1000000));
  dead_list->add_flag("--json", dead_options.json, "one JSON object per line");
  auto* dead_retry = dead->add_subcommand("retry", "send dead letters again, each to its installation");
  dead_retry->add_option("ids", dead_options.ids, "dead letter ids");
  dead_retry->add_flag("--all", dead_options.all, "every dead letter (narrowed by --since)");
  dead_retry->add_option("--since", dead_options.since, "with --all: failed at or after this");
  auto* dead_purge = dead->add_subcommand("purge", "delete dead letters that failed before a time");
  dead_purge->add_option("--before", dead_options.before, "RFC 3339, or a span back like 30d")->required();
  auto* probe = app.add_subcommand("probe", "exit 0 if the local sidecar's /healthz (--ready: /readyz) answers 200");
  bool probe_ready = false;
  std::string probe_address;
  probe->add_flag("--ready", probe_ready, "ask /readyz: migrations applied, database and providers usable");
  probe->add_option("--address", probe_address, "host:port to ask (default: the config's http.listen)");
  auto* vapid = app.add_subcommand("vapid-keys", "generate a VAPID key pair for Web Push (webpush section)");
  std::string vapid_out = "vapid-private.pem";
  vapid->add_option("--out", vapid_out, "where to write the private key (default: vapid-private.pem; never overwritten)");
  SendOptions send_options;
  send->add_option("--tag", send_options.tags, "tag to push to (repeatable)");
  send->add_option("--installation", send_options.installations, "installation id to push to (repeatable)");
  send->add_option("--alert", send_options.alert, "alert text (default: a silent push)");
  send->add_option("--data", send_options.data, "JSON object of extra fields");

  try {
    app.parse(argc, argv);
    dead_options.since = moment_option(dead_options.since, "--since");
    dead_options.before = moment_option(dead_options.before, "--before");
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? exit_ok : exit_usage;
  }

  try {
    if (*migrate) return command_migrate(options);
    if (*sql) return command_sql(options);
    if (*check) return command_check(options);
    if (*send) return command_send(options, send_options);
    if (*probe) return command_probe(options, probe_address, probe_ready);
    if (*vapid) return cli::vapid_keys(vapid_out, std::cout, std::cerr);
    if (*dead) return command_dead_letters(options, *dead_list, *dead_retry, dead_options);
    (void)run;
    return command_run(options);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return exit_usage;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return exit_runtime;
  }
}
